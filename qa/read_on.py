""""Tell me more": the passage after what the previous answer showed of an item it cited.

A reader who wants more of a story asks for it ("Tell me more", "More?", "Go on", "Tell me more
about the second one"). Searching again would find the same sentence and quote it again; what
they want is the text that follows the excerpt they were shown. The previous answer, as the
client sends it back, says which item each citation quoted and where its excerpt ended.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .request import cited
from .sentences import sentences

MORE_CHARS = 600  # what one "more" shows: whole sentences after the excerpt, up to about this long
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5}
_MORE = re.compile(
    r"^\s*(?:and\s+|ok(?:ay)?,?\s+|please\s+)?"
    r"(?:(?:(?:can|could)\s+you\s+)?(?:tell|show|give)\s+me\s+(?:some\s+)?more|(?:some\s+)?more|go\s+on|continue|"
    r"keep\s+going|read\s+on)"
    r"(?:\s+(?:about|on|of|from)\s+(?P<what>it|that|this|that\s+story|this\s+story|the\s+story|"
    r"(?:the\s+)?(?P<ordinal>first|second|third|fourth|fifth|last)(?:\s+(?:one|story|item|source|citation))?|"
    r"\[?(?P<number>\d)\]?))?"
    r"(?:,?\s+please)?\s*[?.!]*\s*$", re.I)


def asks_more(question: str) -> bool:
    """Whether ``question`` asks for more of what the previous answer cited."""
    return bool(_MORE.match(question))


def named_citation(question: str, count: int) -> int | None:
    """Which of the previous answer's ``count`` citations "more" names, by ordinal or number
    ("the second one", "the last story", "[2]"); None when it names none."""
    m = _MORE.match(question)
    if m and m.group("number"):
        return int(m.group("number"))
    if m and m.group("ordinal"):
        word = m.group("ordinal").lower()
        return count if word == "last" else _ORDINALS[word]
    return None


@dataclass
class NextPassage:
    """Where to read on: the item, the span after what was shown, and the citation it came from."""

    item_id: str
    start: int
    end: int
    n: int  # the previous answer's citation number
    before: bool = False  # the span is the item's start, which the excerpt shown began after


def next_passage(body: str, shown_end: int) -> tuple[int, int] | None:
    """The whole sentences of ``body`` after offset ``shown_end``, up to about MORE_CHARS (at
    least one); None when what is left holds no sentence of words (the end, or a wire's sign-off
    such as "REUTER")."""
    spans = [(shown_end + s, shown_end + e) for s, e in sentences(body[shown_end:])]
    spans = [(s, e) for s, e in spans if re.search(r"[a-z]", body[s:e])]
    if not spans:
        return None
    end = spans[0][1]
    for s, e in spans[1:]:
        if e - spans[0][0] > MORE_CHARS:
            break
        end = e
    return spans[0][0], end


def quoted_end(answer_text: str, n: object, body: str) -> int | None:
    """Where the sentence an answer quoted for ``[n]`` ends in ``body``, found by its words: a
    chat client sends back the answer's text and its sources, not the excerpts' offsets. A dated
    line's lead ("22 Jun 2017?, London: ") is not the item's text. None when not found."""
    parts = re.split(r"\s?\[(\d+)\]", answer_text)
    for text, number in zip(parts[0::2], parts[1::2]):
        if number != str(n):
            continue
        for quote in (text.strip(), text.split(": ", 1)[-1].strip()):
            words = quote.strip('"').split()
            if not words:
                continue
            m = re.search(r"\s+".join(map(re.escape, words)), body)
            if m:
                return m.end()
    return None


def where_to_read_on(question: str, previous: dict, bodies: dict[str, str], *,
                     from_start: bool = True) -> NextPassage | None:
    """The passage "more" should show, in its item's body (``bodies``: item id -> body): after the
    excerpt of the citation the question names; naming none, after the first citation's that
    has more (the one the answer leads with, usually), or else its start where the excerpt
    began further in (``from_start``: not when the previous answer was itself read on, whose
    excerpt follows what an earlier one showed). A citation that does not say where its
    excerpt ended (read back from a chat client's text) is read on from the end of the sentence
    the answer quoted for it. None when there is no more."""
    citations = cited(previous)
    named = named_citation(question, len(citations))
    for c in citations:
        if named is not None and c.get("n") != named:
            continue
        body, end = bodies.get(str(c["item_id"])), c.get("end")
        if body is not None and not isinstance(end, int):
            end = quoted_end(str(previous.get("answer") or ""), c.get("n"), body)
        if body is None or not isinstance(end, int) or not 0 <= end <= len(body):
            continue  # deleted or changed since, or its quote is not found in it
        span = next_passage(body, end)
        if span is not None:
            return NextPassage(str(c["item_id"]), span[0], span[1], int(c.get("n") or 0))
        # Nothing after it: the item's start, when its excerpt began further in (a story's lead,
        # which a sentence from its last paragraph did not show), is more of it too.
        start = c.get("start")
        span = next_passage(body[:start], 0) if from_start and isinstance(start, int) and 0 < start <= end else None
        if span is not None:
            return NextPassage(str(c["item_id"]), span[0], span[1], int(c.get("n") or 0), before=True)
    return None
