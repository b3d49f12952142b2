"""Read a question: which dates, sources and dateline places it filters by, and what to search.

Dates in the archive are article dates. A date phrase in a question ("in June 2017", "on 24
June", "between March and May 1987", "last week") becomes a filter only when some item is
dated inside it; otherwise it is part of the topic ("executed in 1988" over an archive of 2017
articles) and stays in the searched text. Relative phrases count back from the newest item in
the archive, not from today. Every decision is recorded in ``ParsedQuery.notes``.
"""
from __future__ import annotations

import bisect
import datetime as dt
import difflib
import logging
import re
from dataclasses import dataclass, field, replace

from dateline.index.dates import MONTH_PATTERN, MONTHS, infer_year, parse_date
from dateline.index.errors import DatelineError
from dateline.index.reader import ArchiveReader

from . import answer_type
from .words import terms

log = logging.getLogger(__name__)

_MONTH = MONTH_PATTERN
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
# One date: "24 June 2017", "June 24, 2017", "24 June", "June 2017", "June", "2017".
_DATE = (rf"(?:{_DAY}\s+{_MONTH}(?:,?\s+{_YEAR})?|{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?"
         rf"|{_MONTH}(?:\s+(?:of\s+)?{_YEAR})?|{_YEAR})")
_WORD_NUM = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
             "seven": 7, "ten": 10}

_RANGE = re.compile(rf"\b(?:between|from)\s+(?:the\s+)?(?P<a>{_DATE})\s+(?:and|to|until|till|through|-)\s+(?:the\s+)?(?P<b>{_DATE})\b", re.I)
# Two days of one month: "between 20 and 25 June", "from 20 to 25 June 2017", "20-25 June",
# "June 20 to 25"; the first day borrows the second's month and year.
_TO = r"\s*(?:and|to|until|till|through|-|–)\s*"
_DAYS = re.compile(rf"\b(?:(?:between|from)\s+(?:the\s+)?)?"
                   rf"(?:(?P<d1>{_DAY}){_TO}(?:the\s+)?(?P<b1>{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?)"
                   rf"|(?P<m2>{_MONTH})\s+(?P<d2>{_DAY}){_TO}(?P<e2>{_DAY})(?P<y2>,?\s+{_YEAR})?)\b", re.I)
# "in the week of October 19, 1987", "the week beginning 20 June": that day and the six after it.
_WEEK_OF = re.compile(rf"\b(?:the\s+)?week\s+(?:of|beginning|starting)\s+(?:the\s+)?(?P<a>{_DAY}\s+(?:of\s+)?{_MONTH}"
                      rf"(?:,?\s+{_YEAR})?|{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?)\b", re.I)
WEEK_DAYS = 7
_ON = re.compile(rf"\b(?:on|dated)\s+(?:the\s+)?(?P<a>{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?|{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?)\b", re.I)
# A month followed by a day is a day ("of August 11, 2016"), read by the patterns of days.
_IN = re.compile(rf"\b(?:in|during|of|for)\s+(?:early\s+|late\s+|mid-?)?(?P<a>{_MONTH}(?:\s+(?:of\s+)?{_YEAR})?(?!\s+{_DAY}\b)|{_YEAR})\b", re.I)
_SINCE = re.compile(rf"\b(?P<op>since|after|from|before|until|till|by)\s+(?P<a>{_DATE})\b", re.I)
_ONWARDS = re.compile(r"\s+(?:on\b|onwards?\b)", re.I)  # "from June on(wards)": open-ended
_BARE_DAY = re.compile(rf"\b(?P<a>{_DAY}\s+{_MONTH}(?:,?\s+{_YEAR})?|{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?)\b", re.I)
_RELATIVE = re.compile(
    r"\b(?:(?P<lastn>(?:in\s+)?(?:the\s+)?(?:last|past)\s+(?P<n>\d+|a|one|two|three|four|five|six|seven|ten)\s+(?P<unit>days?|weeks?|months?|years?))"
    r"|(?P<last>(?:in\s+)?(?:the\s+)?(?:last|past|previous)\s+(?P<unit1>week|month|year))"
    r"|(?P<this>(?:in\s+)?this\s+(?P<unit2>week|month|year))"
    r"|(?P<yesterday>yesterday)|(?P<today>today))\b", re.I)

# Words that ask for what is newest: with them, recency counts from the request's `to` date, or
# from the archive's newest item ("What is the latest on the strike?"). "recent" before other
# words names an event rather than asking for the newest news ("the recent Italian elections":
# TIME query 28, nDCG@10 0.449 newest first, 0.805 by relevance), so it counts only before
# words for news itself ("recent developments"), and so does "most recent" ("Iran's most recent
# presidential vote" names the vote; "Which bid is the most recent?" asks). "now that" opens a
# clause ("now that Ely is chairman").
_NEWS_WORDS = (r"news|developments?|events?|updates?|reports?|stor(?:y|ies)|happenings|headlines?|"
               r"articles?|coverage")
