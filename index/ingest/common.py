"""What every import format shares: a parse result, year inference, record finishing."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ..dates import Dateline, infer_year, make_date
from ..item import Item, first_sentence
from ..store import Rejection
from .limits import MAX_RECORD_CHARS


# A dateline's day and month a little after the file's latest full date are taken in its year:
# "Portsmouth, 3 Mar 2021 -" then "London, 5 Mar -" is 5 March 2021, not 2020 (the items of a
# dump are not all in date order); further after, the year before ("23 Nov" in a dump whose
# latest full date is 22 Aug 2017 is 2016).
DAYS_PAST_LATEST = 31


@dataclass
class Pending:
    """An item whose dateline gave a day and month but no year."""

    item: Item
    day: int
    month: int


@dataclass
class Parsed:
    """What a format parser read from one file, before years are inferred and ids derived."""

    items: list[Item] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    pending: list[Pending] = field(default_factory=list)

    def add(self, item: Item, day: int | None = None, month: int | None = None) -> None:
        """Keep ``item``; with ``day``/``month`` and no date, its year is inferred later."""
        if not item.title.strip() and not item.body.strip():
            self.rejections.append(Rejection(item.origin, "item has neither title nor body"))
            return
        if len(item.title) + len(item.body) > MAX_RECORD_CHARS:
            self.rejections.append(Rejection(
                item.origin, f"item text is longer than {MAX_RECORD_CHARS:,} characters (the limit for one record)"))
            return
        if not item.title.strip():
            item.title = first_sentence(item.body)
            item.title_derived = True
        if item.date is None and day and month:
            self.pending.append(Pending(item, day, month))
        self.items.append(item)

    def reject(self, origin: str, reason: str) -> None:
        self.rejections.append(Rejection(origin, reason))


_URL_YEAR = re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/")


def _metadata_year(item: Item) -> int | None:
    """A year from the item's own metadata: a ``year`` field or a /YYYY/MM/ url path."""
    year = item.metadata.get("year")
    if isinstance(year, (int, str)) and str(year).isdigit() and len(str(year)) == 4:
        return int(year)
    m = _URL_YEAR.search(item.url or "")
    return int(m.group(1)) if m else None


def dateline_date(item: Item, lead: Dateline) -> tuple[int | None, int | None]:
    """Date ``item`` by its dateline when that gives the year too ("Portsmouth, 3 Mar 2021 -"; a
    date of the item's own, read after it, replaces it); otherwise return the dateline's (day,
    month) for resolve_years to find the year of. Raise ValueError for an impossible date
    ("31 Feb 2021")."""
    if lead.year and lead.day and lead.month:
        item.date, item.date_precision = make_date(lead.year, lead.month, lead.day), "day"
        return None, None
    return lead.day, lead.month


def full_date(item: Item) -> dt.date | None:
    """The item's date when it is a whole day that the file gave (not one inferred)."""
    if item.date and item.date_precision == "day" and not item.year_inferred:
        return dt.date.fromisoformat(item.date)
    return None


def resolve_years(parsed: Parsed, year: int | None = None, latest: dt.date | None = None) -> None:
    """Give every pending item a year, recording how, or leave it undated with the reason.

    Evidence in order: ``year`` (the ``--year`` option), else the latest year that does not
    put the item more than DAYS_PAST_LATEST after the latest full date in the same file
    (``latest``, or the latest among ``parsed.items``), else the item's metadata.
    """
    if latest is None:
        full_dates = [d for d in map(full_date, parsed.items) if d]
        latest = max(full_dates) if full_dates else None
    for p in parsed.pending:
        item = p.item
        if year:
            chosen, how = year, "--year option"
        elif latest:
            chosen = infer_year(p.month, p.day, latest + dt.timedelta(days=DAYS_PAST_LATEST))
            how = f"latest full date in file {latest}"
        elif (meta_year := _metadata_year(item)) is not None:
            chosen, how = meta_year, "item metadata"
        else:
            item.metadata["date_unresolved"] = f"day {p.day} month {p.month}, year unknown"
            continue
        try:
            item.date = make_date(chosen, p.month, p.day)
        except ValueError as e:
            parsed.items.remove(item)
            parsed.reject(item.origin, str(e))
            continue
        item.date_precision = "day"
        item.year_inferred = True
        item.metadata["year_from"] = how
    parsed.pending.clear()


def finish(parsed: Parsed, source: str | None, year: int | None) -> Parsed:
    """Apply ``--source``, infer years and derive ids and hashes."""
    resolve_years(parsed, year)
    for item in parsed.items:
        finish_item(item, source)
    return parsed


def finish_item(item: Item, source: str | None) -> Item:
    """Apply ``--source`` and derive the item's id and hash; return it."""
    if source:
        item.source = source
    return item.finish()
