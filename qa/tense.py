"""Which way in time a "when" question looks, and which way a date in an item points from the
item's own day: "When will Chase shut down its consumer banking in Peru?" asks for a date after
the day of writing ("by June 30"), not the one the story recalls ("opened in September 1984").
"""
from __future__ import annotations

import datetime as dt
import re

from dateline.index.dates import MONTHS

AHEAD, BACK, EITHER = 1, -1, 0
SAME_DAY = 2  # a date on the item's own day: what a "will" and a "did" question alike may ask for

# The auxiliary after the question's "when" (or "what date") sets its tense: "When is the payment
# that was deferred due?" looks ahead. Without one of these there, the first anywhere does.
_AHEAD_WORDS = r"will|shall|won['’]t|['’]ll"
_BACK_WORDS = r"did|was|were|had|didn['’]t|wasn['’]t|weren['’]t|hadn['’]t"
_TENSE = re.compile(rf"(?:\b|(?=['’]))(?:(?P<ahead>{_AHEAD_WORDS})|(?P<back>{_BACK_WORDS}))\b", re.I)
_ASKS_WHEN = re.compile(r"\b(?:when|what\s+(?:date|day|time|year|month))\s+(?=\S)", re.I)
_PRESENT = re.compile(r"(?:is|are|does|do|has|have)\b", re.I)  # "When does ... end?" says no way
# "plan to" only as a verb: "Wales' plan to cut compensation" is a noun, which says no way in time.
_PLAN_VERB = (r"(?<!['’]s )(?<!['’] )(?<!the )(?<!its )(?<! a )(?<!their )(?<!his )(?<!her )(?<!that )(?<!these )"
              r"(?<!those )plans?\s+to")
# Words that look ahead whatever the auxiliary: "When is X due?", "To what date did X delay ...?",
# "By what deadline did X hope ...?", "When is X to be set up?", "When are payments set to restart?"
_AHEAD_CUES = re.compile(rf"\b(?:due|scheduled|expected|deadline|going\s+to|{_PLAN_VERB}|intends?\s+to"
                         r"|(?:is|are|will\s+be)\b[^?]*?\b(?:set|slated|poised)\s+to"
                         r"|(?:is|are)\b[^?]*?\bto\s+be|(?:to|until|till|for|by)\s+(?:what|which)\s+(?:date|day|time))\b",
                         re.I)

_RELATIVE = {"yesterday": BACK, "tomorrow": AHEAD, "last": BACK, "next": AHEAD, "today": SAME_DAY}
_YEAR_AFTER = re.compile(r"(,)?\s+((?:1[89]|20)\d\d)\b")  # "July 16, 1990", "March 1988"
AFTER_CHARS = 8  # how much of the text after a date may give its year
_LAST_OR_NEXT = re.compile(r"\b(last|next)\s+$", re.I)  # before a month: "talks broke down last June"
BEFORE_CHARS = 6  # how much of the text before a date may say "last" or "next"
HALF_YEAR_DAYS = 183  # a month and day without a year: the nearest such day, before or after


# "Did the Reserve Bank say when the higher ratio takes effect?": the question's own tense is the
# saying's; the "when" it asks about has its own clause.
_ASKS_OF_A_SAYING = re.compile(r"^\W*(?:did|does|do|has|have|had|can|could|will|would)\b[^?]{0,120}?\b(?:say|said|"
                               r"tell|told|know|disclose|disclosed|reveal|revealed|announce|announced|indicate|"
                               r"indicated|specify|specified|mention|mentioned)\s+(?=(?:when|what\s+(?:date|day|time|"
                               r"year|month))\b)", re.I)


def looks(question: str) -> int:
    """AHEAD for "When will ...?", BACK for "When did ...?", EITHER when the question does not say."""
    saying = _ASKS_OF_A_SAYING.match(question)
    question = question[saying.end():] if saying else question
    if _AHEAD_CUES.search(question):
        return AHEAD
    asks = _ASKS_WHEN.search(question)
    m = _TENSE.match(question, asks.end()) if asks else None
    if m is None and (asks is None or not _PRESENT.match(question, asks.end())):
        m = _TENSE.search(question)  # no "when" with its verb: the first tense word anywhere
    if m is None:
        return EITHER
    return AHEAD if m.group("ahead") else BACK


def points(span: str, after: str, day: dt.date, before: str = "") -> int:
    """Which way the date ``span`` (as answer_type finds one) points from ``day``, the item's
    date: AHEAD, BACK, SAME_DAY ("today", or that very date) or EITHER (a weekday, a quarter, the
    month of writing). ``after`` is the text that follows the span, which may give its year
    ("July 16, 1990"); ``before``, the text before it, may say "last" or "next" ("last June")."""
    words = re.sub(r"(\d)(?:st|nd|rd|th)\b", r"\1", span.lower().replace(".", " ")).split()  # "June 19th"
    if not words:
        return EITHER
    if (m := _LAST_OR_NEXT.search(before)) and words[0] in MONTHS:
        return _RELATIVE[m.group(1).lower()]
    if words[0] in _RELATIVE:
        return _RELATIVE[words[0]]
    if words[0].isdigit() and len(words[0]) == 4:
        return _compare(int(words[0]), day.year)
    month = next((MONTHS[w] for w in words if w in MONTHS), None)
    if month is None:
        return EITHER  # a weekday, "first quarter"
    number = next((int(w) for w in words if w.isdigit() and len(w) <= 2), None)
    year = next((int(w) for w in words if w.isdigit() and len(w) == 4), None)
    if year is None and (m := _YEAR_AFTER.match(after)) and (m.group(1) or number is None):
        year = int(m.group(2))  # after a day only past a comma: "June 30 2000 tonnes" is no year
    if year:
        way = _compare((year, month, number or 1), (day.year, day.month, day.day if number else 1))
        return SAME_DAY if way == EITHER and number else way
    if number is None and month == day.month:
        return EITHER  # "in March", written in March
    try:
        when = dt.date(day.year, month, min(number or 15, 28) if month == 2 else number or 15)
    except ValueError:
        return EITHER
    # Without a year, the nearest such day: "December" in a March story is the December before.
    if (when - day).days > HALF_YEAR_DAYS:
        return BACK
    if (day - when).days > HALF_YEAR_DAYS:
        return AHEAD
    return _compare(when, day) if when != day else SAME_DAY


def _compare(a: tuple | int | dt.date, b: tuple | int | dt.date) -> int:
    return AHEAD if a > b else BACK if a < b else EITHER
