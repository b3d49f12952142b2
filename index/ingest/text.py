"""Plain-text news dumps: a source line, a dateline paragraph, body paragraphs; headlines last.

The shape (see the sample archive)::

    Iran Focus

    London, 30 Jun - Political prisoners have ...

    As the Iranian opposition ...

    Iran Focus
    ...

    Iran: UN Special Rapporteur Speaks on ...     <- trailing one-line headlines

"""
from __future__ import annotations

import re

from ..dates import MONTH_PATTERN, day_month, make_date, parse_dateline, tidy_place
from ..item import Item
from .common import Parsed, dateline_date

_SENTENCE_END = re.compile(r"[.!?;\"”]$")
# "Iran: ...", "Iran, Khuzestan Province: ...", "Iran 22 August 2017: ..."
_HEADLINE_PLACE = re.compile(
    rf"^(?P<place>[A-Z][\w’'\-]*(?:,?\s[A-Z][\w’'\-]*){{0,3}}?)"
    rf"(?:\s+\d{{1,2}}\s+{MONTH_PATTERN}(?:\s+\d{{4}})?)?:\s+(?=\S)"
)


def _paragraphs(text: str) -> list[tuple[int, str]]:
    """Blank-line separated paragraphs with the line number each starts on."""
    paragraphs, lines, start = [], [], 0
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            if not lines:
                start = number
            lines.append(line.strip())
        elif lines:
            paragraphs.append((start, "\n".join(lines)))
            lines = []
    if lines:
        paragraphs.append((start, "\n".join(lines)))
    return paragraphs


def _is_short_line(paragraph: str, limit: int = 200) -> bool:
    """One line, short, not ending like a sentence: a source line or a headline."""
    return "\n" not in paragraph and len(paragraph) <= limit and not _SENTENCE_END.search(paragraph)


def parse(text: str, name: str, source: str | None = None) -> Parsed:
    """Read a plain-text dump into items (articles and trailing headlines)."""
    parsed = Parsed()
    paragraphs = _paragraphs(text)
    leads = {i: parse_dateline(p) for i, (_, p) in enumerate(paragraphs)}
    leads = {i: lead for i, lead in leads.items() if lead and lead[0].day}
    if not leads:
        # No dateline anywhere: not a news dump (headlines only count after articles).
        return parsed

    # Trailing headlines: the run of short lines after the last article's lead.
    last_lead = max(leads) if leads else -1
    tail = len(paragraphs)
    while tail - 1 > last_lead + 1 and _is_short_line(paragraphs[tail - 1][1]) \
            and (tail - 1) not in leads:
        tail -= 1

    current_source = source or ""
    article: Item | None = None
    body: list[str] = []

    def close() -> None:
        if article is not None:
            article.body = "\n\n".join(body)
            lead = article.metadata.pop("_lead")
            try:
                day, month = dateline_date(article, lead)
            except ValueError as e:
                parsed.reject(article.origin, f"dateline {lead.text!r}: {e}")
                return
            parsed.add(article, day, month)

    i = 0
    while i < tail:
        line_no, para = paragraphs[i]
        if (i + 1) in leads and _is_short_line(para, 80) and i not in leads:
            current_source = source or para
            i += 1
            continue
        if i in leads:
            close()
            lead, rest = leads[i]
            body = [rest.strip()]
            article = Item(source=current_source, title="", body="", dateline=lead.place,
                           dateline_text=lead.text, origin=f"{name}:{line_no}",
                           metadata={"_lead": lead})
        elif article is not None:
            body.append(para)
        else:
            parsed.reject(f"{name}:{line_no}", "text before the first dateline (no item to attach it to)")
        i += 1
    close()

    for line_no, headline in paragraphs[tail:]:
        parsed_headline = _headline(headline, current_source, f"{name}:{line_no}")
        parsed.add(*parsed_headline)
    return parsed


def _headline(headline: str, source: str, origin: str) -> tuple[Item, int | None, int | None]:
    """A title-only item; its place and date come from the headline where it has them."""
    item = Item(source=source, title=headline, body="", origin=origin)
    m = _HEADLINE_PLACE.match(headline)
    if m:
        item.dateline = tidy_place(m.group("place"))
    found = day_month(headline)
    if not found:
        return item, None, None
    day, month, year = found
    if year:
        try:
            item.date, item.date_precision = make_date(year, month, day), "day"
        except ValueError:
            return item, None, None
        return item, None, None
    return item, day, month
