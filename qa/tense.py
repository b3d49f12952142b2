"""Which way in time a "when" question looks, and which way a date in an item points from the
item's own day: "When will Chase shut down its consumer banking in Peru?" asks for a date after
the day of writing ("by June 30"), not the one the story recalls ("opened in September 1984").
"""
from __future__ import annotations

import datetime as dt
import re

from dateline.index.dates import MONTHS

AHEAD, BACK, EITHER = 1, -1, 0

# The first of these in a question sets its tense: "When will ... that was founded ...?" looks ahead.
_AHEAD_WORDS = r"will|shall|due|scheduled|expected|going\s+to|plans?\s+to|intends?\s+to|is\s+to|are\s+to"
_BACK_WORDS = r"did|was|were|had"
_TENSE = re.compile(rf"\b(?:(?P<ahead>{_AHEAD_WORDS})|(?P<back>{_BACK_WORDS}))\b", re.I)

_RELATIVE = {"yesterday": BACK, "tomorrow": AHEAD, "last": BACK, "next": AHEAD}
_YEAR_AFTER = re.compile(r",?\s+((?:1[89]|20)\d\d)\b")
HALF_YEAR_DAYS = 183  # a month and day without a year: the nearest such day, before or after


def looks(question: str) -> int:
    """AHEAD for "When will ...?", BACK for "When did ...?", EITHER when the question does not say."""
    m = _TENSE.search(question)
    if m is None:
        return EITHER
    return AHEAD if m.group("ahead") else BACK


def points(span: str, after: str, day: dt.date) -> int:
    """Which way the date ``span`` (as answer_type finds one) points from ``day``, the item's
    date: AHEAD, BACK or EITHER (the same day, a weekday, a quarter). ``after`` is the text that
    follows the span, which may give its year ("July 16, 1990")."""
    words = re.sub(r"(\d)(?:st|nd|rd|th)\b", r"\1", span.lower().replace(".", " ")).split()  # "June 19th"
    if not words:
        return EITHER
    if words[0] in _RELATIVE:
        return _RELATIVE[words[0]]
    if words[0].isdigit() and len(words[0]) == 4:
        return _compare(int(words[0]), day.year)
    month = next((MONTHS[w] for w in words if w in MONTHS), None)
    if month is None:
        return EITHER  # a weekday, "today", "first quarter"
    number = next((int(w) for w in words if w.isdigit() and len(w) <= 2), None)
    year = next((int(w) for w in words if w.isdigit() and len(w) == 4), None)
    if year is None and (m := _YEAR_AFTER.match(after)):
        year = int(m.group(1))
    if year:
        return _compare((year, month, number or 1), (day.year, day.month, day.day if number else 1))
    if number is None and month == day.month:
        return EITHER  # "in March", written in March
    try:
        when = dt.date(day.year, month, number or 15)
    except ValueError:
        return EITHER
    # Without a year, the nearest such day: "December" in a March story is the December before.
    if (when - day).days > HALF_YEAR_DAYS:
        return BACK
    if (day - when).days > HALF_YEAR_DAYS:
        return AHEAD
    return _compare(when, day)


def _compare(a, b) -> int:
    return AHEAD if a > b else BACK if a < b else EITHER
