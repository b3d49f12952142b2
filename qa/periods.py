"""The years and quarters a question names that a story does not mention.

An in-domain question the archive cannot answer ("What was Textron's net income for 1986?")
is answered from a story on the same subject ("Textron to repay debt through asset sales"),
which is about another period or none. When the story quoted first mentions neither the year
the question names (and is not of that year: a 1987 story rarely writes "1987") nor, for a
quarter or half, that quarter in any form news writes it, the answer carries a note.

Measured over the written Reuters sets (benchmarks/question_sets.py's archives, session 29): of
the 612 in-domain questions their archives do not answer that `ask` answers, 29 are noted; of
2,034 right answers, 2 ("... in the first quarter of 1986?" answered from a story that says
"last year"); a month named was left out (16 unanswerable against 48 right answers noted).
"""
from __future__ import annotations

import re

from dateline.index.item import Item

_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_ORDINALS = {"first": ("first", "1st"), "second": ("second", "2nd"), "third": ("third", "3rd"),
             "fourth": ("fourth", "4th", "final")}
_WRITTEN = {"1st": "first", "2nd": "second", "3rd": "third", "4th": "fourth", "q1": "first", "q2": "second",
            "q3": "third", "q4": "fourth"}
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
# A quarter or half of a year: not "the second half of October".
_PART = re.compile(rf"\b(first|second|third|fourth|1st|2nd|3rd|4th)[- ](quarter|qtr|half)\b(?!\s+of\s+(?:{_MONTHS})\b)"
                   r"|\b(q[1-4])\b", re.I)
# Other ways a story says the first quarter or half: "the three months to March 31", "six months".
_ALSO = {("first", "quarter"): ("three months",), ("first", "half"): ("six months", "half year", "half-year")}
# How a story of one year says the year before without its number.
_LAST_YEAR = ("last year", "year ended", "year-end", "year end", "previous year", "prior year", "year earlier",
              "year-earlier", "year ago", "full year", "full-year")


def names_a_period(question: str) -> bool:
    """Whether ``question`` names a year or a quarter or half (a cheap look before reading a story)."""
    return bool(_YEAR.search(question) or _PART.search(question))


def _part_forms(ordinal: str, part: str) -> list[str]:
    """How news writes a quarter or half: "first quarter", "1st qtr", "first-half" ..."""
    nouns = ("quarter", "qtr") if part == "quarter" else ("half",)
    return [f"{o}{sep}{n}" for o in _ORDINALS[ordinal] for sep in (" ", "-") for n in nouns] \
        + list(_ALSO.get((ordinal, part), ()))


def unmentioned(question: str, item: Item) -> list[str]:
    """The years and quarters ``question`` names that ``item`` does not mention ("1986", "the
    first quarter"), quarters first; a year is mentioned by an item of that year, and the year
    before by one that speaks of last year or a year ended ("year ended December 31")."""
    text = f"{item.title or ''}\n{item.body or ''}".lower()
    own_year = (item.date or "")[:4]
    missing = []
    for m in _PART.finditer(question):
        if m.group(3):
            ordinal, part = _WRITTEN[m.group(3).lower()], "quarter"
        else:
            ordinal = _WRITTEN.get(m.group(1).lower(), m.group(1).lower())
            part = "half" if m.group(2).lower() == "half" else "quarter"
        if not any(form in text for form in _part_forms(ordinal, part)):
            missing.append(f"the {ordinal} {part}")
    last_year = str(int(own_year) - 1) if own_year.isdigit() else ""
    for year in _YEAR.findall(question):
        if year == own_year or year in text or year in missing:
            continue
        if year == last_year and any(words in text for words in _LAST_YEAR):
            continue  # "a net loss ... for the year ended December 31" in a report of last year's results
        missing.append(year)
    return missing
