"""Commands that keep a data directory safe: `dateline check` and `dateline backup`."""
from __future__ import annotations

from pathlib import Path

import click

from dateline.index.disk import RESTORE_ARCHIVE
from dateline.index.errors import DatelineError
from dateline.index.store import Archive

from .common import data_option, user_errors


@click.command()
@data_option
@user_errors
def check(data_dir):
    """Check the archive and the live index thoroughly; exit non-zero on damage.

    The archive gets SQLite's integrity_check (every page, and every index against its table)
    and FTS5's check of the full-text index; each file of the live index generation is hashed
    against its manifest's checksum. Minutes on a big archive; `dateline status` runs the quick check.
    """
    from dateline.index.generations import check_index

    archive = Archive.open(data_dir, create=False, reading=True)
    problems = archive.check(full=True)
    for problem in problems:
        click.echo(f"archive: {problem}")
    if not problems:
        click.echo(f"archive: ok ({archive.path}: integrity_check, {archive.count_items()} items)")
    generation, index_problems = check_index(data_dir, full=True)
    for problem in index_problems:
        click.echo(f"index: {problem}")
    if generation and not index_problems:
        click.echo(f"index: ok (generation {generation}: every file matches its checksum)")
    elif not index_problems:
        click.echo("index: none yet (`dateline index` builds it)")
    if problems:
        raise DatelineError(f"{archive.path} is damaged ({len(problems)} problem(s) listed above): {RESTORE_ARCHIVE}",
                            code="damaged_archive", status=503)
    if index_problems:
        raise DatelineError("the index is damaged (listed above): run `dateline index` to build a sound one",
                            code="bad_index", status=503)


@click.command()
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@data_option
@user_errors
def backup(dest, data_dir):
    """Copy the archive and the live index into the folder DEST, while the server runs.

    The archive is copied with SQLite's online backup API (one consistent snapshot, imports go
    on meanwhile) and each index file is checked against its checksum as it is copied. DEST is
    a new or empty folder, or an earlier backup, which is replaced. Restore by pointing --data
    at DEST or copying it back; `dateline check --data DEST` verifies it.
    """
    from dateline.index.backup import backup as back_up

    click.echo(back_up(data_dir, dest).summary())
