"""Reuters-21578 SGML: <REUTERS> records with DATE, TITLE, DATELINE and BODY.

Files are latin-1 (read_text decodes them so); bodies carry SGML entities and control
characters (&#2; &#3; &#31;), are hard-wrapped at ~70 columns with paragraphs indented by
spaces, and end with a "Reuter" sign-off.
"""
from __future__ import annotations

import html
import re

from ..dates import day_month, parse_date, parse_dateline, tidy_place
from ..item import Item
from .common import Parsed

_RECORD = re.compile(r"<REUTERS(?P<attrs>[^>]*)>(?P<inner>.*?)</REUTERS>", re.DOTALL)
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


def parse(text: str, name: str, source: str | None = None) -> Parsed:
    """Read every <REUTERS> record of one SGML file."""
    parsed = Parsed()
    line, counted_to = 1, 0
    for m in _RECORD.finditer(text):
        line += text.count("\n", counted_to, m.start())
        counted_to = m.start()
        origin = f"{name}:{line}"
        attrs = dict(_ATTR.findall(m.group("attrs")))
        inner = m.group("inner")
        text_el = re.search(r"<TEXT([^>]*)>(.*?)</TEXT>", inner, re.DOTALL)
        if not text_el:
            parsed.reject(origin, "record has no <TEXT>")
            continue
        text_type = dict(_ATTR.findall(text_el.group(1))).get("TYPE", "NORM")
        content = text_el.group(2)
        title = " ".join(_clean(_element(content, "TITLE") or "").split())
        body_raw = _element(content, "BODY")
        if body_raw is None and text_type == "UNPROC":
            body_raw = content
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
            # The dateline's own day may differ from the wire timestamp; the DATE element wins
            # but the dateline day is kept for display.
            found = day_month(dateline_text)
            if found:
                metadata["dateline_day"] = f"{found[1]:02d}-{found[0]:02d}"
        item = Item(
            source="Reuters", title=title, body=body, dateline=place, dateline_text=dateline_text,
            date=date.iso, date_precision=date.precision, origin=origin, metadata=metadata,
            identity=f"reuters-21578:{attrs.get('NEWID', line)}",
        )
        parsed.add(item)
    if not parsed.items and not parsed.rejections:
        parsed.reject(f"{name}:1", "no <REUTERS> records found")
    return parsed
