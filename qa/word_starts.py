"""Where a text's words start, found with one substring search per prefix.

Finding whether a question's stem starts a word of a cited chunk was a str.find loop per stem and
chunk, checking the character before each hit in Python (about a twentieth of `ask` on TIME).
In the chunk's "word marks" (the lower-cased text with every character that is not a letter,
digit or "_" replaced by NUL, after one leading NUL), NUL + the stem occurs exactly where a word
starts with the stem, so one ``in`` answers. The marks are kept per chunk text: the same chunks
answer many questions.
"""
from __future__ import annotations

import re

from .text_cache import TextCache

MARK = "\x00"
# A word starts after any character but a letter, a digit or "_" ("foo_bar" has no word "bar").
# re's [^\W_] is str.isalnum() exactly.
_NOT_WORD = re.compile(r"\W")
_ALNUM = re.compile(r"[^\W_]+")
_MARKS = TextCache(8192)  # about 1.5 KB a chunk: 12 MB at most


def word_marks(text: str) -> str:
    """MARK + ``text`` lower-cased, with MARK for every character that is not a word character."""
    return _MARKS.get(text, lambda: MARK + _NOT_WORD.sub(MARK, text.lower()))


def mark_key(prefix: str) -> str | None:
    """What to look for in word marks for a lower-cased ``prefix``; None when it holds something
    other than letters and digits ("u.s", "o'neil"), which starts_a_word finds in the text itself."""
    return MARK + prefix if _ALNUM.fullmatch(prefix) else None


def starts_a_word(text: str, prefix: str) -> bool:
    """Whether ``prefix`` starts a word of ``text`` (both lower-cased): "execut" in "... executed"."""
    at = text.find(prefix)
    while at >= 0:
        if at == 0 or not text[at - 1].isalnum() and text[at - 1] != "_":
            return True
        at = text.find(prefix, at + 1)
    return False
