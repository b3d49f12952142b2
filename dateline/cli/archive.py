"""Archive commands: `dateline import`, `export`, `status` and `remove`."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from dateline.index.errors import DatelineError
from dateline.index.ingest import FORMATS, is_importable, parse_file, stream_file
from dateline.index.store import Archive

from .common import data_option, echo_status, user_errors


def _files_in(path: Path) -> list[Path]:
    if not path.exists():
        raise DatelineError(f"{path}: no such file or directory")
    if path.is_dir():
        return sorted(p for p in path.rglob("*")
                      if p.is_file() and not p.name.startswith(".") and is_importable(p))
    return [path]


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS),
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


@click.command()
@click.option("--source", help="Export only this source's items.")
@data_option
@user_errors
def export(source, data_dir):
    """Write items to stdout as JSONL, every stored field included (the interchange format)."""
    archive = Archive.open(data_dir, create=False)
    for item in archive.iter_items(source):
        click.echo(json.dumps(item.to_record(), ensure_ascii=False))


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON for programs.")
@data_option
@user_errors
def status(as_json, data_dir):
    """Show item counts, sources, date range, index and recent imports."""
    archive = Archive.open(data_dir, create=False)
    info = archive.status()
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    echo_status(info, data_dir / Archive.FILENAME)


@click.command()
@click.argument("ids", nargs=-1)
@click.option("--source", help="Remove every item of this source.")
@data_option
@user_errors
def remove(ids, source, data_dir):
    """Delete items by id or by source (run `dateline index` afterwards)."""
    if not ids and not source:
        raise DatelineError("name item ids or --source to remove")
    archive = Archive.open(data_dir, create=False)
    click.echo(f"removed {archive.remove(list(ids), source)} items")
