"""Datelines and dates: parse "London, 30 Jun -" and friends, infer missing years.

A dateline is the place-and-date lead of a news item. Its year is often missing; we infer it
from evidence (an explicit ``--year``, the file's own full dates, the item's metadata) and
record that it was inferred, never inventing one silently.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11,
    "november": 11, "dec": 12, "december": 12,
}
MONTH_PATTERN = r"(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DASH = r"[-\u2013\u2014]"

# "30 Jun", "30 June 2017", "Feb 26", "March 2, 1987", "August 11, 2016"
DAY_MONTH = re.compile(
    rf"(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month>{MONTH_PATTERN})(?:,?\s+(?P<year>\d{{4}}))?",
    re.IGNORECASE,
)
MONTH_DAY = re.compile(
    rf"(?P<month>{MONTH_PATTERN})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<year>\d{{4}}))?",
    re.IGNORECASE,
)

# A dateline at the start of a paragraph: place, optional date, a dash, then the text.
# "London, 30 Jun - ...", "WASHINGTON, Feb 26 - ...", "SALVADOR, Brazil, March 2 - ...",
# "Washington CNN — ...", "New York CNN Business —".
DATELINE = re.compile(
    rf"""^\s*(?P<lead>
        (?P<place>[A-Z][\w.'’()\- ]*?(?:,\s*[A-Z][\w.'’\- ]*?)*?)
        (?:,\s*(?P<date>(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTH_PATTERN}|{MONTH_PATTERN}\s+\d{{1,2}}(?:st|nd|rd|th)?)(?:,?\s+\d{{4}})?)
          |\s+\((?P<agency_paren>[A-Za-z ]{{2,20}})\)
          |\s+(?P<agency>CNN(?:\s+Business)?|AP|Reuters|AFP)
        )?
        \s*{_DASH}+\s*)""",
    re.VERBOSE,
)


AGENCIES = {"CNN", "CNN Business", "Reuters", "REUTERS", "AP", "AFP", "UPI", "Bloomberg"}


# "Washington (CNN) Tuesday's shooting ...", "(CNN) After ...": a credit in brackets, no dash.
PAREN_DATELINE = re.compile(
    r"^\s*(?P<lead>(?P<place>[A-Z][\w.'’\- ]*?(?:,\s*[A-Z][\w.'’\- ]*?)*?)?\s*"
    r"\((?P<agency>CNN(?: Business)?|AP|Reuters|AFP)\)\s*(?:[-\u2013\u2014]+\s*)?)"
)


@dataclass(frozen=True)
class Dateline:
    """The lead of an item: where it was filed and, when given, the day it was filed."""

    text: str  # the original text, e.g. "London, 30 Jun -"
    place: str  # "London"
    day: int | None = None
    month: int | None = None
    year: int | None = None


@dataclass(frozen=True)
class ItemDate:
    """A date known to some precision; ``iso`` is always a full YYYY-MM-DD for sorting."""

    iso: str
    precision: str = "day"  # day, month or year
    year_inferred: bool = False


def tidy_place(raw: str) -> str:
    """Tidy a dateline place: "SALVADOR, Brazil" -> "Salvador, Brazil"."""
    words = []
    for word in raw.strip(" ,").split():
        words.append(word.title() if word.isupper() and len(word) > 1 else word)
    return re.sub(r"\s+,", ",", " ".join(words))


def day_month(text: str) -> tuple[int, int, int | None] | None:
    """Find the first "30 Jun", "Feb 26" or "March 2, 1987" in ``text``: (day, month, year)."""
    best = None
    for pattern in (DAY_MONTH, MONTH_DAY):
        m = pattern.search(text)
        if m and (best is None or m.start() < best.start()):
            best = m
    if best is None:
        return None
    month = MONTHS[best.group("month").lower().rstrip(".")]
    year = int(best.group("year")) if best.group("year") else None
    return int(best.group("day")), month, year


def parse_dateline(paragraph: str) -> tuple[Dateline, str] | None:
    """Split a leading dateline off ``paragraph``; return it and the rest, or None.

    >>> parse_dateline("London, 30 Jun - Political prisoners ...")[0].place
    'London'
    """
    m = DATELINE.match(paragraph)
    if not m:
        m = PAREN_DATELINE.match(paragraph)
        if not m or len(m.group("place") or "") > 60:
            return None
        lead = m.group("lead").strip()
        return Dateline(text=lead, place=tidy_place(m.group("place") or "")), paragraph[m.end():]
    place = m.group("place")
    if place.strip().rstrip(",") in AGENCIES:
        # "CNN —", "Reuters —": an agency credit with no place.
        return Dateline(text=m.group("lead").strip(), place=""), paragraph[m.end():]
    # A place is a few capitalised words, not the first clause of a sentence.
    if len(place) > 60 or len(place.split()) > 6:
        return None
    day = month = year = None
    if m.group("date"):
        found = day_month(m.group("date"))
        if found:
            day, month, year = found
    elif not (m.group("agency") or m.group("agency_paren")):
        # "Iran - something" with neither a date nor an agency is too weak to be a dateline.
        return None
    text = m.group("lead").strip()
    return Dateline(text=text, place=tidy_place(place), day=day, month=month, year=year), paragraph[m.end():]


def make_date(year: int, month: int, day: int, where: str = "") -> str:
    """Return YYYY-MM-DD, or raise ValueError naming the impossible date."""
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        raise ValueError(f"impossible date {year:04d}-{month:02d}-{day:02d}{where}") from None


def infer_year(month: int, day: int, latest: dt.date) -> int:
    """The latest year that does not put (month, day) after ``latest``."""
    return latest.year if (month, day) <= (latest.month, latest.day) else latest.year - 1


_ISO = re.compile(r"^(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?(?:[T ].*)?$")
_REUTERS = re.compile(r"^\s*(\d{1,2})-([A-Za-z]{3})-(\d{4})")


def parse_date(value: str) -> ItemDate:
    """Parse a stored or exported date: ISO ("2017-06-30", "2017-06", "2017"), "2022/06/11",
    Reuters' "26-FEB-1987 15:01:01.79", RFC 822 ("Fri, 30 Jun 2017 10:00:00 GMT") or
    "June 30, 2017". Raise ValueError for an impossible or unreadable date.
    """
    value = value.strip()
    m = _ISO.match(value)
    if m:
        year, month, day = int(m.group(1)), m.group(2), m.group(3)
        if day:
            return ItemDate(make_date(year, int(month), int(day)))
        if month:
            return ItemDate(make_date(year, int(month), 1), "month")
        return ItemDate(make_date(year, 1, 1), "year")
    m = _REUTERS.match(value)
    if m and m.group(2).lower() in MONTHS:
        return ItemDate(make_date(int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1))))
    found = day_month(value)
    if found and found[2]:
        day, month, year = found
        return ItemDate(make_date(year, month, day))
    raise ValueError(f"unreadable date {value!r}")


def display_date(iso: str | None, precision: str | None, year_inferred: bool) -> str:
    """Human form: "30 Jun 2017", "Jun 2017", "2017"; an inferred year is marked with "?"."""
    if not iso:
        return "undated"
    d = dt.date.fromisoformat(iso[:10])
    year = f"{d.year}?" if year_inferred else str(d.year)
    if precision == "year":
        return year
    if precision == "month":
        return f"{d:%b} {year}"
    return f"{d.day} {d:%b} {year}"
