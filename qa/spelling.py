"""Words typed one letter off ("shraes", "aquiring", "comapny"), read as the word the archive holds.

A question typed in a hurry misspells a common word; full-text search then finds nothing for it,
the no-answer evidence counts it as a rare word no item holds (which refuses), and no sentence
holds it. Such a word is read as the word one edit away (a letter dropped, added, changed, or
two swapped) that the most items hold, and the answer's notes say so. Only a lower-case word of
MIN_LETTERS or more that English at large seldom spells (words.rare_in_general: "shraes" takes
several cl100k tokens, "snapped" one), that is no word of the bundled model's vocabulary, nor one
inflected or after a prefix ("aground" is one, "misusing" is "mis" + "using"), and that no item
holds is read again, and only as a word of that vocabulary or one sharing its stem ("humiliate",
of "humiliated"; "jobness", which two Reuters stories hold, is none): a common word the archive
lacks is no slip. One item holding the reading is enough: the 17 stories of the demo archive
write "humiliate" once, and a word of the vocabulary is no slip itself.

A capitalised word may be a name the archive lacks, so one is read again only when it has
SWAPS_ONLY_BELOW letters or more and is a name's usual slip (name_edits) from a word that items
write, as a name or a word of the vocabulary ("Khamanei" as "Khamenei", "Parliment" as
"Parliament"); the note says how it was read.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable

from dateline.index.embed import bundled_model_dir

from .words import STOP_WORDS, rare_in_general, stem

MIN_LETTERS = 4
MIN_NAME_ITEMS = 1  # a name is often in one story only ("Khamenei" in the demo archive)
# A reading outside the vocabulary is taken when this many items hold it: "dividend", which
# WordPiece lacks, for "dividned" (its vocabulary reading "divided" is held less).
MANY_ITEMS = 50
SWAPS_ONLY_BELOW = 6  # a shorter slip is read only by two letters swapped: "opec" is no "spec"
# Contractions typed without their apostrophe are words, not slips ("wasnt" is no "want").
_CONTRACTIONS = frozenset("""dont doesnt didnt isnt arent wasnt werent hasnt havent hadnt wont wouldnt couldnt
shouldnt cant mustnt neednt theyre youre weve theyve youve theyll youll itll thats theres whos whats
hows wheres whens""".split())
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_WORD = re.compile(rf"(?<![\w'’-])[a-z]{{{MIN_LETTERS},}}(?![\w'’-])")
_NAME = re.compile(rf"(?<![\w'’-])[A-Z][a-z]{{{SWAPS_ONLY_BELOW - 1},}}(?![\w'’-])")  # "Khamanei"


def one_edit(word: str) -> set[str]:
    """Every word one edit from ``word`` that keeps its first letter (slips seldom touch it): a
    letter dropped, added or changed, or two next to each other swapped; for a word shorter than
    SWAPS_ONLY_BELOW, a swap only."""
    out = {word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1)}
    if len(word) >= SWAPS_ONLY_BELOW:
        for i in range(1, len(word) + 1):
            out.update(word[:i] + c + word[i:] for c in _LETTERS)
        for i in range(1, len(word)):
            out.add(word[:i] + word[i + 1:])
            out.update(word[:i] + c + word[i + 1:] for c in _LETTERS)
    out.discard(word)
    return {w for w in out if w[:1] == word[:1]}


_VOWELS = "aeiouy"


def name_edits(word: str) -> set[str]:
    """The slips a name is most often typed with, undone (a lower-case ``word``; its first letter
    kept): two letters swapped, a vowel changed, dropped or added, a letter doubled or a double
    undone ("khamanei": "khamenei"). A fifth of one_edit's readings, each a full-text lookup."""
    out = {word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(1, len(word) - 1)}
    for i in range(1, len(word) + 1):
        out.update(word[:i] + v + word[i:] for v in _VOWELS)  # a vowel added
        if i < len(word):
            out.add(word[:i] + word[i] + word[i:])  # a letter doubled
            if word[i] in _VOWELS:
                out.update(word[:i] + v + word[i + 1:] for v in _VOWELS)  # a vowel changed
                out.add(word[:i] + word[i + 1:])  # or dropped
            if word[i] == word[i - 1]:
                out.add(word[:i] + word[i + 1:])  # a double undone
    out.discard(word)
    return out