_AS_OF = re.compile(r"\b(?:latest|newest|most\s+recently|most\s+recent(?!\s+(?!(?:" + _NEWS_WORDS + r")\b)[a-z])|"
                    r"recently|(?:in\s+)?recent\s+(?:days|weeks|months)|recent\s+(?:" + _NEWS_WORDS + r")|"
                    r"lately|now(?!\s+that\b)|currently|so\s+far|to\s+date|these\s+days|this\s+week)\b", re.I)

# What a question says of its asker rather than of the news: a hedge ("..., I believe - where
# exactly?", "if I recall correctly", "I read that ..."). Its words are no topic: "believe" and
# "exactly" searched for and counted among the words a story must hold had a question about the
# Paris convention refused. Blanked from the text searched, as a filter's phrase is.
_HEDGE = re.compile(
    r"\b(?:(?:if|as\s+far\s+as)\s+I\s+(?:can\s+)?(?:remember|recall|know)(?:\s+(?:correctly|rightly|right))?|"
    r"if\s+memory\s+serves(?:\s+me)?|unless\s+I['’]?m\s+mistaken|correct\s+me\s+if\s+I['’]?m\s+wrong|"
    r"(?:I['’]?m|I\s+am)\s+(?:not\s+)?(?:quite\s+|pretty\s+|fairly\s+|totally\s+)?sure(?:\s+(?:that|if|whether))?|"
    r"I\s+(?:(?:seem\s+to\s+)?(?:think|believe|guess|suppose|reckon|recall|remember)|(?:once\s+)?(?:read|heard|saw))"
    r"(?:\s+somewhere)?(?:\s+that)?)\b", re.I)
_EXACTLY = re.compile(r"\b(who|what|where|when|which|why|how|many|much)\s+(?:exactly|precisely)\b", re.I)


def _without_hedges(text: str) -> str:
    """``text`` without its hedges, "where exactly" read as "where"."""
    return " ".join(_EXACTLY.sub(r"\1", _HEDGE.sub(" ", text)).split())


# Words that make a question ask for an order in time.
# "developments" but not "development" ("Inter-American Development Bank") nor "developed" (a
# "developed country"); "how did it develop" asks for an order.
_WHEN = re.compile(r"^\s*(?:and\s+)?when\b|\b(?:timeline|chronolog\w*|unfold\w*|developments|evolv\w*|"
                   r"over time|sequence of events|what date|which day|how (?:did|has|have) .* (?:go|gone|progress\w*|"
                   r"chang\w*|develop\w*))\b", re.I)


@dataclass
class Filters:
    """The filters a search applies; None means not filtered on that field."""

    date_from: str | None = None  # ISO YYYY-MM-DD, inclusive
    date_to: str | None = None  # ISO YYYY-MM-DD, inclusive
    source: str | None = None  # exact source name
    place: str | None = None  # dateline place; also matches "Place, Country"

    def to_dict(self) -> dict:
        """The JSON form: every field, None where unfiltered."""
        return {"date_from": self.date_from, "date_to": self.date_to,
                "source": self.source, "place": self.place}

    @property
    def active(self) -> bool:
        return any(v is not None for v in self.to_dict().values())

    @property
    def has_dates(self) -> bool:
        return self.date_from is not None or self.date_to is not None

    @property
    def period(self) -> str:
        """The dates as notes say them: "2017-07-01 to 2017-07-31", "... to 1987-03-02"."""
        return f"{self.date_from or '...'} to {self.date_to or '...'}"

    def described(self) -> str:
        """The filters as a reader would say them: "dates 2017-07-01 to 2017-07-31, place Tehran"."""
        parts = [f"dates {self.period}"] if self.has_dates else []
        parts += [f"{name} {value}" for name, value in (("source", self.source), ("place", self.place)) if value]
        return ", ".join(parts)


@dataclass
class ParsedQuery:
    """What a question asks for: the text to search, the filters, and how they were decided."""

    question: str  # as asked
    text: str  # what retrieval searches: the question less the phrases that became filters
    filters: Filters
    notes: list[str] = field(default_factory=list)  # one line per filter applied or read as topic
    ordered: bool = False  # a "when" or how-did-it-unfold question: cite by date
    dates_from_question: bool = False  # the question itself set a date filter
    as_of: str | None = None  # ISO date that recency counts back from; None: recency plays no part
    newest_first: bool = False  # "latest" with no `to` date: the most relevant stories, newest first
    counted_back: str | None = None  # the phrase that set the dates when it counts back ("last week")
    names_read: tuple[str, ...] = ()  # the filters set from names in the question: "source", "place"
    # A period that is all the question names ("And in July?") and no item is dated in: read as
    # topic, but a follow-up takes it as its dates rather than the previous question's.
    unheld_period: tuple[str | None, str | None] | None = None
    # An elliptical follow-up ("And the year before?"): the question whose asking it leaves its own
    # to (follow_up.is_elliptical), read for the kind of answer and what it says of it.
    asks_as: str | None = None


