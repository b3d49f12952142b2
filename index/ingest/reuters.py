"""Reuters-21578 SGML: <REUTERS> records with DATE, TITLE, DATELINE and BODY.

Files are latin-1 (read_text decodes them so); bodies carry SGML entities and control
characters (&#2; &#3; &#31;), are hard-wrapped at ~70 columns with paragraphs indented by
spaces, and end with a "Reuter" sign-off.
"""
from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator

from ..dates import ItemDate, day_month, parse_date, parse_dateline, tidy_place
from ..item import Item
from .common import Parsed
from .limits import MAX_RECORD_CHARS

_OPENING = re.compile(r"<REUTERS\b")
_OPENING_TAG = re.compile(r"<REUTERS(?P<attrs>[^<>]*)>")
_CLOSING = "</REUTERS>"
_TAG = re.compile(r"<(/?)([A-Za-z]+)\b[^<>]*>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LIST_FIELDS = ("TOPICS", "PLACES", "PEOPLE", "ORGS", "EXCHANGES", "COMPANIES")


def _element(inner: str, tag: str) -> str | None:
    m = re.search(rf"<{tag}>(.*?)</{tag}>", inner, re.DOTALL)
    return m.group(1) if m else None


def _clean(raw: str) -> str:
    """Decode entities and drop control characters."""
    return _CONTROL.sub("", html.unescape(raw))


def _unwrap(body: str) -> str:
    """Join hard-wrapped lines; an indented line starts a new paragraph. Drop the sign-off."""
    body = re.sub(r"\s*\bReuter\s*$", "", body.rstrip())
    paragraphs = re.split(r"\n[ \t]+(?=\S)", body.strip())
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


def _markup_problem(record: str) -> str | None:
    """What is wrong with the tags of one record (``<REUTERS ...>`` up to its closing tag), or None.

    Reuters SGML writes a '<' in text as ``&lt;``, so every '<' must start a tag and every tag
    but the outer one must be closed, in order; otherwise markup would leak into the text.
    """
    open_tags: list[tuple[str, int]] = []
    tags = 0
    for m in _TAG.finditer(record):
        tags += 1
        closing, tag = m.group(1), m.group(2)
        if not closing:
            open_tags.append((tag, m.start()))
        elif open_tags and open_tags[-1][0] == tag:
            open_tags.pop()
        elif any(t == tag for t, _ in open_tags):  # closes an outer tag: the inner one was left open
            inner, at = open_tags[-1]
            return f"<{inner}> {_line_of(record, at)} is never closed: the markup is broken"
        else:
            return f"</{tag}> {_line_of(record, m.start())} closes no open tag: the markup is broken"
    if tags != record.count("<"):
        at = next(i for i in (m.start() for m in re.finditer("<", record)) if not _TAG.match(record, i))
        return f"a '<' that starts no tag {_line_of(record, at)}: the markup is broken"
    if len(open_tags) > 1:
        tag, at = open_tags[-1]
        return f"<{tag}> {_line_of(record, at)} is never closed: the markup is broken"
    return None


def _line_of(record: str, pos: int) -> str:
    """Where ``pos`` lies, relative to the record's first line ("on the record's line 3")."""
    return f"on the record's line {record.count(chr(10), 0, pos) + 1}"


def _records(text: str, name: str, parsed: Parsed) -> Iterator[tuple[int, dict, str]]:
    """(line, attributes, inner text) for each <REUTERS> record; a damaged or over-long one is
    rejected into ``parsed``, so that every opening tag becomes an item or a listed rejection."""
    starts = [m.start() for m in _OPENING.finditer(text)]
    line, counted_to = 1, 0
    for start, next_start in zip(starts, [*starts[1:], len(text)]):
        line += text.count("\n", counted_to, start)
        counted_to = start
        origin = f"{name}:{line}"
        # A record ends before the next one starts: a damaged record cannot swallow the next.
        close = text.find(_CLOSING, start, next_start)
        if close < 0:
            parsed.reject(origin, "record has no </REUTERS> before the next record or the end "
                                  "of the file: it is cut short or its markup is broken")
            continue
        if close - start > MAX_RECORD_CHARS:
            parsed.reject(origin, f"record is longer than {MAX_RECORD_CHARS:,} characters "
                                  "(the limit for one record)")
            continue
        record = text[start:close]
        problem = _markup_problem(record)
        if problem:
            parsed.reject(origin, problem)
            continue
        opening = _OPENING_TAG.match(record)
        yield line, dict(_ATTR.findall(opening.group("attrs"))), record[opening.end():]


def parse(text: str, name: str, source: str | None = None) -> Parsed:
    """Read every <REUTERS> record of one SGML file."""
    parsed = Parsed()
    for line, attrs, inner in _records(text, name, parsed):
        origin = f"{name}:{line}"
        text_el = re.search(r"<TEXT([^>]*)>(.*?)</TEXT>", inner, re.DOTALL)
        if not text_el:
            parsed.reject(origin, "record has no <TEXT>")
            continue
        text_type = dict(_ATTR.findall(text_el.group(1))).get("TYPE", "NORM")
        content = text_el.group(2)
        title_raw, body_raw = _element(content, "TITLE"), _element(content, "BODY")
        if body_raw is None and text_type == "UNPROC":
            body_raw = content
        if "<" in (title_raw or "") + (body_raw or ""):
            parsed.reject(origin, "markup inside the <TITLE> or <BODY> text")
            continue
        title = " ".join(_clean(title_raw or "").split())
        body = _unwrap(_clean(body_raw or ""))

        metadata: dict = {"newid": attrs.get("NEWID"), "oldid": attrs.get("OLDID"),
                          "lewissplit": attrs.get("LEWISSPLIT"), "text_type": text_type}
        for field in _LIST_FIELDS:
            values = re.findall(r"<D>(.*?)</D>", _element(inner, field) or "")
            if values:
                metadata[field.lower()] = [_clean(v) for v in values]

        raw_date = " ".join(_clean(_element(inner, "DATE") or "").split())
        try:
            date = parse_date(raw_date)
        except ValueError as e:
            parsed.reject(origin, f"<DATE>: {e}")
            continue
        metadata["time"] = raw_date.split(" ", 1)[1] if " " in raw_date else ""

        dateline_text = " ".join(_clean(_element(content, "DATELINE") or "").split())
        place = ""
        if dateline_text:
            lead = parse_dateline(dateline_text if re.search(r"[-\u2013\u2014]\s*$", dateline_text) else dateline_text + " -")
            place = lead[0].place if lead else tidy_place(dateline_text.split(",")[0])
            if lead and re.search(r"[a-z]", lead[1]):
                # The body's first words caught in the <DATELINE> (74 of the corpus's 19,043:
                # "RIO DE JANEIRO, Feb 26 - Brazil's "Cruzado" anti-"): back to the body, a word
                # broken at its hyphen joined again ("anti-" "inflation").
                spill = lead[1].strip()
                body = spill + ("" if re.search(r"\w-$", spill) else " ") + body
                dateline_text = lead[0].text
            found = day_month(dateline_text)
            if found:
                metadata["dateline_day"] = f"{found[1]:02d}-{found[0]:02d}"
                date = _dateline_day(date, found[1], found[0], metadata)
        item = Item(
            source="Reuters", title=title, body=body, dateline=place, dateline_text=dateline_text,
            date=date.iso, date_precision=date.precision, origin=origin, metadata=metadata,
            identity=f"reuters-21578:{attrs.get('NEWID', line)}",
        )
        parsed.add(item)
    if not parsed.items and not parsed.rejections:
        parsed.reject(f"{name}:1", "no <REUTERS> records found")
    return parsed


def _dateline_day(stamp: ItemDate, month: int, day: int, metadata: dict) -> ItemDate:
    """The story's date: its dateline's day ("JAKARTA, March 2 -") where that is a day from the
    <DATE> stamp, which is GMT (the Jakarta story is stamped 1 March; a New York one filed after
    midnight GMT, the next day). Further apart, the dateline's date is stale and the stamp wins.
    A changed date keeps the stamp's in ``metadata["stamp_date"]``."""
    stamped = dt.date.fromisoformat(stamp.iso)
    for year in (stamped.year, stamped.year + 1, stamped.year - 1):  # "Dec 31" stamped 1 January
        try:
            own = dt.date(year, month, day)
        except ValueError:
            return stamp
        if own != stamped and abs((own - stamped).days) <= 1:
            metadata["stamp_date"] = stamp.iso
            return ItemDate(own.isoformat())
    return stamp