@functools.lru_cache(maxsize=1)
def english_stems() -> frozenset[str]:
    """The stems of english_words: "humiliate", which WordPiece splits, is the stem of its "humiliated"."""
    return frozenset(map(stem, english_words()))


@functools.lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """The whole words of the bundled model's WordPiece vocabulary (about 20,000 of English's
    common words); none where it cannot be read, which turns reading slips off."""
    try:
        entries = (bundled_model_dir() / "vocab.txt").read_text(encoding="utf-8").split()
    except (ImportError, OSError):
        return frozenset()
    return frozenset(w for w in entries if w.isalpha() and w.islower())


# A word the vocabulary lacks may still be English: an inflection or a prefix of one of its words
# ("misusing" is "mis" + "using", not a slip for "missing"; "jobless" is "job" + "less").
_SUFFIXES = ("ing", "ed", "es", "s", "er", "ers", "ly", "less", "ness", "ment", "ments", "ation", "ations", "ity",
             "ize", "ise", "ized", "ised", "izing", "ising", "al")
_PREFIXES = ("mis", "re", "un", "dis", "over", "under", "out", "pre", "non", "sub", "co", "inter", "anti", "counter")


def _english(word: str, english: frozenset[str], prefixed: bool = True) -> bool:
    """Whether ``word`` is one of ``english``'s words, inflected or after a prefix (the word left
    has MIN_LETTERS letters at least: WordPiece's vocabulary also holds fragments, "sha", "las")."""
    if word in english or word in _CONTRACTIONS:
        return True
    for suffix in _SUFFIXES:
        base = word[:-len(suffix)]
        if word.endswith(suffix) and len(base) >= MIN_LETTERS and (
                base in english or base + "e" in english or base[-1] == base[-2] and base[:-1] in english):
            return True
    return prefixed and any(word.startswith(p) and _english(word[len(p):], english, prefixed=False)
                            for p in _PREFIXES if len(word) - len(p) >= MIN_LETTERS)


def respelled(question: str, items_holding: Callable[[str], int],
              names: frozenset[str] = frozenset(),
              writes: Callable[[str], bool] | None = None) -> tuple[str, list[tuple[str, str]]]:
    """``question`` with each slip replaced, and the (slip, reading) pairs; ``items_holding``
    counts the items that hold a word as full-text search stems it (up to the retriever's
    budget, so that among very common readings the later in the alphabet wins); ``names``
    holds the archive's sources and places in lower case, which are no slips ("politico");
    ``writes`` says whether an item writes a word itself, as a capitalised slip's reading must
    be (without it, capitalised words are left as typed)."""
    fixes: list[tuple[str, str]] = []
    english = english_words()

    def reading(m: re.Match) -> str:
        word = m.group(0)
        if word in STOP_WORDS or word in names or _english(word, english) or not rare_in_general(word) \
                or items_holding(word):
            return word
        counted = ((items_holding(w), w) for w in sorted(one_edit(word)))
        held, best = max(((n, w) for n, w in counted if (w in english or stem(w) in english_stems()) and n
                          or n >= MANY_ITEMS), default=(0, word))
        if not held:
            return word
        fixes.append((word, best))
        return best

    def name_reading(m: re.Match) -> str:
        word = m.group(0)
        low = word.lower()
        if low in STOP_WORDS or low in names or _english(low, english) or not rare_in_general(low) \
                or items_holding(low):
            return word
        held, best = max(((items_holding(w), w) for w in sorted(name_edits(low))), default=(0, low))
        if held < MIN_NAME_ITEMS or not writes(best):  # "Qataring" is held only by its stem, "qatar"
            return word
        fixes.append((word, best.capitalize()))
        return best.capitalize()

    question = _WORD.sub(reading, question)
    return (_NAME.sub(name_reading, question) if writes else question), fixes