@dataclass
class ArchiveFacts:
    """What the parser needs to know about the archive: its dates, sources and places."""

    dates: list[str] = field(default_factory=list)  # distinct item dates, sorted
    sources: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)

    @classmethod
    def from_archive(cls, reader: ArchiveReader) -> "ArchiveFacts":
        """Read distinct dates, sources and dateline places through an archive reader."""
        return cls(dates=reader.dates(), sources=reader.sources(), places=reader.places())

    def __post_init__(self) -> None:
        self.source_table = name_table(self.sources)
        self.place_table = name_table(self.places)
        self._source_keys = {s.lower() for s in self.sources}
        self._place_keys = {p.lower() for p in self.places}
        # Their words in lower case, which a question typed in lower case uses (spelling.respelled)
        self.lower_names = frozenset(w for key in self._source_keys | self._place_keys for w in key.split())
        self._sorted_place_keys = sorted(self._place_keys)
        self._place_names = set(self.places) | {p.split(",")[0].strip() for p in self.places}

    def spelling(self, kind: str, value: str | None) -> str | None:
        """``value`` (a requested source or place) as the archive spells it: SQLite's NOCASE
        folds only ASCII letters, so "SÃO PAULO" would not match "São Paulo" there, while
        Python's lower() (the notes, the index's filter columns) would. A name the archive
        already has, in any form the filter matches, is kept as it is."""
        table = self.source_table if kind == "source" else self.place_table
        if not value or value in (self.sources if kind == "source" else self._place_names):
            return value
        return table.get(value.lower(), value)

    def has_source(self, source: str) -> bool:
        """Whether some item has this source (case-insensitive, as the filter matches)."""
        return source.lower() in self._source_keys

    def has_place(self, place: str) -> bool:
        """Whether some item's dateline is this place, or starts with it and a comma
        ("Salvador" for "Salvador, Brazil"), as the filter matches."""
        key = place.lower()
        if key in self._place_keys:
            return True
        keys = self._sorted_place_keys
        i = bisect.bisect_left(keys, key + ",")
        return i < len(keys) and keys[i].startswith(key + ",")

    def unknown_name_note(self, kind: str, value: str) -> str | None:
        """A note for a request's source or place that no item has, with the likeliest names
        meant; None when some item has it."""
        known, names = (self.has_source, self.sources) if kind == "source" else (self.has_place, self.places)
        if known(value):
            return None
        by_key = {n.lower(): n for n in names}
        close = difflib.get_close_matches(value.lower(), by_key, n=3, cutoff=0.6)
        if close:
            hint = "did you mean " + " or ".join(f'"{by_key[c]}"' for c in close) + "?"
        elif names:
            shown = sorted(names, key=str.lower)[:8]
            hint = f"the archive's {kind}s include " + ", ".join(f'"{n}"' for n in shown) + (
                f" and {len(names) - len(shown)} more" if len(names) > len(shown) else "")
        else:
            hint = f"no item has any {kind}"
        return f'no item has {kind} "{value}": {hint}'

    @property
    def newest(self) -> dt.date | None:
        return dt.date.fromisoformat(self.dates[-1]) if self.dates else None

    def count_dated(self, date_from: str | None, date_to: str | None) -> int:
        """How many distinct item dates fall inside [date_from, date_to]."""
        lo = bisect.bisect_left(self.dates, date_from) if date_from else 0
        hi = bisect.bisect_right(self.dates, date_to) if date_to else len(self.dates)
        return max(0, hi - lo)


# A year typed in two digits: "since '86" anywhere, "in 79" or "since 85" ending the question or
# a clause ("who bought them back in 79", "sales in 85 and 86?"); not "in 12 countries".
_TWO_DIGIT_YEAR = re.compile(r"(?<![\w'’])['’](\d\d)\b(?![\w'’])|"
                             r"(?:(?<=\bin\s)|(?<=\bsince\s))(\d\d)(?=\s*(?:[?.!,;]|$|\b(?:and|or|vs)\b))", re.I)


def years_written_out(question: str, newest: dt.date | None) -> tuple[str, list[tuple[str, str]]]:
    """``question`` with each year typed in two digits written in four, the latest such year not
    after the archive's newest item's ("79" as 1979 in an archive of 1987, "22" as 2022 in one of
    2022), and the (typed, read) pairs; none without a dated item."""
    if newest is None:
        return question, []
    readings: list[tuple[str, str]] = []

    def year(m: re.Match) -> str:
        digits = m.group(1) or m.group(2)
        century = next((c for c in (2000, 1900) if c + int(digits) <= newest.year + 1), None)
        if century is None:
            return m.group(0)
        readings.append((m.group(0), str(century + int(digits))))
        return readings[-1][1]

    return _TWO_DIGIT_YEAR.sub(year, question), readings


