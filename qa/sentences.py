"""Split an item's body into sentences and paragraphs, as offsets into the text.

A sentence ends at a full stop, "!" or "?" before a capital or digit, except after an
abbreviation, a title or initials ("U.S. Agriculture", "Mr. Smith", "A.H. Belo"), and always
at a blank line. Splits of bodies are cached by item: the same items answer many questions.
"""
from __future__ import annotations

import bisect
import re

from .text_cache import TextCache
from .words import INITIALS

ABBREV_LOOKBACK = 24  # characters searched back for the word before a full stop ("U.S.", "Feb.")

_ABBREV = frozenset("mr mrs ms dr st jr sr inc co corp ltd bros no vs gen gov sen rep jan feb mar apr "
                    "jun jul aug sep sept oct nov dec "
                    "sgt lt col capt cpl maj adm prof rev hon pres atty supt det insp mt ft messrs".split())
_LAST_WORD = re.compile(r"[\w.]+$")
_INITIALS = re.compile(INITIALS)  # "u.s", "a.h", "e.g"
_BOUNDARY = re.compile(r"([.!?]+[\"'”’)\]]*)(\s+)(?=[\"'“‘(\[]?[A-Z0-9])|\n\s*\n")


def sentences(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into sentences; return (start, end) offsets with whitespace trimmed."""
    spans = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        if m.group(1):
            # Look back a few characters only: searching from the sentence start is quadratic.
            word = _LAST_WORD.search(text, max(start, m.start(1) - ABBREV_LOOKBACK), m.start(1))
            w = word.group(0).lower().rstrip(".") if word else ""
            # "U.S. Agriculture", "Mr. Smith", "Feb. 26", "A.H. Belo": not a sentence end.
            if w in _ABBREV or (len(w) == 1 and w.isalpha()) or _INITIALS.fullmatch(w):
                continue
            end = m.end(1)
        else:
            end = m.start()
        spans.append((start, end))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        seg = text[s:e]
        lead = len(seg) - len(seg.lstrip())
        trail = len(seg) - len(seg.rstrip())
        if e - trail > s + lead:
            out.append((s + lead, e - trail))
    return out


_PARAGRAPH = re.compile(r"\n\s*\n")


# A paragraph: (start, end) in the body, and its sentences' (start, end) in the body.
Paragraph = tuple[int, int, list[tuple[int, int]]]
# Items' bodies split into paragraphs and sentences: the same items answer many questions, and
# splitting a long article was a tenth of `ask`'s time on TIME (docs/performance.md).
_PARAGRAPHS = TextCache(1024)


def paragraphs(item_id: str, body: str) -> list[Paragraph]:
    """``body`` split into paragraphs and sentences, kept for the next question about the item."""
    return _PARAGRAPHS.get((item_id, hash(body)), lambda: split_paragraphs(body))


def split_paragraphs(body: str) -> list[Paragraph]:
    """Split ``body`` at blank lines, then each paragraph into sentences (a blank line always
    ends a sentence)."""
    bounds, start = [], 0
    for m in _PARAGRAPH.finditer(body):
        bounds.append((start, m.start()))
        start = m.end()
    bounds.append((start, len(body)))
    return [(b, e, [(b + s, b + t) for s, t in sentences(body[b:e])]) for b, e in bounds]


def sentences_near(paragraphs: list[Paragraph], offsets: list[int]) -> list[tuple[int, int]]:
    """The sentences of the first paragraph, of those holding one of ``offsets``, and of the
    paragraph after each of them, in order."""
    keep = {0}
    firsts = [b for b, _, _ in paragraphs]
    for at in offsets:
        k = bisect.bisect_right(firsts, at) - 1
        keep.update((k, k + 1))
    return [span for k in sorted(keep) if k < len(paragraphs) for span in paragraphs[k][2]]
