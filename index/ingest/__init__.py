"""Import formats: detect a file's format and parse it into Items.

Each format has a module with ``parse(text, name, source) -> Parsed``; this package decides
which one a file needs, reads and decodes it, and applies year inference and identities.
"""
from __future__ import annotations

import codecs
import functools
import logging
import re
from collections.abc import Iterator
from pathlib import Path

from ..errors import DatelineError
from ..item import Item
from ..store import Rejection
from .common import Parsed, Pending, finish, finish_item, full_date, resolve_years
from .limits import MAX_FILE_BYTES, megabytes
from .records import UNDECODABLE

log = logging.getLogger(__name__)

FORMATS = ("text", "jsonl", "json", "csv", "reuters", "html", "rss")
_BY_SUFFIX = {
    ".txt": "text", ".text": "text", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json",
    ".csv": "csv", ".sgm": "reuters", ".sgml": "reuters", ".html": "html", ".htm": "html",
    ".rss": "rss", ".atom": "rss", ".xml": "rss",
}


def detect_format(path: Path, text: str) -> str:
    """Pick a format from the file's content, falling back to its extension."""
    head = text.lstrip("\ufeff \t\r\n")[:2000]
    lower = head.lower()
    if lower.startswith(("<!doctype lewis", "<reuters")):
        return "reuters"
    if "<rss" in lower or "<feed" in lower or "<rdf:rdf" in lower:
        return "rss"
    if lower.startswith("<!doctype html") or "<html" in lower:
        return "html"
    if head.startswith("["):
        return "json"
    if head.startswith("{"):
        return "jsonl"
    by_suffix = _BY_SUFFIX.get(path.suffix.lower())
    if by_suffix is None and _is_csv_header(head.partition("\n")[0]):
        return "csv"  # an export saved without its extension
    return by_suffix or "text"


def _is_csv_header(line: str) -> bool:
    """Whether ``line`` reads as the header of a CSV export: comma-separated names, each one word
    ("publish_date", not "images and video"), one of them a title or body column."""
    from .records import BODY_ALIASES, TITLE_ALIASES

    names = [name.strip().strip('"').lower() for name in line.split(",")]
    return (len(names) > 1 and all(_COLUMN_NAME.fullmatch(name) for name in names)
            and any(name in (*TITLE_ALIASES, *BODY_ALIASES) for name in names))


_COLUMN_NAME = re.compile(r"[a-z_][\w.-]{0,39}")


def is_importable(path: Path) -> bool:
    """Whether a file found in a directory looks like an import (by its extension)."""
    return path.suffix.lower() in _BY_SUFFIX


STREAMED = ("jsonl", "csv")  # line-oriented exports: read a record at a time, never whole
_HEAD_BYTES = 1 << 16


def read_head(path: Path) -> str:
    """The start of a file as text, refusing an empty or binary file as ``read_text`` does."""
    with open(path, "rb") as f:
        data = f.read(_HEAD_BYTES)
    _refuse_empty_or_binary(path, data, whole=path.stat().st_size <= _HEAD_BYTES)
    return data.decode("utf-8-sig", errors="replace")


def _refuse_empty_or_binary(path: Path, data: bytes, whole: bool) -> None:
    """Raise DatelineError for a file that is empty (``data`` is all of it) or binary."""
    if whole and not data.strip():
        raise DatelineError(f"{path}: the file is empty")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise DatelineError(f"{path}: the file is UTF-16 text; save it as UTF-8 to import it")
    if b"\x00" in data[:8192]:
        raise DatelineError(f"{path}: this is a binary file, not a news export")


def stream_file(path: Path, fmt: str | None = None, source: str | None = None,
                year: int | None = None) -> tuple[str, Iterator[Item], list[Rejection]] | None:
    """Open a JSONL or CSV export to be read as it is imported: (format, items, rejections).

    The items come finished (ids, hashes, years) one at a time and in file order, so a file of
    millions of records takes no more memory than one; ``rejections`` fills as they are read.
    A file with records whose year must be inferred from its latest full date is read once more
    first, to find that date. Returns None for the other formats: ``parse_file`` reads those whole.
    """
    head = read_head(path)  # also refuses an empty or binary file before any transaction
    fmt = fmt or detect_format(path, head)
    shape = head.lstrip("\ufeff \t\r\n")[:1]
    if fmt not in STREAMED or (fmt == "jsonl") != (shape == "{") or shape == "[":
        return None  # not line-oriented records after all (a JSON array named .jsonl, say)
    parsed = Parsed()

    def items() -> Iterator[Item]:
        latest, latest_read = None, False  # the file's latest full date, read when first needed
        found = 0
        for item, day, month in _accepted(path, fmt, parsed):
            if item.date is None and day and month:
                # Its year comes from the file's latest full date, which may lie further on: one
                # pass over the whole file finds it, only for files that need it. Records stay in
                # file order, so the first of two with one identity is still the one kept.
                if not latest_read and year is None:
                    latest, latest_read = _latest_full_date(path, fmt), True
                one = Parsed(items=[item], pending=[Pending(item, day, month)])
                resolve_years(one, year, latest)
                parsed.rejections += one.rejections
                if not one.items:
                    continue  # an impossible date
            found += 1
            yield finish_item(item, source)
        if not found and not parsed.rejections:
            raise DatelineError(
                f"{path}: no news items found (read as {fmt}); use --format to choose another format")

    return fmt, items(), parsed.rejections


