"""Import a list of files into the archive, one transaction each: what `dateline import`, an
upload and `dateline watch` all run.

A bad file that came from a directory (or an upload, or a watched folder) is skipped and listed;
a bad file named on its own, or a full disk, stops the import. Files imported before the stop
stay imported: each is whole or absent.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DatelineError
from .ingest import parse_file, stream_file
from .item import Item
from .store import Archive, ImportReport, Rejection

COUNTS = ("added", "updated", "unchanged", "rejected", "undated")
# Rejections a summary lists (a job's result, a page): enough to see what is wrong with a file;
# each file's count stays whole, and the import log keeps up to 1000 a file.
LISTED_REJECTIONS = 1000


@dataclass
class SkippedFile:
    """A file that was not imported, with the message that says why (it names the file)."""

    path: Path
    message: str

    @property
    def reason(self) -> str:
        """The message without the file's name in front of it."""
        return self.message.removeprefix(f"{self.path}: ")


@dataclass
class ImportSummary:
    """What an import of several files did: each file's report, the files skipped, and totals."""

    reports: list[ImportReport] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)

    @property
    def imported(self) -> int:
        """How many files were imported (each in its own transaction)."""
        return len(self.reports)

    @property
    def totals(self) -> dict[str, int]:
        """Items added, updated, unchanged, rejected and left undated over every imported file."""
        return {key: sum(getattr(r, key) for r in self.reports) for key in COUNTS}

    @property
    def changed(self) -> bool:
        """Whether any item was added or updated, i.e. whether the index has something to catch up on."""
        totals = self.totals
        return bool(totals["added"] or totals["updated"])

    def to_dict(self, *, max_rejections: int = LISTED_REJECTIONS) -> dict:
        """The summary as JSON-ready data: per file its counts and rejections (file, line, reason).

        At most ``max_rejections`` rejections are listed in all, the first files' first;
        ``rejected`` always counts them all.
        """
        files = []
        budget = max_rejections
        for r in self.reports:
            listed = [rejection_dict(x) for x in r.rejections[:budget]]
            budget -= len(listed)
            files.append({"file": r.path, "format": r.format, **{k: getattr(r, k) for k in COUNTS},
                          "rejections": listed})
        return {
            "files": files,
            "skipped": [{"file": str(s.path), "reason": s.reason} for s in self.skipped],
            "totals": self.totals,
        }


def rejection_dict(rejection: Rejection) -> dict:
    """A rejection as ``{"file", "line", "reason"}``; line is None when its origin names none."""
    m = _AT_LINE.match(rejection.origin)
    if m:
        element = m.group("element")
        return {"file": m.group("file"), "line": int(m.group("line")),
                "reason": f"{element}: {rejection.reason}" if element else rejection.reason}
    return {"file": rejection.origin, "line": None, "reason": rejection.reason}


# "file:12", or "file:1, element 3" for one of several JSON array elements on one line
_AT_LINE = re.compile(r"(?P<file>.*):(?P<line>\d+)(?:, (?P<element>element \d+))?$", re.S)


# Called before each file and, for a file read as it is imported (JSONL, CSV), after each
# item: (files done, files in all, the file, items read from it so far or None).
ProgressHook = Callable[[int, int, Path, "int | None"], None]
# Called after each file: its report, or why it was skipped.
FileHook = Callable[[Path, "ImportReport | SkippedFile"], None]


def import_files(archive: Archive, files: list[tuple[Path, bool]], *, fmt: str | None = None,
                 source: str | None = None, year: int | None = None, on_file: FileHook | None = None,
                 on_progress: ProgressHook | None = None) -> ImportSummary:
    """Import ``files`` into ``archive``, each file in one transaction; return what was done.

    ``files`` are ``(path, skippable)`` pairs: a skippable file (found in a directory, uploaded,
    watched) that is not news is skipped and listed in the summary; any other bad file raises
    its DatelineError, and so does a full disk or a read-only archive for every file (status
    503). ``fmt``, ``source`` and ``year`` are `dateline import`'s options. ``on_file`` hears of
    each file once it is imported or skipped (outside its transaction); ``on_progress`` before
    each file and after each item of a streamed one (inside it: it must not write the archive).

    >>> summary = import_files(archive, [(Path("feeds/iran.txt"), False)], source="Iran Focus")
    >>> summary.totals
    {'added': 34, 'updated': 0, 'unchanged': 0, 'rejected': 0}
    """
    summary = ImportSummary()
    total = len(files)
    for done, (file, skippable) in enumerate(files):
        if on_progress is not None:
            on_progress(done, total, file, None)
        try:
            report = _import_one(archive, file, fmt, source, year,
                                 None if on_progress is None else lambda n, f=file, d=done: on_progress(d, total, f, n))
        except DatelineError as e:
            if skippable and e.status < 500:  # a bad file is skipped; a full disk stops the import
                skipped = SkippedFile(file, e.message)
                summary.skipped.append(skipped)
                if on_file is not None:
                    on_file(file, skipped)
                continue
            raise
        summary.reports.append(report)
        if on_file is not None:
            on_file(file, report)
    return summary


def _import_one(archive: Archive, file: Path, fmt: str | None, source: str | None, year: int | None,
                counted: Callable[[int], None] | None) -> ImportReport:
    """Import one file in one transaction; ``counted`` hears how many items of a streamed file were read."""
    # JSONL and CSV are read as they are written; other formats are parsed whole first.
    streamed = stream_file(file, fmt, source, year)
    if streamed is None:
        found_fmt, parsed = parse_file(file, fmt, source, year)
        return archive.import_items(str(file), found_fmt, parsed.items, parsed.rejections)
    found_fmt, items, rejections = streamed
    if counted is not None:
        items = _counting(items, counted)
    return archive.import_items(str(file), found_fmt, items, rejections)


def _counting(items: Iterable[Item], counted: Callable[[int], None]) -> Iterator[Item]:
    """Yield ``items``, telling ``counted`` how many have been read after each."""
    for n, item in enumerate(items, 1):
        yield item
        counted(n)
