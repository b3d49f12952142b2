"""The `dateline` command group. Only this package prints; DatelineError becomes a one-line error.

Each module defines its commands and imports only the shared helpers in ``common``; this
module makes the group and registers them, so no command module imports the group back.
"""
from __future__ import annotations

import click

from . import archive, ask, index, serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dateline")
def main() -> None:
    """dateline: ask questions of a news archive and get answers that cite their sources."""


for command in (*archive.COMMANDS, index.index_cmd, *ask.COMMANDS, *serve.COMMANDS):
    main.add_command(command)
