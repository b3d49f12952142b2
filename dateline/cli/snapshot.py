"""`dateline snapshot DEST`: publish a read-only copy of the archive and index for replicas."""
from __future__ import annotations

from pathlib import Path

import click

from .common import data_option, user_errors


@click.command()
@click.argument("dest", type=click.Path(path_type=Path))
@click.option("--grace", type=click.FloatRange(min=0), default=10.0, show_default=True, metavar="MINUTES",
              help="How long a replaced snapshot stays for the replicas still reading it.")
@data_option
@user_errors
def snapshot(dest, grace, data_dir):
    """Copy the archive and the live index into a new snapshot under DEST and make it live there.

    The archive is copied with SQLite's online backup API (imports and builds go on) into one
    self-contained file; the index files are checked against their checksums. DEST/CURRENT is
    switched to the new snapshot only once it is complete: a failed snapshot leaves DEST
    serving the one it served. `dateline serve --data DEST` (on any machine that mounts DEST)
    answers from it read-only and follows each new snapshot by itself.
    """
    from dateline.index.snapshot import take_snapshot

    click.echo(take_snapshot(data_dir, dest, grace_s=grace * 60).summary())
