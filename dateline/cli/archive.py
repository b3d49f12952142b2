"""Archive commands: `dateline import`, `export`, `status` and `remove`."""
from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import click

from dateline.index.disk import REPAIR_ARCHIVE, explained
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

    try:
        archive = Archive.open(data_dir)
    except DatelineError as e:  # a full disk, a read-only folder, a damaged archive
        raise DatelineError(f"{e.message}; nothing was imported", code=e.code, status=e.status,
                            detail=e.detail) from None
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
            if from_dir and e.status < 500:  # a bad file is skipped; a full disk stops the import
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
    archive = Archive.open(data_dir, create=False, reading=True)
    with explained(archive.path, then="the export stopped there"):
        for item in archive.iter_items(source):
            click.echo(json.dumps(item.to_record(), ensure_ascii=False))


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON for programs.")
@data_option
@user_errors
def status(as_json, data_dir):
    """Show item counts, sources, date range, index and recent imports; check the archive file.

    The check is SQLite's quick_check (the structure of every page); `dateline check` runs the
    full one. A damaged archive or index is reported with what to do, and a non-zero exit.
    """
    from dateline.index.generations import check_index  # numpy: only this command needs it

    archive = Archive.open(data_dir, create=False, reading=True)
    problems = archive.check()
    try:
        info = archive.status()
    except (sqlite3.DatabaseError, DatelineError) as e:  # a damaged page the quick check did not reach
        info = None
        problems = problems or [str(e)]
    generation, index_problems = check_index(data_dir)
    if as_json:
        click.echo(json.dumps({**(info or {}), "index": {"generation": generation, "problems": index_problems},
                               "check": {"ok": not problems, "problems": problems}}, indent=2))
    else:
        if info is not None:
            echo_status(info, archive.path)
        click.echo("index: " + ("damaged (below)" if index_problems else f"generation {generation}" if generation
                                else "none yet (run `dateline index`)"))
        click.echo("check: ok (quick_check)" if not problems else f"check: {len(problems)} problem(s) found")
    if problems:
        more = f" and {len(problems) - 1} more" if len(problems) > 1 else ""
        raise DatelineError(f"{archive.path} is damaged ({problems[0]}{more}): {REPAIR_ARCHIVE}",
                            code="damaged_archive", status=503)
    if index_problems:
        raise DatelineError(index_problems[0], code="bad_index", status=503)


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