def check_date(value: str | None, name: str, *, end: bool = False) -> str | None:
    """Validate a request's date field; return ISO YYYY-MM-DD (a period's last day if ``end``)."""
    if value is None or str(value).strip() == "":
        return None
    try:
        parsed = parse_date(str(value))
    except ValueError as e:
        raise DatelineError(f"{name}: {e}; use YYYY-MM-DD, YYYY-MM or YYYY", code="bad_date", status=422) from None
    start = dt.date.fromisoformat(parsed.iso)
    if not end or parsed.precision == "day":
        return parsed.iso
    return _period_end(start, parsed.precision).isoformat()


def _period_end(start: dt.date, precision: str) -> dt.date:
    if precision == "year":
        return dt.date(start.year, 12, 31)
    if precision == "month":
        nxt = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)
    return start


def _read_date(text: str, newest: dt.date | None, default_year: int | None = None) -> tuple[dt.date, dt.date] | None:
    """Turn one date phrase into the (first, last) day it covers; infer a missing year."""
    text = text.strip().rstrip(".").lower().replace(" of ", " ")
    m = re.fullmatch(_YEAR, text)
    if m:
        y = int(text)
        return dt.date(y, 1, 1), dt.date(y, 12, 31)
    day = None
    parts = re.findall(r"[a-z]+|\d+", text)
    month = year = None
    for p in parts:
        if p.isalpha():
            if p.rstrip(".") in MONTHS:
                month = MONTHS[p.rstrip(".")]
            elif p in ("st", "nd", "rd", "th"):
                continue
        elif len(p) == 4:
            year = int(p)
        else:
            day = int(p)
    if month is None:
        return None
    if year is None:
        year = default_year
    if year is None:
        if newest is None:
            return None
        year = infer_year(month, day or 1, newest)
    try:
        if day:
            d = dt.date(year, month, day)
            return d, d
        first = dt.date(year, month, 1)
    except ValueError:
        return None
    return first, _period_end(first, "month")


def _relative(m: re.Match, newest: dt.date) -> tuple[dt.date, dt.date]:
    """Resolve "last week", "past 3 days", "this month", "yesterday" against the newest item."""
    if m.group("yesterday"):
        d = newest - dt.timedelta(days=1)
        return d, d
    if m.group("today"):
        return newest, newest
    if m.group("this"):
        unit = m.group("unit2").lower()
        if unit == "week":
            return newest - dt.timedelta(days=newest.weekday()), newest
        if unit == "month":
            return newest.replace(day=1), newest
        return newest.replace(month=1, day=1), newest
    if m.group("lastn"):
        raw = m.group("n").lower()
        n = int(raw) if raw.isdigit() else _WORD_NUM[raw]
        unit = m.group("unit").lower().rstrip("s")
    else:
        n, unit = 1, m.group("unit1").lower()
    days = {"day": 1, "week": 7, "month": 30, "year": 365}[unit] * n
    # "Last week" is the seven days ending with the newest item: an archive's "now".
    return newest - dt.timedelta(days=days - 1), newest


def _cut(text: str, span: tuple[int, int]) -> str:
    """Blank out a matched phrase so later patterns do not read it again."""
    return text[:span[0]] + " " * (span[1] - span[0]) + text[span[1]:]


def name_table(names: list[str]) -> dict[str, str]:
    """Lower-cased name (and a name's part before a comma) -> the form to filter with."""
    table: dict[str, str] = {}
    for name in names:
        base = name.split(",")[0].strip()
        for candidate in (base, name):  # the full name wins where both exist
            if len(candidate) >= 2:
                table[candidate.lower()] = candidate
    return table


def _find_name(table: dict[str, str], text: str, cue: str) -> tuple[str, tuple[int, int]] | None:
    """Find the longest name of ``table`` right after a cue word in ``text``.

    Return the name as it filters ("San Mateo" for "San Mateo, Calif.") and the phrase's span.
    One pass over the cue words, then a dictionary look-up of the next one to six words, so the
    cost does not grow with the number of places in the archive.
    """
    best = None
    for m in re.finditer(rf"\b(?:{cue})\s+(?:the\s+)?", text, re.I):
        words = list(re.finditer(r"[\w.'’&-]+(?:,)?", text[m.end():m.end() + 80]))[:6]
        for n in range(len(words), 0, -1):
            end = m.end() + words[n - 1].end()
            phrase = text[m.end():end].rstrip(",.")
            name = table.get(phrase.lower())
            # All-caps names ("TIME", "AP") must be written in capitals: "at the same time" is no source.
            if name and (not name.isupper() or phrase == name):
                if best is None or len(name) > len(best[0]):
                    best = (name, (m.start(), m.end() + len(phrase)))
                break
    return best


