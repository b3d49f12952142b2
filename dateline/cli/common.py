"""Options and output shared by the command modules; the only module they import from here.

Every option that mirrors a setting is made by ``setting_option`` from the one settings table,
so its default, environment variable and help line are never written twice.
"""
from __future__ import annotations

import sqlite3
from functools import wraps
from pathlib import Path

import click

from dateline.index import settings
from dateline.index.errors import DatelineError


def setting_option(name: str, *param_decls: str, **kwargs):
    """Make a click option for the setting ``name``: its default, ``DATELINE_*`` variable and help.

    ``param_decls`` default to ``--<name with dashes>``; other keyword arguments (``type``,
    ``metavar``) pass through to ``click.option``.

    >>> @setting_option("top_k", "--top-k")
    ... def ask(top_k): ...
    """
    s = settings.setting(name)
    decls = param_decls or (f"--{name.replace('_', '-')}",)
    return click.option(*decls, default=s.default, envvar=s.env, show_default=True, help=s.help,
                        cls=_SettingOption, **kwargs)


class _SettingOption(click.Option):
    """An option whose bad value, when it came from its environment variable, is said to have."""

    def get_error_hint(self, ctx: click.Context | None) -> str:
        hint = super().get_error_hint(ctx)
        source = ctx.get_parameter_source(self.name) if ctx is not None and self.name else None
        if source == click.core.ParameterSource.ENVIRONMENT:
            return f"{hint} (from the environment variable {self.envvar})"
        return hint


def data_option(f):
    """Add --data DIR (env DATELINE_DATA) to a command."""
    return setting_option("data", "--data", "data_dir",
                          type=click.Path(file_okay=False, path_type=Path))(f)


def server_options(f):
    """Add --host, --port and --workers (env DATELINE_HOST/PORT/WORKERS) to a command."""
    f = setting_option("workers", type=click.IntRange(1, 64))(f)
    f = setting_option("port", type=click.IntRange(1, 65535))(f)
    return setting_option("host")(f)


def user_errors(f):
    """Turn DatelineError into click's one-line error with a non-zero exit; so too an archive
    whose write lock another process held past SQLite's 30 s wait, and a folder or file the
    operating system refuses ("--data" under a file, a backup under /proc)."""
    @wraps(f)
    def wrapper(*args, **kwargs):
        try:
            return f(*args, **kwargs)
        except DatelineError as e:
            raise click.ClickException(str(e)) from None  # the message and its detail (a path)
        except OSError as e:
            from dateline.index.disk import os_error
            explained = os_error(e)
            plain = f"{e.filename}: {e.strerror or e}" if e.filename else str(e.strerror or e)  # "/dev/full" as stdout
            raise click.ClickException(str(explained) if explained else plain) from None
        except sqlite3.OperationalError as e:
            if "locked" not in str(e):
                raise
            from dateline.index.store import BUSY_TIMEOUT_S
            raise click.ClickException(
                f"the archive is busy: another import or build kept it locked through the {BUSY_TIMEOUT_S} s "
                "this waited (a file is imported in one transaction); run this again when that has finished") from None
    return wrapper


def echo_status(info: dict, archive_path: Path) -> None:
    """Print ``Archive.status()`` for a person: counts, date range, sources, recent imports."""
    click.echo(f"archive: {archive_path}")
    click.echo(f"items: {info['items']}  chunks: {info['chunks']}")
    click.echo(f"dates: {info['date_from'] or '-'} .. {info['date_to'] or '-'}"
               + (f" ({info['undated']} undated)" if info["undated"] else ""))
    click.echo("sources: " + ", ".join(f"{s['source'] or '(none)'} ({s['items']})" for s in info["sources"][:10]))
    if info["imports"]:
        click.echo("recent imports:")
        for imp in info["imports"]:
            click.echo(f"  {imp['finished_at']}  {imp['path']} ({imp['format']}): {imp['added']} added, "
                       f"{imp['updated']} updated, {imp['unchanged']} unchanged, {imp['rejected']} rejected")


def echo_waiting(holder) -> None:
    """Say on stderr that this command waits for the job ``holder`` (a ``jobs.Job``, or None
    when the process holding the archive recorded none) to finish writing."""
    what = f"job {holder.id} ({holder.kind}, from {holder.origin})" if holder is not None else "another writer"
    click.echo(f"waiting for {what} to finish: one import or build at a time", err=True)
