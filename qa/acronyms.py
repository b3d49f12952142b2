"""An acronym a question uses for a name its stories write out: "BOJ" for "Bank of Japan", "IRFC"
for "Indian Railway Finance Corporation", "AMC" for "American Motors Corp".

Full text matches words, so a question that says "the BOJ" misses the stories that say "the Bank
of Japan". The name is looked for in the stories the question finds first: a capitalised run
whose initials spell the acronym. Found, the question is searched again with the name beside the
acronym (Engine.ask; its sentence is still chosen by its own words), and its note says so.
"""
from __future__ import annotations

import collections
import re
from collections.abc import Iterable

from .answer_type import ACRONYM_SKIP, BARE_FORMS, NAME_RUN

# An acronym as a question writes it: two to six capitals standing alone ("BOJ", "IRFC", "BT's").
_ACRONYM = re.compile(r"(?<![\w.&'’-])[A-Z]{2,6}(?=['’]s\b|[^\w.&'’-]|$)")
_DOTTED = re.compile(r"(?:[A-Z]\.){2,}")  # "U.S." gives its letters: "U.S. Trade Representative" is USTR
# A name's run of capitalised words, and the runs "and" joins to it: "Office of Management and
# Budget" (OMB) is one name, though a run of capitals stops at "and".
_NAME = re.compile(rf"(?:{NAME_RUN.pattern})(?:\s+and\s+(?:{NAME_RUN.pattern}))*")
MIN_NAME_WORDS = 2
MAX_NAME_WORDS = 6
STORIES_READ = 20  # of the question's best-ranked stories, the first this many are read for the name


def asked(question: str) -> list[str]:
    """The acronyms ``question`` uses, in order; none of a question in capitals (TIME's topics),
    where every word is one."""
    if not any(ch.islower() for ch in question):
        return []
    return list(dict.fromkeys(_ACRONYM.findall(question)))


def _letters(word: str) -> str:
    return word.replace(".", "") if _DOTTED.fullmatch(word) else word[0]


def initials(words: list[str]) -> set[str]:
    """The ways a run of words is written in initials: every word's, or without the small words
    ("Office of Management and Budget" is OMB, while "Bank of Japan" is BOJ); with a last legal
    form's initial or without it ("American Motors Corp" is AMC, "British Telecommunications Plc"
    BT)."""
    out = set()
    for kept in (words, [w for w in words if w.lower() not in ACRONYM_SKIP]):
        if len(kept) < MIN_NAME_WORDS:
            continue
        out.add("".join(map(_letters, kept)).upper())
        if kept[-1].lower().rstrip(".") in BARE_FORMS:
            out.add("".join(map(_letters, kept[:-1])).upper())
    return out


def written_out(acronym: str, stories: Iterable[str]) -> str | None:
    """The name ``stories`` most often write that ``acronym`` stands for ("Bank of Japan" for BOJ):
    a run of capitalised words, or a part of one ("Bank of Japan Governor Satoshi Sumita"), whose
    initials spell it. None when none does, or when more of them write the acronym itself than
    the name: such an acronym ("AIDS", "OPEC", "UAW") is how the archive names the thing, and its
    stories are found by it."""
    counts: collections.Counter[str] = collections.Counter()
    itself = re.compile(rf"(?<![\w.&'’-]){acronym}(?![\w&-])")
    using = 0  # stories that write the acronym itself
    for text in stories:
        using += bool(itself.search(text))
        counts.update({name for m in _NAME.finditer(text) if (name := _spelling(acronym, m.group(0)))})
    if not counts:
        return None
    name, written = counts.most_common(1)[0]
    return name if written > using else None


def _spelling(acronym: str, run: str) -> str | None:
    """The first part of ``run`` whose initials spell ``acronym``, or None."""
    words = [w.removesuffix("'s").removesuffix("’s") for w in re.findall(r"[\w&'’.-]+", run)]
    return next((" ".join(words[a:b]) for a in range(len(words)) if words[a][0] == acronym[0]
                 for b in range(a + MIN_NAME_WORDS, min(len(words), a + MAX_NAME_WORDS) + 1)
                 if acronym in initials(words[a:b])), None)
