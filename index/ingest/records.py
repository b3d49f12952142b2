"""Record exports: JSONL (the interchange format), JSON arrays and CSV, one item per record.

Known fields: id, url, source, title, dateline, date, body (aliases text, content), plus
the stored fields an export writes (date_precision, year_inferred, dateline_text,
title_derived, origin, metadata). Any other field is kept in metadata.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from ..dates import parse_date, parse_dateline
from ..item import Item
from .common import Parsed

BODY_ALIASES = ("body", "text", "content")
UNDECODABLE = "bytes that are not valid UTF-8"
_KNOWN = {"id", "url", "source", "title", "dateline", "date", "content_hash", *BODY_ALIASES,
          "date_precision", "year_inferred", "dateline_text", "title_derived", "origin", "metadata"}


def parse(text: str, name: str, source: str | None = None) -> Parsed:
    """Read JSONL, a JSON array or CSV, chosen by the text's first character and the name."""
    parsed = Parsed()
    stripped = text.lstrip("\ufeff \t\r\n")
    if name.lower().endswith(".csv") and not stripped.startswith(("{", "[")):
        records = csv_records(io.StringIO(text, newline=""), name, parsed)
    elif stripped.startswith("["):
        records = _json_array_records(text, name, parsed)
    else:
        records = jsonl_records(io.StringIO(text, newline=None), name, parsed)
    for item, day, month in read_items(records, parsed):
        parsed.add(item, day, month)
    return parsed


def read_items(records: Iterable[tuple[str, dict]], parsed: Parsed):
    """(item, dateline day, dateline month) for each record; bad ones are rejected into ``parsed``."""
    for origin, record in records:
        try:
            yield record_to_item(record, origin)
        except ValueError as e:
            parsed.reject(origin, str(e))


def jsonl_records(lines: Iterable[str], name: str, parsed: Parsed):
    """(origin, record) for each JSON object line; broken lines are rejected into ``parsed``.

    Lines end at newlines only: a JSON string may hold U+2028 or a form feed, which
    ``str.splitlines`` would also break at.
    """
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if "\ufffd" in line:  # decoding replaced bytes that were not UTF-8 (an escaped \ufffd is fine)
            parsed.reject(f"{name}:{number}", UNDECODABLE)
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            parsed.reject(f"{name}:{number}", f"broken JSON ({e.msg} at column {e.colno})")
            continue
        if not isinstance(record, dict):
            parsed.reject(f"{name}:{number}", "a record must be a JSON object")
            continue
        yield f"{name}:{number}", record


def _json_array_records(text: str, name: str, parsed: Parsed):
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        parsed.reject(f"{name}:{e.lineno}", f"broken JSON ({e.msg} at column {e.colno}); nothing imported")
        return
    if not isinstance(data, list):
        parsed.reject(f"{name}:1", "a JSON file must hold an array of item objects")
        return
    for number, record in enumerate(data, 1):
        if not isinstance(record, dict):
            parsed.reject(f"{name}: record {number}", "a record must be a JSON object")
            continue
        yield f"{name}: record {number}", record


def csv_records(lines: Iterable[str], name: str, parsed: Parsed):
    """(origin, record) for each CSV row, keyed by the header; ``lines`` is a file opened with
    ``newline=""`` (or an equivalent ``io.StringIO``), so quoted newlines stay in their cell."""
    reader = csv.reader(lines)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        return
    if not any(h in header for h in ("title", *BODY_ALIASES)):
        parsed.reject(f"{name}:1", "CSV header needs a title or body (text, content) column")
        return
    for row in reader:
        origin = f"{name}:{reader.line_num}"
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            parsed.reject(origin, f"row has {len(row)} columns, the header has {len(header)}")
            continue
        if any("\ufffd" in cell for cell in row):
            parsed.reject(origin, UNDECODABLE)
            continue
        yield origin, dict(zip(header, row))


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def record_to_item(record: dict, origin: str) -> tuple[Item, int | None, int | None]:
    """Turn one record into an Item; a dateline day/month without a date is returned for
    year inference. Raise ValueError naming the field for a bad value."""
    body = ""
    for alias in BODY_ALIASES:
        if _text(record.get(alias)):
            body = str(record[alias])
            break
    metadata = record.get("metadata") if isinstance(record.get("metadata"), dict) else {}
    metadata = dict(metadata)
    metadata.update({k: v for k, v in record.items() if k not in _KNOWN})
    item = Item(
        id=_text(record.get("id")), url=_text(record.get("url")),
        source=_text(record.get("source")), title=_text(record.get("title")), body=body,
        origin=_text(record.get("origin")) or origin, metadata=metadata,
        title_derived=bool(record.get("title_derived", False)),
    )
    day = month = None
    dateline = _text(record.get("dateline"))
    item.dateline, item.dateline_text = dateline, _text(record.get("dateline_text"))
    if dateline and not item.dateline_text:
        # The field may hold a whole lead ("London, 30 Jun -") rather than a place.
        lead = parse_dateline(dateline if dateline[-1] in "-\u2013\u2014" else dateline + " -")
        if lead and (lead[0].day or lead[0].place != dateline):
            item.dateline, item.dateline_text = lead[0].place, dateline
            day, month = lead[0].day, lead[0].month
    if "dateline" not in record and body:
        # A body that opens with its own dateline ("Washington CNN —") names the place.
        lead = parse_dateline(body)
        if lead:
            item.dateline, item.dateline_text = lead[0].place, lead[0].text
            day, month = day or lead[0].day, month or lead[0].month

    raw_date = _text(record.get("date"))
    if raw_date:
        try:
            date = parse_date(raw_date)
        except ValueError as e:
            raise ValueError(f"field 'date': {e}") from None
        item.date = date.iso
        item.date_precision = _text(record.get("date_precision")) or date.precision
        if item.date_precision not in ("day", "month", "year"):
            raise ValueError(f"field 'date_precision': {item.date_precision!r} is not day, month or year")
        item.year_inferred = bool(record.get("year_inferred", False))
        day = month = None
    return item, day, month
