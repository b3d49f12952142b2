"""Record exports: JSONL (the interchange format), JSON arrays and CSV, one item per record.

Known fields: id, url, source, title, dateline, date, body (aliases text, content), plus
the stored fields an export writes (date_precision, year_inferred, dateline_text,
title_derived, origin, metadata). Any other field is kept in metadata.
"""
from __future__ import annotations

import collections
import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from typing import TextIO

from ..dates import parse_date, parse_dateline
from ..item import Item
from .common import Parsed, dateline_date
from .limits import MAX_NESTING, MAX_RECORD_CHARS

# Other exports' names for a field, read when the field's own name gives nothing: "headline" for
# the title, the first of "published" ... that reads as a date for the date (a "published": true
# flag stays in metadata, as do the names not read).
BODY_ALIASES = ("body", "text", "content")
TITLE_ALIASES = ("title", "headline")
DATE_ALIASES = ("date", "published", "publish_date", "published_at", "pubdate")
UNDECODABLE = "bytes that are not valid UTF-8"
_KNOWN = {"id", "url", "source", "title", "dateline", "date", "content_hash", *BODY_ALIASES,
          "date_precision", "year_inferred", "dateline_text", "title_derived", "origin", "metadata"}
TOO_LONG = f"record is longer than {MAX_RECORD_CHARS:,} characters (the limit for one record)"
TOO_DEEP = f"nested more than {MAX_NESTING} levels deep (the limit for one record)"


def parse(text: str, name: str, source: str | None = None, fmt: str | None = None) -> Parsed:
    """Read JSONL, a JSON array or CSV: ``fmt`` ("jsonl", "json", "csv") when given (``--format``),
    else chosen by the text's first character and the name."""
    parsed = Parsed()
    stripped = text.lstrip("\ufeff \t\r\n")
    if fmt:
        csv_file, array = fmt == "csv", fmt == "json"
    else:
        csv_file = name.lower().endswith(".csv") and not stripped.startswith(("{", "["))
        array = stripped.startswith("[")
    if csv_file:
        records = csv_records(io.StringIO(text, newline=""), name, parsed)
    elif array and not stripped.startswith("["):  # --format json on another shape
        parsed.reject(f"{name}:1", f"not a JSON array (it starts with {stripped[:1]!r}); --format jsonl reads "
                                   "one JSON object a line, --format csv a header and rows")
        return parsed
    elif array:
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


class _CappedLines:
    """A text file's lines, none held longer than MAX_RECORD_CHARS: an over-long line is read
    past and comes out empty, its number kept in ``cut``, so one endless line costs no memory."""

    def __init__(self, f: TextIO):
        self.f, self.number, self.cut = f, 0, set()

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self.f.readline(MAX_RECORD_CHARS + 1)
        if not line:
            raise StopIteration
        self.number += 1
        if len(line) > MAX_RECORD_CHARS and not line.endswith(("\n", "\r")):
            self.cut.add(self.number)
            while (rest := self.f.readline(1 << 20)) and not rest.endswith(("\n", "\r")):
                pass
            return "\n"
        return line