# Words before a source's or a dateline place's name in a question: "according to Reuters",
# "datelined London", "news from Tehran". A bare "from" names what a story is about as often
# as where it was filed ("fresh fruit from San Diego", "an investment firm from Hong Kong" in
# stories filed in Washington), so only news words before it, or its standing apart ("...,
# from Wellington?", "From Tokyo: ..."), make it a dateline; the place name stays in the
# searched text, where the dateline column weighs it anyway.
_SOURCE_CUES = r"from|by|in|according\s+to|reported\s+by|at|did|does|on"
_PLACE_CUES = (r"datelined|dateline|filed\s+in|(?:reported|filed|written|sent)\s+from|out\s+of|"
               r"(?:news|reports?|stories|story|items?|articles?|dispatch(?:es)?|coverage)\s+from|"
               r"(?:(?<=,\s)|(?<![\s\S]))from")


def parse_question(question: str, facts: ArchiveFacts, *, date_from: str | None = None,
                   date_to: str | None = None, source: str | None = None,
                   place: str | None = None) -> ParsedQuery:
    """Read filters from the request fields and from the question itself.

    Request fields win over phrases in the question. A date phrase becomes a filter only when
    some item is dated inside it; a source or place only when the archive has it.

    >>> facts = ArchiveFacts(dates=["2017-06-22", "2017-06-30"], sources=["Iran Focus"], places=["London"])
    >>> q = parse_question("What happened on 24 June?", facts)
    >>> q.filters.date_from, q.filters.date_to
    (None, None)
    >>> parse_question("What happened in June 2017?", facts).filters.date_to
    '2017-06-30'
    """
    if question is None or not str(question).strip():
        raise DatelineError("question: must not be empty", code="bad_question", status=400)
    question = " ".join(str(question).split())
    filters = _request_filters(facts, date_from, date_to, source, place)
    notes = _request_notes(filters, facts)
    # Phrases that became filters are blanked out of the searched text; ``work`` also loses
    # the date phrases read as topic, so that no later pattern reads them again.
    work = search = question
    date_phrase = unheld = None
    if not filters.has_dates:
        work, search, date_phrase, unheld = _dates_from_question(work, search, facts, filters, notes)
    dates_from_question = date_phrase is not None
    names_read = _names_from_question(work, facts, filters, notes)
    text = _without_hedges(search) or question
    # A date phrase that filters already named a period; when the request set the dates, the
    # question's own phrases were not read as filters and are checked here.
    named = dates_from_question or (bool(date_from or date_to) and _names_a_period(question, facts))
    as_of, newest_first = (None, False) if named else _as_of(question, date_to and filters.date_to, facts,
                                                             notes, topic=bool(terms(text)))
    return ParsedQuery(question=question, text=text, filters=filters, notes=notes,
                       ordered=bool(_WHEN.search(question)), dates_from_question=dates_from_question,
                       as_of=as_of, newest_first=newest_first, names_read=names_read, unheld_period=unheld,
                       counted_back=date_phrase if date_phrase and _RELATIVE.fullmatch(date_phrase) else None)


def over_all_dates(parsed: ParsedQuery) -> ParsedQuery:
    """``parsed`` without the period its relative phrase counted back from the archive's newest
    item ("last week").

    The newest item's date only guesses at the asker's "now" (a TIME story's "last week" is
    1963's), so when nothing inside that period answers, `ask` searches again over all dates;
    a guess that proved wrong is no ground for ranking newer items first either.
    """
    notes = [n for n in parsed.notes if not n.startswith("dates ")]
    notes.append(f"nothing dated {parsed.filters.date_from} to {parsed.filters.date_to} "
                 f"(\"{parsed.counted_back}\", counted back from the archive's newest item) answers this: "
                 "searched all dates")
    return replace(parsed, filters=replace(parsed.filters, date_from=None, date_to=None), notes=notes,
                   dates_from_question=False, as_of=None, counted_back=None)


def with_the_month_after(parsed: ParsedQuery) -> ParsedQuery | None:
    """``parsed`` with the month its question names ("What was Saudi Arabia's crude output in
    February?") widened to the end of the month after, or None when the question names no single
    month. A month's figures are reported after it ends: the story is dated 2 March.
    """
    f = parsed.filters
    if not (parsed.dates_from_question and f.date_from and f.date_to):
        return None
    start, end = dt.date.fromisoformat(f.date_from), dt.date.fromisoformat(f.date_to)
    if start.day != 1 or end != _period_end(start, "month"):
        return None
    last = _period_end(end + dt.timedelta(days=1), "month")
    notes = [n for n in parsed.notes if not n.startswith("dates ")]
    notes.append(f"nothing dated {f.date_from} to {f.date_to} answers this: searched up to {last.isoformat()}, "
                 "when a month's news is often reported")
    return replace(parsed, filters=replace(f, date_to=last.isoformat()), notes=notes)


