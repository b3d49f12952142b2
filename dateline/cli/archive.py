"""Archive commands: `dateline import`, `export`, `status` and `remove`."""
from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import click

from dateline.index.disk import REPAIR_ARCHIVE, explained
from dateline.index.errors import DatelineError
from dateline.index.ingest import FORMATS
from dateline.index.store import Archive

from .common import data_option, echo_status, echo_waiting, user_errors


def _files_in(path: Path) -> list[Path]:
    if not path.exists():
        raise DatelineError(f"{path}: no such file or directory")
    from dateline.index.watch.folders import files_under

    return sorted(files_under(path))  # a folder's importable files, hidden files and folders left out


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
    from dateline.index import jobs
    from dateline.index.importing import import_files
    from dateline.index.tasks import ImportProgress

    files: list[tuple[Path, bool]] = []  # (file, came from a directory: skipped when bad)
    for path in paths:
        found = _files_in(path)
        if path.is_dir() and not found:
            raise DatelineError(f"{path}: the directory holds no files to import "
                                "(.txt, .jsonl, .json, .csv, .sgm, .html, .rss, .xml)")
        files += [(f, path.is_dir()) for f in found]

    try:
        archive = Archive.open(data_dir)
    except DatelineError as e:  # a full disk, a read-only folder, a damaged archive
        raise DatelineError(f"{e.message}; nothing was imported", code=e.code, status=e.status,
                            detail=e.detail) from None
    bars = _ImportBars(len(files))
    try:
        with jobs.run(data_dir, "import", origin="cli", on_wait=echo_waiting) as job:
            recorded = ImportProgress(job)

            def on_file(file, outcome):
                bars.done_with(file)
                _echo_outcome(outcome, verbose)
                recorded.on_file(file, outcome)

            def on_progress(done, total, file, items):
                bars.show(done, file, items)
                recorded.on_progress(done, total, file, items)

            summary = import_files(archive, files, fmt=fmt, source=source, year=year,
                                   on_file=on_file, on_progress=on_progress)
            bars.close()
            job.result = summary.to_dict()
            if not summary.imported:
                raise DatelineError(f"no news items found in {', '.join(map(str, paths))}")
    finally:
        bars.close()
    if summary.imported > 1:
        click.echo("total: " + ", ".join(f"{v} {k}" for k, v in summary.totals.items() if v or k != "undated"))


def _echo_outcome(outcome, verbose: bool) -> None:
    """Print what one file's import did, or why it was skipped."""
    from dateline.index.importing import SkippedFile

    if isinstance(outcome, SkippedFile):
        click.echo(f"skipped {outcome.message}", err=True)
        return
    click.echo(outcome.summary())
    for rejection in outcome.rejections[: None if verbose else 10]:
        click.echo(f"  rejected {rejection}")
    if not verbose and outcome.rejected > 10:
        click.echo(f"  ... and {outcome.rejected - 10} more (--verbose lists them all)")
    if outcome.undated:
        click.echo(f"  {outcome.undated} item{'s' if outcome.undated > 1 else ''} without a date, which a date "
                   "filter leaves out")


class _ImportBars:
    """tqdm bars on stderr (hidden when it is not a terminal): files, and a streamed file's items."""

    def __init__(self, files: int):
        from tqdm import tqdm

        self._tqdm = tqdm
        self.files = tqdm(total=files, unit="file", disable=None, file=sys.stderr, leave=False)
        self.items = None

    def show(self, done: int, file: Path, items: int | None) -> None:
        """Name the file being imported; count a streamed file's items as they go in."""
        if items is None:
            self.files.set_description(file.name)
        elif self.items is None:
            self.items = self._tqdm(unit=" items", disable=None, file=sys.stderr, leave=False, position=1,
                                    desc=file.name)
        if self.items is not None and items:
            self.items.update(items - self.items.n)

    def done_with(self, file: Path) -> None:
        if self.items is not None:
            self.items.close()
            self.items = None
        self.files.update(1)

    def close(self) -> None:
        if self.items is not None:
            self.items.close()
            self.items = None
        self.files.close()


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
    removed = archive.remove(list(ids), source)
    click.echo(f"removed {removed.items} item{'' if removed.items == 1 else 's'}"
               + (f" ({removed.by_source} of {', '.join(removed.sources)})" if removed.by_source else ""))
    if removed.missing_ids:
        click.echo(f"no item has the id{'s' if len(removed.missing_ids) > 1 else ''} {', '.join(removed.missing_ids)} "
                   "(`dateline export` lists the ids)", err=True)
    if source and not removed.by_source:
        sources = ", ".join(archive.reader().sources()[:10])
        click.echo(f"no item has the source {source!r} (sources: {sources or 'none'})", err=True)
    if not removed.items:
        raise SystemExit(1)
