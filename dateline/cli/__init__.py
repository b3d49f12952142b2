"""The `dateline` command group. Only this package prints; DatelineError becomes a one-line error.

Each module defines its commands and imports only the shared helpers in ``common``; this
module makes the group and names where each command lives, so no command module imports the
group back. A command's module is imported when the command is used: `dateline import` does
not load the question engine, nor `dateline ask` the importers.
"""
from __future__ import annotations

import importlib

import click

# command name -> "module.attribute" within this package
COMMANDS = {
    "import": "archive.import_cmd", "export": "archive.export", "status": "archive.status",
    "remove": "archive.remove", "index": "index.index_cmd", "ask": "ask.ask", "eval": "ask.eval_cmd",
    "serve": "serve.serve", "demo": "serve.demo",
    "mcp": "mcp.mcp",
    "check": "check.check", "backup": "check.backup", "snapshot": "snapshot.snapshot",
    "jobs": "jobs.jobs_cmd", "watch": "watch.watch",
}


class LazyGroup(click.Group):
    """A click group that imports a command's module on first use (click's lazy-loading pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute = COMMANDS[name].rsplit(".", 1)
        return getattr(importlib.import_module(f".{module}", __name__), attribute)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dateline")
def main() -> None:
    """dateline: ask questions of a news archive and get answers that cite their sources."""