def _accepted(path: Path, fmt: str, parsed: Parsed) -> Iterator[tuple[Item, int | None, int | None]]:
    """(item, dateline day, month) for each record of a JSONL or CSV file that makes an item,
    in file order; the others are rejected into ``parsed``."""
    from .records import csv_records, jsonl_records, read_items

    with open(path, encoding="utf-8-sig", errors="replace", newline="" if fmt == "csv" else None) as f:
        records = csv_records(f, str(path), parsed) if fmt == "csv" else jsonl_records(f, str(path), parsed)
        for item, day, month in read_items(records, parsed):
            parsed.add(item, day, month)
            if parsed.items:  # not rejected (neither title nor body)
                parsed.items.clear()
                parsed.pending.clear()
                yield item, day, month


def _latest_full_date(path: Path, fmt: str):
    """The latest whole-day date that a record of the file gives (what year inference needs)."""
    dates = (full_date(item) for item, _, _ in _accepted(path, fmt, Parsed()))
    return max((d for d in dates if d), default=None)


def read_text(path: Path, fmt: str | None) -> str:
    """Read a file as text: UTF-8, except Reuters SGML which is latin-1.

    Raise DatelineError for an empty or binary file, or one too big to read whole; undecodable
    bytes in UTF-8 files become U+FFFD and the lines holding them are reported by the parser
    where it matters.
    """
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise DatelineError(
            f"{path}: the file is {megabytes(size)}, over the limit of {megabytes(MAX_FILE_BYTES)} for "
            "a file read whole; JSONL and CSV exports are read a record at a time and have no such limit")
    data = path.read_bytes()
    _refuse_empty_or_binary(path, data, whole=True)
    if fmt == "reuters" or (fmt is None and path.suffix.lower() in (".sgm", ".sgml")):
        return data.decode("latin-1")
    return data.decode("utf-8-sig", errors="replace")


def parse_file(path: Path, fmt: str | None = None, source: str | None = None,
               year: int | None = None) -> tuple[str, Parsed]:
    """Parse one file into finished Items (ids, hashes, years); return (format, Parsed)."""
    text = read_text(path, fmt)
    fmt = fmt or detect_format(path, text)
    if fmt not in FORMATS:
        raise DatelineError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    parsed = _parser(fmt)(text, str(path), source)
    if fmt != "reuters" and "\ufffd" in text:
        _reject_undecodable(parsed)
    if not parsed.items and not parsed.rejections:
        if "\ufffd" in text:  # a dateline's "München" in Latin-1 is no dateline once undecoded
            line = text.count("\n", 0, text.index("\ufffd")) + 1
            raise DatelineError(f"{path}: no news items found (read as {fmt}); line {line} holds bytes that are "
                                "not UTF-8: save the file as UTF-8")
        raise DatelineError(
            f"{path}: no news items found (read as {fmt}); use --format to choose another format")
    return fmt, finish(parsed, source, year)


def _reject_undecodable(parsed: Parsed) -> None:
    """Skip the records whose bytes were not UTF-8 (decoding left U+FFFD in them)."""
    for item in list(parsed.items):
        if "\ufffd" in item.body or "\ufffd" in item.title:
            parsed.items.remove(item)
            parsed.reject(item.origin, UNDECODABLE)
    parsed.pending = [p for p in parsed.pending if p.item in parsed.items]


def _parser(fmt: str):
    """The ``parse(text, name, source)`` of a format; a module that reads several is told which
    (the one detected, or the one --format chose even where the content says otherwise)."""
    from . import records, reuters, text, web

    if fmt in ("jsonl", "json", "csv"):
        return functools.partial(records.parse, fmt=fmt)
    if fmt in ("html", "rss"):
        return functools.partial(web.parse, fmt=fmt)
    return {"text": text.parse, "reuters": reuters.parse}[fmt]
