"""The `dateline` command group. Only this module prints; DatelineError becomes a one-line error."""
from __future__ import annotations

import json
import sqlite3
import sys
from functools import wraps
from pathlib import Path

import click

from index import settings
from index.errors import DatelineError


def data_option(f):
    """Add --data DIR (env DATELINE_DATA) to a command."""
    return click.option(
        "--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
        default=settings.setting("data").default, envvar=settings.setting("data").env,
        show_default=True, help=settings.setting("data").help,
    )(f)


def user_errors(f):
    """Turn DatelineError into click's one-line error with a non-zero exit; so too an archive
    whose write lock another process held past SQLite's 30 s wait."""
    @wraps(f)
    def wrapper(*args, **kwargs):
        try:
            return f(*args, **kwargs)
        except DatelineError as e:
            raise click.ClickException(e.message) from None
        except sqlite3.OperationalError as e:
            if "locked" not in str(e):
                raise
            from index.store import BUSY_TIMEOUT_S
            raise click.ClickException(
                f"the archive is busy: another import or build kept it locked through the {BUSY_TIMEOUT_S} s "
                "this waited (a file is imported in one transaction); run this again when that has finished") from None
    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dateline")
def main() -> None:
    """dateline: ask questions of a news archive and get answers that cite their sources."""


# -- archive: import, export, status, remove ----------------------------------------------

def _files_in(path: Path) -> list[Path]:
    if not path.exists():
        raise DatelineError(f"{path}: no such file or directory")
    if path.is_dir():
        from index.ingest import is_importable

        return sorted(p for p in path.rglob("*")
                      if p.is_file() and not p.name.startswith(".") and is_importable(p))
    return [path]


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl", "json", "csv", "reuters", "html", "rss"]),
              help="Read every file in this format instead of detecting it.")
@click.option("--source", help="Publication name to give every imported item.")
@click.option("--year", type=click.IntRange(1800, 2200), help="Year for datelines that give none.")
@click.option("--verbose", "-v", is_flag=True, help="List every rejected record.")
@data_option
@user_errors
def import_cmd(paths, fmt, source, year, verbose, data_dir):
    """Import news items from files or directories into the archive.

    Formats: plain-text dumps, JSONL/JSON/CSV exports, Reuters SGML, HTML pages, RSS/Atom
    feeds; detected from content and extension. Each file is one transaction.
    """
    from tqdm import tqdm

    from index.ingest import parse_file, stream_file
    from index.store import Archive

    jobs: list[tuple[Path, bool]] = []  # (file, came from a directory)
    for path in paths:
        files = _files_in(path)
        if path.is_dir() and not files:
            raise DatelineError(f"{path}: the directory holds no files to import "
                                "(.txt, .jsonl, .json, .csv, .sgm, .html, .rss, .xml)")
        jobs += [(f, path.is_dir()) for f in files]

    archive = Archive.open(data_dir)
    totals = {"added": 0, "updated": 0, "unchanged": 0, "rejected": 0}
    imported = 0
    bar = tqdm(jobs, unit="file", disable=None, file=sys.stderr, leave=False)
    for file, from_dir in bar:
        bar.set_description(file.name)
        try:
            # JSONL and CSV are read as they are written; other formats are parsed whole first.
            streamed = stream_file(file, fmt, source, year)
            if streamed is None:
                found_fmt, parsed = parse_file(file, fmt, source, year)
                streamed = found_fmt, parsed.items, parsed.rejections
            else:  # a big export: count its items as they go in
                found_fmt, items, rejections = streamed
                streamed = found_fmt, tqdm(items, unit=" items", disable=None, file=sys.stderr,
                                           leave=False, position=1, desc=file.name), rejections
            report = archive.import_items(str(file), *streamed)
        except DatelineError as e:
            if from_dir:
                click.echo(f"skipped {e.message}", err=True)
                continue
            raise
        imported += 1
        click.echo(report.summary())
        for rejection in report.rejections[: None if verbose else 10]:
            click.echo(f"  rejected {rejection}")
        if not verbose and report.rejected > 10:
            click.echo(f"  ... and {report.rejected - 10} more (--verbose lists them all)")
        for key in totals:
            totals[key] += getattr(report, key)
    if not imported:
        raise DatelineError(f"no news items found in {', '.join(map(str, paths))}")
    if imported > 1:
        click.echo("total: " + ", ".join(f"{v} {k}" for k, v in totals.items()))