def _nested_too_deep(value: object) -> bool:
    """Whether ``value`` nests arrays and objects more than MAX_NESTING deep (walked without
    recursion: storing or exporting such a record would recurse past Python's limit)."""
    stack = [(value, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_NESTING:
            return True
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _record_problem(record: object) -> str | None:
    """Why one decoded JSON value cannot be a record, or None."""
    if not isinstance(record, dict):
        return "a record must be a JSON object"
    if _nested_too_deep(record):
        return TOO_DEEP
    return None


def jsonl_records(f: TextIO, name: str, parsed: Parsed):
    """(origin, record) for each JSON object line of ``f``; broken lines are rejected into ``parsed``.

    Lines end at newlines only: a JSON string may hold U+2028 or a form feed, which
    ``str.splitlines`` would also break at.
    """
    lines = _CappedLines(f)
    for line in lines:
        origin = f"{name}:{lines.number}"
        if lines.number in lines.cut:
            parsed.reject(origin, TOO_LONG)
            continue
        if not line.strip():
            continue
        if "\ufffd" in line:  # decoding replaced bytes that were not UTF-8 (an escaped \ufffd is fine)
            parsed.reject(origin, UNDECODABLE)
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            parsed.reject(origin, f"broken JSON ({e.msg} at column {e.colno})")
            continue
        except RecursionError:  # json gives up at about a thousand levels
            parsed.reject(origin, TOO_DEEP)
            continue
        problem = _record_problem(record)
        if problem:
            parsed.reject(origin, problem)
            continue
        yield origin, record


_JSON_SPACE = re.compile(r"[ \t\n\r]*")
# A JSON string (the closing quote optional, so that a broken one still ends) or a bracket.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[][{}]', re.DOTALL)


def _container_end(text: str, pos: int) -> int:
    """Where the JSON array or object opening at ``pos`` ends, found without recursion."""
    depth = 0
    for m in _JSON_TOKEN.finditer(text, pos):
        token = m.group()[0]
        if token in "[{":
            depth += 1
        elif token in "]}":
            depth -= 1
            if depth == 0:
                return m.end()
    return len(text)


def _json_array_records(text: str, name: str, parsed: Parsed):
    """(origin, record) for each element of a JSON array, decoded one at a time so that one
    element too long or too deep is rejected alone; broken JSON rejects the whole file."""
    decoder = json.JSONDecoder()
    elements: list[tuple[int, dict | None, str]] = []  # (line, record, problem): each element in order
    line, counted_to = 1, 0
    pos = len(text) - len(text.lstrip("\ufeff \t\r\n")) + 1  # past the "["
    try:
        pos = _JSON_SPACE.match(text, pos).end()
        closed = text.startswith("]", pos)  # an empty array
        while not closed:
            line += text.count("\n", counted_to, pos)
            counted_to = pos
            record = None
            try:
                record, end = decoder.raw_decode(text, pos)
                problem = TOO_LONG if end - pos > MAX_RECORD_CHARS else _record_problem(record)
            except RecursionError:  # json gives up at about a thousand levels
                end, problem = _container_end(text, pos), TOO_DEEP
            elements.append((line, record, problem))
            pos = _JSON_SPACE.match(text, end).end()
            if text.startswith(",", pos):
                pos = _JSON_SPACE.match(text, pos + 1).end()
            elif text.startswith("]", pos):
                closed = True
            else:
                raise json.JSONDecodeError("Expecting ',' delimiter", text, pos)
        end = _JSON_SPACE.match(text, pos + 1).end()
        if end != len(text):
            raise json.JSONDecodeError("Extra data", text, end)
    except json.JSONDecodeError as e:
        parsed.reject(f"{name}:{e.lineno}", f"broken JSON ({e.msg} at column {e.colno}); nothing imported")
        return
    # An element is named by its line, and by its number where others share the line (an
    # array on one line): "items.json:1, element 3".
    shared = collections.Counter(line for line, _, _ in elements)
    origins = [f"{name}:{line}" + (f", element {n}" if shared[line] > 1 else "")
               for n, (line, _, _) in enumerate(elements, 1)]
    for origin, (_, _, problem) in zip(origins, elements):
        if problem:
            parsed.reject(origin, problem)
    yield from ((origin, record) for origin, (_, record, problem) in zip(origins, elements) if not problem)


def csv_records(lines: TextIO, name: str, parsed: Parsed):
    """(origin, record) for each CSV row, keyed by the header; ``lines`` is a file opened with
    ``newline=""`` (or an equivalent ``io.StringIO``), so quoted newlines stay in their cell."""
    # csv's own limit (128 KB a field) would stop the whole file at one long cell.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_RECORD_CHARS))
    capped = _CappedLines(lines)
    # strict: a quote left open to the end of the file is an error, not one cell holding every
    # line after it (the rows it swallowed would be lost without a word)
    reader = csv.reader(capped, strict=True)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        return
    except csv.Error as e:
        parsed.reject(f"{name}:1", _csv_problem(e))
        return
    if capped.cut:
        parsed.reject(f"{name}:1", TOO_LONG)
        return
    if not any(h in header for h in (*TITLE_ALIASES, *BODY_ALIASES)):
        parsed.reject(f"{name}:1", "CSV header needs a title (headline) or body (text, content) column")
        return
    while True:
        first_line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:  # the reader goes on at the next line
            parsed.reject(f"{name}:{first_line}", _csv_problem(e))
            continue
        origin = f"{name}:{reader.line_num}"
        if capped.cut and any(n in capped.cut for n in range(first_line, reader.line_num + 1)):
            parsed.reject(f"{name}:{first_line}", TOO_LONG)
            continue
        if not any(cell.strip() for cell in row):
            continue
        if sum(map(len, row)) > MAX_RECORD_CHARS:
            parsed.reject(f"{name}:{first_line}", TOO_LONG)
            continue
        if len(row) != len(header):
            problem = f"row has {len(row)} columns, the header has {len(header)}"
            spread = [cell for cell in row if "\n" in cell]
            if spread:  # a quote left open runs its cell on to the next quote, lines later
                problem += (f"; a quoted cell runs from line {first_line} to line {reader.line_num} "
                            f"(a quote left open?): {_start(spread[0])!r}")
                origin = f"{name}:{first_line}"
            parsed.reject(origin, problem)
            continue
        if any("\ufffd" in cell for cell in row):
            parsed.reject(origin, UNDECODABLE)
            continue
        yield origin, dict(zip(header, row))


def _start(cell: str, chars: int = 40) -> str:
    """The start of a cell, on one line, to show where it went wrong."""
    first = " ".join(cell.split())
    return first if len(first) <= chars else first[:chars] + "..."


def _csv_problem(error: csv.Error) -> str:
    """Why the csv reader stopped at a row, as the user can act on it."""
    if "field limit" in str(error):
        return f"{TOO_LONG}; a quote left open makes the lines after it one cell"
    if "unexpected end of data" in str(error):
        return ("a quote opened in this row is never closed, so every line after it was read into one cell; "
                "nothing after it was imported")
    if "expected after" in str(error):
        return f"broken CSV ({error}): a quoted cell goes on after its closing quote; write a quote inside one as \"\""
    return f"broken CSV ({error})"


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _first(record: dict, aliases: tuple[str, ...]) -> str:
    """The first of a field's names that the record gives a value (the field's own name when none)."""
    return next((name for name in aliases if _text(record.get(name))), aliases[0])


def _dated_by(item: Item, lead, field_name: str, shown: str) -> tuple[int | None, int | None]:
    """dateline_date, with an impossible date reported as the field's (``shown``: its words)."""
    try:
        return dateline_date(item, lead)
    except ValueError as e:
        raise ValueError(f"field {field_name!r}: dateline {shown!r}: {e}") from None


def record_to_item(record: dict, origin: str) -> tuple[Item, int | None, int | None]:
    """Turn one record into an Item; a dateline day/month without a date is returned for
    year inference. Raise ValueError naming the field for a bad value."""
    body = str(record.get(_first(record, BODY_ALIASES)) or "")
    title_field = "title" if _text(record.get("title")) else _alias(record, TITLE_ALIASES[1:], str)
    date_field = "date" if _text(record.get("date")) else _alias(record, DATE_ALIASES[1:], _a_date)
    metadata = record.get("metadata") if isinstance(record.get("metadata"), dict) else {}
    metadata = dict(metadata)
    # Another export's field that is not read (a second title, a "published" flag) is kept.
    metadata.update({k: v for k, v in record.items() if k not in _KNOWN and k not in (title_field, date_field)})
    item = Item(
        id=_text(record.get("id")), url=_text(record.get("url")),
        source=_text(record.get("source")), title=_text(record.get(title_field)), body=body,
        origin=_text(record.get("origin")) or origin, metadata=metadata,
        title_derived=bool(record.get("title_derived", False)),
    )
    raw_date = _text(record.get(date_field)) if date_field else ""
    day = month = None
    dateline = _text(record.get("dateline"))
    item.dateline, item.dateline_text = dateline, _text(record.get("dateline_text"))
    if dateline and not item.dateline_text:
        # The field may hold a whole lead ("London, 30 Jun -") rather than a place.
        lead = parse_dateline(dateline if dateline[-1] in "-\u2013\u2014" else dateline + " -")
        if lead and (lead[0].day or lead[0].place != dateline):
            item.dateline, item.dateline_text = lead[0].place, dateline
            day, month = (None, None) if raw_date else _dated_by(item, lead[0], "dateline", dateline)
    if "dateline" not in record and body:
        # A body that opens with its own dateline ("Washington CNN —") names the place.
        lead = parse_dateline(body)
        if lead:
            item.dateline, item.dateline_text = lead[0].place, lead[0].text
            lead_day, lead_month = (None, None) if raw_date else _dated_by(item, lead[0], "body", lead[0].text)
            day, month = day or lead_day, month or lead_month

    if raw_date:  # the record's own date wins over its dateline's
        try:
            date = parse_date(raw_date)
        except ValueError as e:
            raise ValueError(f"field {date_field!r}: {e}") from None
        item.date = date.iso
        item.date_precision = _text(record.get("date_precision")) or date.precision
        if item.date_precision not in ("day", "month", "year"):
            raise ValueError(f"field 'date_precision': {item.date_precision!r} is not day, month or year")
        item.year_inferred = bool(record.get("year_inferred", False))
    return item, day, month


def _alias(record: dict, aliases: tuple[str, ...], usable) -> str | None:
    """The first of another export's names for a field whose value is a string ``usable`` takes."""
    return next((name for name in aliases
                 if isinstance(record.get(name), str) and record[name].strip() and usable(record[name])), None)


def _a_date(value: str) -> bool:
    try:
        parse_date(value)
    except ValueError:
        return False
    return True
