"""Import formats: detect a file's format and parse it into Items.

Each format has a module with ``parse(text, name, source) -> Parsed``; this package decides
which one a file needs, reads and decodes it, and applies year inference and identities.
"""
from __future__ import annotations

import logging
from pathlib import Path

from ..errors import DatelineError
from .common import Parsed, finish

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
    return _BY_SUFFIX.get(path.suffix.lower(), "text")


def is_importable(path: Path) -> bool:
    """Whether a file found in a directory looks like an import (by its extension)."""
    return path.suffix.lower() in _BY_SUFFIX


def read_text(path: Path, fmt: str | None) -> str:
    """Read a file as text: UTF-8, except Reuters SGML which is latin-1.

    Raise DatelineError for an empty or binary file; undecodable bytes in UTF-8 files
    become U+FFFD and the lines holding them are reported by the parser where it matters.
    """
    data = path.read_bytes()
    if not data.strip():
        raise DatelineError(f"{path}: the file is empty")
    if b"\x00" in data[:8192]:
        raise DatelineError(f"{path}: this is a binary file, not a news export")
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
    parsed = _module(fmt).parse(text, str(path), source)
    if fmt != "reuters" and "\ufffd" in text:
        _reject_undecodable(parsed)
    if not parsed.items and not parsed.rejections:
        raise DatelineError(
            f"{path}: no news items found (read as {fmt}); use --format to choose another format")
    return fmt, finish(parsed, source, year)


def _reject_undecodable(parsed: Parsed) -> None:
    """Skip the records whose bytes were not UTF-8 (decoding left U+FFFD in them)."""
    for item in list(parsed.items):
        if "\ufffd" in item.body or "\ufffd" in item.title:
            parsed.items.remove(item)
            parsed.reject(item.origin, "bytes that are not valid UTF-8")
    parsed.pending = [p for p in parsed.pending if p.item in parsed.items]


def _module(fmt: str):
    from . import records, reuters, text, web

    return {
        "text": text, "jsonl": records, "json": records, "csv": records, "reuters": reuters,
        "html": web, "rss": web,
    }[fmt]