def without_the_day(parsed: ParsedQuery) -> ParsedQuery | None:
    """``parsed`` over all dates, when its question named one day and the filter came from it;
    None otherwise. "Which news agency carried the June 19th report ...?" names the day of a
    report that a story of 27 June tells of; `ask` takes the answer from all dates only when
    the day's own items answer weakly or not at all and the sentence found names that day
    (names_the_day).
    """
    f = parsed.filters
    if not (parsed.dates_from_question and f.date_from and f.date_from == f.date_to) or parsed.counted_back:
        return None
    notes = [n for n in parsed.notes if not n.startswith("dates ")]
    notes.append(f"nothing dated {f.date_from} answers this well: answered from a story that names that day")
    return replace(parsed, filters=replace(f, date_from=None, date_to=None), notes=notes, dates_from_question=False)


def names_the_day(text: str, day: str) -> bool:
    """Whether ``text`` names the ISO ``day``'s month and day ("June 19th", "19 June", "Jun 19")."""
    when = dt.date.fromisoformat(day)
    month = "|".join(name for name, number in MONTHS.items() if number == when.month)
    n = rf"0?{when.day}(?:st|nd|rd|th)?"
    return bool(re.search(rf"\b(?:(?:{month})\.?\s+{n}|{n}\s+(?:of\s+)?(?:{month}))\b", text, re.I))


def without_names_read(parsed: ParsedQuery) -> ParsedQuery:
    """``parsed`` without the source and place filters read from names in the question.

    "fresh fruit from San Diego" names what the story is about, not where it was filed; when
    nothing under such a filter answers, `ask` searches again without it and says so.
    """
    dropped = {name: getattr(parsed.filters, name) for name in parsed.names_read}
    notes = [n for n in parsed.notes if not any(n.startswith(f"{name} {value} ") for name, value in dropped.items())]
    said = " or ".join(f"from {v}" if name == "source" else f"datelined {v}" for name, v in dropped.items())
    notes.append(f"nothing {said} answers this: searched without that filter")
    return replace(parsed, filters=replace(parsed.filters, **dict.fromkeys(dropped)), notes=notes, names_read=())


def _names_a_period(question: str, facts: ArchiveFacts) -> bool:
    """Whether the question names a period some item is dated in ("in March 1987"); "this week"
    or "last month" count back from the as-of date, so they ask for recency instead."""
    return any(facts.count_dated(lo and lo.isoformat(), hi and hi.isoformat())
               for (lo, hi), _, phrase in _question_dates(question, facts.newest)
               if not _RELATIVE.fullmatch(phrase))


# "latest" before the thing it is the newest of ("the latest US sanctions"), "now" before what
# holds now ("How many firms currently belong ...?"); not before "on" or news, nor at the end.
_BEFORE_A_NOUN = re.compile(r"\s+(?!(?:on|about|in|of|from|for|to|at|with|regarding|concerning|" + _NEWS_WORDS
                            + r")\b)[\w-]", re.I)


def _as_of(question: str, requested_to: str | None, facts: ArchiveFacts,
           notes: list[str], topic: bool = True) -> tuple[str | None, bool]:
    """(the date recency counts back from, whether the most relevant stories are shown newest
    first). A request's `to` date makes age a ranking signal, as tuned on RealTime QA's dated
    quiz; a question that asks for the latest with no `to` date ("What is the latest on the
    Italian elections?") has its most relevant stories ordered newest first, so that a newer
    story on something else (South Korea's elections) cannot outrank them. (None, False) when
    neither (a period the question names was applied as a filter instead, and the caller does
    not ask). With no ``topic`` words ("What is the latest news?") the newest items are shown. A
    question for a name, a figure or a date of the newest of a thing ("Who examined the latest
    US sanctions?") ranks newer items higher instead, counting back from the newest item."""
    asks_latest = _AS_OF.search(question)
    if requested_to:
        notes.append(f"newer items rank higher, counting back from {requested_to} (the request's \"to\" date)")
        return requested_to, False
    if asks_latest and facts.newest and topic and _BEFORE_A_NOUN.match(question, asks_latest.end()) \
            and answer_type.expected(question) is not None:
        # "Who examined the latest US sanctions?", "How powerful was the latest test blast?": the
        # newest of a thing, or what holds now, asked for a name, a figure or a date, is answered
        # by the sentence that gives it, newer items ranking higher; the newest story need not
        # hold it ("Which bid is the most recent?" still shows the newest first).
        notes.append(f"newer items rank higher, counting back from the archive's newest item, "
                     f"{facts.newest.isoformat()} (\"{asks_latest.group(0)}\")")
        return facts.newest.isoformat(), False
    if asks_latest and facts.newest:
        shown = "the most relevant items, newest first" if topic else "the newest items"
        notes.append(f"{shown} (\"{asks_latest.group(0)}\"; "
                     f"the archive's newest item is of {facts.newest.isoformat()})")
        return facts.newest.isoformat(), True
    return None, False