@main.command()
@click.option("--source", help="Export only this source's items.")
@data_option
@user_errors
def export(source, data_dir):
    """Write items to stdout as JSONL, every stored field included (the interchange format)."""
    from index.store import Archive

    archive = Archive.open(data_dir, create=False)
    for item in archive.iter_items(source):
        click.echo(json.dumps(item.to_record(), ensure_ascii=False))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON for programs.")
@data_option
@user_errors
def status(as_json, data_dir):
    """Show item counts, sources, date range, index and recent imports."""
    from index.store import Archive

    archive = Archive.open(data_dir, create=False)
    info = archive.status()
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    click.echo(f"archive: {data_dir / Archive.FILENAME}")
    click.echo(f"items: {info['items']}  chunks: {info['chunks']}")
    click.echo(f"dates: {info['date_from'] or '-'} .. {info['date_to'] or '-'}"
               + (f" ({info['undated']} undated)" if info["undated"] else ""))
    click.echo("sources: " + ", ".join(f"{s['source'] or '(none)'} ({s['items']})" for s in info["sources"][:10]))
    if info["imports"]:
        click.echo("recent imports:")
        for imp in info["imports"]:
            click.echo(f"  {imp['finished_at']}  {imp['path']} ({imp['format']}): {imp['added']} added, "
                       f"{imp['updated']} updated, {imp['unchanged']} unchanged, {imp['rejected']} rejected")


@main.command()
@click.argument("ids", nargs=-1)
@click.option("--source", help="Remove every item of this source.")
@data_option
@user_errors
def remove(ids, source, data_dir):
    """Delete items by id or by source (run `dateline index` afterwards)."""
    from index.store import Archive

    if not ids and not source:
        raise DatelineError("name item ids or --source to remove")
    archive = Archive.open(data_dir, create=False)
    click.echo(f"removed {archive.remove(list(ids), source)} items")


# -- index (issue 3), ask / eval (issue 4), serve / demo (issue 5) are added below ---------


@main.command()
@click.option("--serve/--no-serve", "serve_after", default=True, show_default=True,
              help="Serve the chat on the sample once it is indexed.")
@click.option("--host", default=settings.setting("host").default, envvar=settings.setting("host").env,
              show_default=True, help=settings.setting("host").help)
@click.option("--port", type=click.IntRange(1, 65535), default=settings.setting("port").default,
              envvar=settings.setting("port").env, show_default=True, help=settings.setting("port").help)
@click.option("--workers", type=click.IntRange(1, 64), default=settings.setting("workers").default,
              envvar=settings.setting("workers").env, show_default=True, help=settings.setting("workers").help)
@data_option
@user_errors
def demo(serve_after, host, port, workers, data_dir):
    """Import and index the bundled sample archive (Iran Focus, June 2017), then serve the chat."""
    from importlib.resources import files

    from index.build import build_index
    from index.ingest import parse_file
    from index.store import Archive

    sample = Path(str(files("qa") / "demo" / "iran_focus_2017.txt"))
    archive = Archive.open(data_dir)
    fmt, parsed = parse_file(sample)
    click.echo(archive.import_items(str(sample), fmt, parsed.items, parsed.rejections).summary())
    archive.close()
    report = build_index(data_dir, progress=True)
    click.echo(report.summary())
    click.get_current_context().invoke(status, data_dir=data_dir)
    if serve_after:
        from .cli_web import exec_server

        exec_server(data_dir, host, port, workers)


from . import cli_web  # noqa: E402,F401  (registers serve)
from . import cli_qa  # noqa: E402,F401  (registers ask, eval)
from . import cli_index  # noqa: E402,F401  (registers `dateline index`)