def _request_filters(facts: ArchiveFacts, date_from: str | None, date_to: str | None,
                     source: str | None, place: str | None) -> Filters:
    """The request's own filter fields, checked, with names as the archive spells them."""
    source, place = (source or "").strip() or None, (place or "").strip() or None
    filters = Filters(
        date_from=check_date(date_from, "date_from"),
        date_to=check_date(date_to, "date_to", end=True),
        source=facts.spelling("source", source),
        place=facts.spelling("place", place),
    )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise DatelineError(f"date_from {filters.date_from} is after date_to {filters.date_to}",
                            code="bad_date", status=422)
    return filters


# The request's filters as a note names them for a reader (not by their API fields).
_REQUEST_FILTERS = {"date_from": "items dated from", "date_to": "items dated up to", "source": "source", "place": "place"}


def _request_notes(filters: Filters, facts: ArchiveFacts) -> list[str]:
    """One note per filter the request set, and one for each name no item has."""
    notes: list[str] = []
    for name in ("date_from", "date_to", "source", "place"):
        if getattr(filters, name):
            notes.append(f"{_REQUEST_FILTERS[name]} {getattr(filters, name)} (the request's filter)")
            if name in ("source", "place"):
                # A misspelt or absent name filters everything out: say so, and what was meant.
                unknown = facts.unknown_name_note(name, getattr(filters, name))
                if unknown:
                    notes.append(unknown)
    return notes


_READ_AS_TOPIC = " read as part of the topic: no item is dated "  # a date phrase's note when no item is


def _dates_from_question(work: str, search: str, facts: ArchiveFacts, filters: Filters, notes: list[str]
                         ) -> tuple[str, str, str | None, tuple[str | None, str | None] | None]:
    """Set ``filters``' dates from the first date phrase some item is dated inside, noting each
    phrase read; return ``work`` and ``search`` with the phrases read cut, the phrase that
    filtered (None when none did), and the period of a phrase read as topic that is all the
    question names ("And in July?" of an archive with no July: see ParsedQuery.unheld_period)."""
    unheld = None
    for (lo, hi), span, phrase in _question_dates(work, facts.newest):
        lo_iso, hi_iso = (lo.isoformat() if lo else None), (hi.isoformat() if hi else None)
        if facts.count_dated(lo_iso, hi_iso):
            filters.date_from, filters.date_to = lo_iso, hi_iso
            notes.append(f"dates {filters.period} from \"{phrase}\"")
            return _cut(work, span), _cut(search, span), phrase, None
        notes.append(f"\"{phrase}\"{_READ_AS_TOPIC}{lo or '...'} to {hi or '...'}")
        work = _cut(work, span)
        if unheld is None and not terms(work):
            unheld = (lo_iso, hi_iso)
    return work, search, None, unheld


def _names_from_question(work: str, facts: ArchiveFacts, filters: Filters, notes: list[str]) -> tuple[str, ...]:
    """Set the source and the place the request left open from names in ``work``, noting each;
    return the names of the filters set."""
    read = []
    if filters.source is None:
        hit = _find_name(facts.source_table, work, _SOURCE_CUES)
        if hit:
            filters.source = hit[0]
            notes.append(f"source {hit[0]} from the question")
            work = _cut(work, hit[1])
            read.append("source")
    if filters.place is None:
        hit = _find_name(facts.place_table, work, _PLACE_CUES)
        if hit:
            filters.place = hit[0]
            notes.append(f"place {filters.place} (dateline) from the question")
            read.append("place")
    return tuple(read)


# "the week ended March 14", "the year to March 31": a date that ends a reporting period names
# what the figures cover, not when the story ran (a week's figures come out days later), so it
# stays in the topic instead of filtering.
_PERIOD_END = re.compile(r"\b(?:week|weeks|month|months|quarter|year|period|fortnight|session)\s+"
                         r"(?:ended|ending|ends|to)\s+(?:on\s+)?$", re.I)


# A question that is only a date after "and" or "what about" ("And March 2017?"): a bare month and
# year elsewhere is read only after "in", "on" and the like ("the March 2017 report" names one).
_ONLY_A_DATE = re.compile(r"^\s*(?:and|what\s+about|how\s+about)\s+(?P<a>[\w ,.-]+?)\s*[?.!]*\s*$", re.I)


def _question_dates(text: str, newest: dt.date | None) -> list[tuple[tuple[dt.date | None, dt.date | None], tuple[int, int], str]]:
    """Every date phrase in ``text``, most specific pattern first: ((first, last), span, phrase)."""
    found = []
    # The end dates of reporting periods are taken first, so that no pattern reads them.
    taken: list[tuple[int, int]] = [m.span() for pattern in (_BARE_DAY, _RELATIVE) for m in pattern.finditer(text)
                                    if _PERIOD_END.search(text[:m.start()])]
    taken += [m.span("a") for m in _IN.finditer(text) if _PERIOD_END.search(text[:m.start("a")])]

    def free(span):
        return all(span[1] <= a or span[0] >= b for a, b in taken)

    for m in _WEEK_OF.finditer(text):
        a = _read_date(m.group("a"), newest)
        if a:
            found.append(((a[0], a[0] + dt.timedelta(days=WEEK_DAYS - 1)), m.span(), m.group(0)))
            taken.append(m.span())
    for m in _DAYS.finditer(text):
        if not free(m.span()):
            continue
        if m.group("d1"):
            b = _read_date(m.group("b1"), newest)
            a = b and _read_date(f"{m.group('d1')} {b[0]:%B %Y}", newest)
        else:
            year = m.group("y2") or ""
            a = _read_date(f"{m.group('d2')} {m.group('m2')}{year}", newest)
            b = a and _read_date(f"{m.group('e2')} {a[0]:%B %Y}", newest)
        if a and b and a[0] <= b[1]:
            found.append(((a[0], b[1]), m.span(), m.group(0)))
            taken.append(m.span())
    for m in _RANGE.finditer(text):
        if not free(m.span()):
            continue
        b = _read_date(m.group("b"), newest)
        if b is None:
            continue
        # "between March and May 1987": the first end borrows the second's year.
        a = _read_date(m.group("a"), newest, default_year=b[0].year if not re.search(_YEAR, m.group("a")) else None)
        if a and a[0] <= b[1]:
            found.append(((a[0], b[1]), m.span(), m.group(0)))
            taken.append(m.span())
    m = _ONLY_A_DATE.match(text)  # "What about March 2017?", "And 2016?": a follow-up's new period
    if m and free(m.span("a")) and (r := _read_date(m.group("a"), newest)):
        found.append((r, m.span("a"), m.group("a")))
        taken.append(m.span("a"))
    if newest is not None:
        for m in _RELATIVE.finditer(text):
            if free(m.span()):
                found.append((_relative(m, newest), m.span(), m.group(0)))
                taken.append(m.span())
    for pattern in (_ON, _IN):
        for m in pattern.finditer(text):
            if free(m.span()):
                r = _read_date(m.group("a"), newest)
                if r:
                    found.append((r, m.span(), m.group(0)))
                    taken.append(m.span())
    for m in _SINCE.finditer(text):
        if free(m.span()):
            r = _read_date(m.group("a"), newest)
            if r:
                op = m.group("op").lower()
                if op == "from" and not _ONWARDS.match(text, m.end()):
                    rng = r  # "news from 2016", "reports from June": dated then
                else:
                    rng = (r[0], None) if op in ("since", "after", "from") else (None, r[1])
                found.append((rng, m.span(), m.group(0)))
                taken.append(m.span())
    for m in _BARE_DAY.finditer(text):
        if free(m.span()):
            r = _read_date(m.group("a"), newest)
            if r:
                found.append((r, m.span(), m.group(0)))
                taken.append(m.span())
    return found


def counts_back(question: str) -> bool:
    """Whether ``question`` holds a period counted back from the newest item ("last week",
    "yesterday") rather than one it names ("on June 23", "in June 2017")."""
    return bool(_RELATIVE.search(question))


def merge_filters(new: ParsedQuery, previous: Filters | None, *, period_told: bool = False) -> ParsedQuery:
    """Carry a previous turn's filters into a follow-up unless the new question sets its own.
    ``period_told``: the period a follow-up names alone, which no item is dated in, is one the
    earlier answer's stories tell of (chat._period_told): it stays a topic word."""
    if previous is None:
        return new
    f = replace(new.filters)
    carried = []
    notes = list(new.notes)
    if not f.has_dates and new.unheld_period and not period_told:
        # "And in July?" asks about July, of which the archive holds nothing: not about the
        # previous question's dates with "July" as a topic word.
        f.date_from, f.date_to = new.unheld_period
        notes = [n for n in notes if not (_READ_AS_TOPIC in n and n.endswith(f.period))]  # said below
        notes.append(f"dates {f.period}: a follow-up that names only a period asks about that period; "
                     "no item is dated then")
    elif not f.has_dates and not new.dates_from_question and previous.has_dates:
        f.date_from, f.date_to = previous.date_from, previous.date_to
        carried.append(f"dates {f.period}")
    if f.source is None and previous.source:
        f.source = previous.source
        carried.append(f"source {f.source}")
    if f.place is None and previous.place:
        f.place = previous.place
        carried.append(f"place {f.place}")
    notes += [f"{c} carried over from the previous question" for c in carried]
    return replace(new, filters=f, notes=notes)
