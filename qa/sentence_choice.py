"""Choose the sentence of a cited item that answers the question.

Each candidate of an item (a sentence that holds a question word or follows one describing what
is asked, the lead, and the headline when it names what is asked or the item has no sentence)
is described by a few features: how much of the question it holds, and how much it may borrow
from the item's best-matching sentence or the one before it; whether it offers what the
question asks for (a name, a place, a date, a number: answer_type.py) and how many such; how
long it is; how well retrieval ranked the item. A linear model of those (SENTENCE_MODEL,
fitted by `dateline eval fit-sentences` on the question sets of benchmarks/questions) scores
it, and the answer quotes the best-scoring sentences.

The model replaced hand-set rules over the same features (a type weight, a lead bonus, a rank
discount, when a sentence may borrow). Fitted on seventeen question sets (660 questions) and
each set left out in turn, it picks the answering sentence for 0.900 of them; on four sets no fit
has seen, 0.881 of 160 (the thirteen-set model 0.800 of the first two of them), on four written
later 0.850 of 160, and on the two written last 0.913 of 80. On the sets first scored before
any fit saw them it came out about even with the rules (docs/evaluation.md): its gains come from
features that read more (nearness, tense, counts) and from refitting as question sets grow.

Where a sentence stands in its item is left out: the first blind sets were written with their
answers outside the lead on purpose, and a model fitted on them learned to shun leads (RealTime
QA's answer hit rate 0.728 -> 0.660; without position features, 0.709); with sets half answered
in the lead, a lead feature is still weighted against (ten sets, 321 of 380 against 320).
"""
from __future__ import annotations

import bisect
import collections
import contextlib
import contextvars
import datetime as dt
import functools
import math
import operator
import re
from dataclasses import dataclass, field, replace

from dateline.index.item import Item

from . import answer_type, tense
from .sentences import paragraphs, sentences_near
from .words import ALIKE, MIN_STEM, MIN_Z_STEM, PHRASAL, STOP_WORDS, WORD, heading_stems, phrasal_deed, phrasal_verbs, stem, stems

# The features of a candidate sentence, in the order of SENTENCE_MODEL's weights. Word weights
# are the question words' idf, shares of the question's total.
FEATURES = (
    "overlap",        # weight of the question words the sentence holds
    "top_overlap",    # the same for the item's best-matching sentence (how well the item answers)
    "is_top",         # the item's best-matching sentence itself
    "told",           # what it holds plus CONTEXT_SHARE of what the best sentence holds and it
                      # lacks, when it may lean on that one: it holds a question word and follows
                      # it or is the lead (not for a "which X" name), or it completes it
    "before",         # CONTEXT_SHARE of the sentence before, when that one describes what is asked
    "completes",      # it holds every question word (COMPLETING_WORDS at least) the best one lacks
    "offer",          # it names something of the kind asked
    "exact",          # ... outright (not "next month" for a date)
    "offer_overlap",  # offer x overlap
    "offer_reach",    # offer x reach
    "reach",          # the most of overlap, told and before
    "rank",           # the item's rank among the cited stories, at most MAX_RANK, over MAX_RANK
    "score_gap",      # the top story's retrieval score less this one's (z units, at most MAX_GAP)
    "words",          # log(1 + the sentence's words)
    "headline",       # the candidate is the item's headline
    "coverage",       # weight of the question's own words anywhere in the item, a share of theirs
    "candidates",     # log(1 + how many things of the kind asked it names, at most MAX_CANDIDATES)
    "offer_near",     # weight of the question words within NEAR_CHARS of a thing of the kind asked
                      # (the most around any one): "dealer-manager" beside "Drexel Burnham Lambert";
                      # each word's weight divided by how many of the item's sentences hold it
    "counts",         # a number it offers stands just before what "How many ...?" counts ("12 years")
    "tense",          # a "when" question: 1 when a date it offers points the way the question looks
                      # from the item's day ("When will ...?": a later date) or is that day, -1
                      # when all point the other way, 0 otherwise (tense.py)
    "given",          # a question asking what something is called: it gives a name after a naming
                      # word ("a new unit named AMR Investment Services", answer_type.given_names)
)
# Fitted by `dateline eval fit-sentences` (conditional logit over each question's candidates,
# l2 1 on standardised features, Newton's method to convergence) on 660 questions of
# benchmarks/questions: the Reuters and sample dev sets, the sample blind set and fourteen blind
# Reuters sets (reut2-010, -015, -020, -018, -008, -016, -003, -012, -019, -009, -013, -017,
# -002, -014). Weights are per raw feature.
SENTENCE_MODEL = {"overlap": 2.2805, "top_overlap": 1.2646, "is_top": 0.4945, "told": -0.392,
                  "before": 0.1082, "completes": 2.3064, "offer": 1.1367, "exact": 2.2696,
                  "offer_overlap": -0.1473, "offer_reach": -0.6894, "reach": 1.9975,
                  "rank": -1.1935, "score_gap": -0.9588, "words": -0.6812, "headline": -1.4654,
                  "coverage": 4.876, "candidates": 0.7433, "offer_near": 5.2891, "counts": 1.531,
                  "tense": 3.9187, "given": 4.431}
# The answer quotes the best sentence and those of other items scoring within QUOTE_MARGIN of it
# (at most three): the margin at which it quoted about as many sentences, on average over 260
# questions, as the rules it replaced did (1.22 a question; the model 1.24; 1.18 at 5.0; the
# seventeen-set fit 1.30 over 660).
QUOTE_MARGIN = 5.5

# Feature definitions, kept from the rules the model replaced. Of two sentences holding as much of
# the question, the earlier is the item's best-matching one (is_top): LEAD_BONUS / (1 + offset /
# LEAD_CHARS) in question-word weight decides near-ties.
LEAD_CHARS = 200
LEAD_BONUS = 0.3
CONTEXT_SHARE = 0.9  # of the words a sentence borrows
COMPLETING_WORDS = 2
MAX_RANK = 5
MAX_GAP = 3.0
MAX_CANDIDATES = 20
NEAR_CHARS = 30
COUNTED_AFTER = 3  # words after a number that may name what it counts: "8,000 black miners"
COUNTED_CHARS = 40  # ... looked for within this many characters
MIN_BACKED_CHARS = 4  # letters and digits a thing must have to be told apart: "Idaho", "30,000", not "U.S." or "50"

# The features that depend on answer candidates, whose search costs more than the rest: they
# are computed only for sentences that could still win (see choose).
_KIND_FEATURES = ("offer", "exact", "offer_overlap", "offer_reach", "candidates", "offer_near", "counts", "tense",
                  "given")


@functools.lru_cache(maxsize=65536)  # the same words recur in every item: a dict look-up beats the work
def _matched_stem(word: str) -> str:
    """The stem words.stems would give ``word`` (lower-cased, without a possessive)."""
    w = word.lower().replace("’", "'")
    return stem(w[:-2] if w.endswith("'s") else w)


_DOER = re.compile(r"(?:er|or)s?(?:['’]s?)?$", re.I)
_DOER_ENDS = ("er", "or", "ers", "ors", "s'", "'s", "’s")  # a cheap look before the regex
MIN_DOER_STEM = 4  # "offer" and "order" name no doer of "off" and "ord"
MIN_ADVERB = 5  # letters an adverb in "-ly" has more than: "nationally", not "early", "daily"
# ... and no adjective of a period: a "weekly review" says nothing of "recent weeks".
_PERIODICAL = frozenset("hourly daily weekly fortnightly monthly quarterly yearly".split())


@functools.lru_cache(maxsize=65536)
def doing(word: str) -> str | None:
    """The stem of what the doer ``word`` does ("found" for "founder", "produc" for
    "producers"), or None when it names no doer."""
    low = word.lower()
    if not low.endswith(_DOER_ENDS):
        return None
    bare = _DOER.sub("", low)
    if len(bare) < MIN_DOER_STEM or len(bare) == len(word):
        return None
    return stem(bare)


def _start(st: str) -> str:
    """How a word of stem ``st`` starts, whichever spelling the text uses: a stem that ends in
    "y" from "ies" or "ied" ("company") without its "y", so that "companies" is found, and one in
    "iz" or "yz" ("criticiz") without its "z", so that "criticised" is found too (words.stem).
    The found word's stem is checked all the same."""
    if st.endswith("y") and len(st) > MIN_STEM:  # "day" is looked for as itself
        return st[:-1]
    if st.endswith(("iz", "yz")) and len(st) >= MIN_Z_STEM:
        return st[:-1]
    return st


class WordFinder:
    """Finds the question's words in a body: every word starting with a question stem, checked
    by stemming; a doer counts for its deed and the deed for its doer ("founder" for "Who
    founded Rolm?", "founded" for "Who is Rolm's founder?"); an acronym of a name the question
    spells out counts for its words ("NMMC in Smyrna, Tennessee" for "Nissan Motor
    Manufacturing Corp USA"). What it found in a text is kept for the question's life: the
    best items' bodies are looked through while the question is encoded (Retriever.search's
    ``prepare``), before sentences are chosen."""

    def __init__(self, qstems: set[str], acronyms: dict[str, frozenset[str]] | None = None):
        self.qstems = qstems
        self._found: dict[str, list[tuple[int, str]]] = {}  # text -> find(text)
        self.deeds = {d: q for q in qstems if (d := doing(q))}  # "found" -> the question's "founder"
        # "succe" -> the question's "replac": a word news writes for the question's (words.ALIKE)
        self.alike = {other: q for q in qstems for other in ALIKE.get(q, ()) if other not in qstems}
        # An adverb meets its adjective: "in charge nationally" the "national manager".
        self.alike.update({st: q for q in qstems if len(q) > MIN_ADVERB and q.endswith("ly") and q not in _PERIODICAL
                           and (st := stem(q[:-3] + "y" if q.endswith("ily") else q[:-2])) not in qstems})
        self.acronyms = acronyms or {}  # "nmmc" -> the stems of "Nissan Motor Manufacturing Corp"
        starts = {_start(s) for s in qstems | set(self.deeds) | set(self.acronyms) | set(self.alike)}
        self.starts = sorted(starts, key=len, reverse=True)
        # The deeds a phrasal verb says ("stepped down": "resign"), found by the phrase too.
        self.phrasal = {word: st for word in PHRASAL if (st := stem(word)) in qstems}
        self.ascii = all(s.isascii() for s in self.starts)

    @functools.cached_property
    def pattern(self) -> re.Pattern:
        """One regex for every start: how _words reads text beyond ASCII (compiled only then)."""
        return re.compile(r"(?<![^\W_])(?:" + "|".join(map(re.escape, self.starts))
                          + r")[^\W_]*(?:['’][^\W_]+)?", re.I)

    def find(self, body: str) -> list[tuple[int, str]]:
        """(offset, question stem) of each question word in ``body`` (the list is shared: read it only)."""
        found = self._found.get(body)
        if found is None:
            found = self._found[body] = self._find(body)
        return found

    def _find(self, body: str) -> list[tuple[int, str]]:
        if not self.starts:
            return []
        hits = []
        qstems, deeds, acronyms, alike = self.qstems, self.deeds, self.acronyms, self.alike
        for at, word in self._words(body):
            if acronyms and word.isupper() and word.lower() in acronyms:
                hits += [(at, named) for named in acronyms[word.lower()]]
                continue
            st = _matched_stem(word)
            if st not in qstems:
                deed = doing(word)
                st = deeds.get(st) or (deed if deed in qstems else None) or alike.get(st)
            if st:
                hits.append((at, st))
        if self.phrasal:
            phrasal = [(m.start(), self.phrasal[deed]) for m in phrasal_verbs(body)
                       if (deed := phrasal_deed(m.group(0))) in self.phrasal]
            if phrasal:
                hits = sorted(hits + phrasal)
        return hits

    def _words(self, body: str) -> list[tuple[int, str]]:
        """(offset, word) of each word of ``body`` that starts with one of the starts: what
        ``pattern`` finds. str.find over the lower-cased body for each start, then the rest of
        the word: one regex pass trying every start at every character was a tenth of `ask`'s
        time on TIME's long articles."""
        if not self.ascii or (not body.isascii() and _NON_ASCII_LETTER.search(body)):
            # Beyond ASCII, lower case and the regex's ignoring of case part ways ("İ" lowers to
            # two characters, "ı" and "ſ" match "I" and "s"): the regex reads such text.
            return [(m.start(), m.group(0)) for m in self.pattern.finditer(body)]
        low = body.lower()
        longest: dict[int, int] = {}  # where a word starts -> the longest start found there
        for start in self.starts:
            at = low.find(start)
            while at >= 0:
                if at == 0 or not _WORD_CHAR.match(low, at - 1):
                    longest.setdefault(at, len(start))  # the starts run longest first
                at = low.find(start, at + 1)
        words, end = [], 0
        for at in sorted(longest):
            if at < end:  # inside the word found before ("o'neil" holds "neil")
                continue
            end = _WORD_REST.match(body, at + longest[at]).end()
            words.append((at, body[at:end]))
        return words


_WORD_CHAR = re.compile(r"[^\W_]")
_NON_ASCII_LETTER = re.compile(r"(?![\x00-\x7f])[^\W\d_]")
_WORD_REST = re.compile(r"[^\W_]*(?:['’][^\W_]+)?")


@dataclass
class Question:
    """What choosing a sentence needs to know of the question, worked out once for all items."""

    qstems: frozenset[str]  # the question's stems and the acronyms of the names it spells out
    asked: frozenset[str]  # the question's own stems (without the acronyms)
    weight: dict[str, float]  # each question stem's weight (idf, less for scene-setting or carried words)
    kind: str | None  # what it asks for (answer_type.expected)
    focus: frozenset[str]  # the stems of its description of the answer
    find: WordFinder
    own: frozenset[str] = frozenset()  # in a follow-up that refers back: its own stems
    moves_on: bool = False  # a follow-up that refers back: it asks something new of the earlier answer's items
    looks: int = tense.EITHER  # a "when" question: which way in time it looks from an item's day
    counted: frozenset[str] = frozenset()  # the stems of what "How many ...?" counts
    valued: frozenset[str] = frozenset()  # "What unemployment rate ...?": the stems of the noun whose figure is asked and the words before it
    money: bool = False  # "How much ... pay / cost / worth?": only an amount of money is offered
    share: bool = False  # "By what percentage ...?": only a share is offered (answer_type.asks_share)
    amount: bool = False  # "How much maize ...?": no share is offered (answer_type.asks_amount)
    new: bool = False  # "the new offer": no figure called an earlier one is offered (answer_type.asks_new)
    measured: frozenset[str] = frozenset()  # "How much gold ...?": its stem; a story without it offers nothing (answer_type.measured)
    per_share: bool = False  # "How much per share ...?": only an amount a share is offered (answer_type.per_share)
    label: bool = False  # "What is the number of the resolution?": only a number that labels a name is offered
    unit: str | None = None  # "On what date ...?": only a date that gives the day (or year) asked is offered (answer_type.unit_asked)
    organs: frozenset[str] = frozenset()  # "Which ministry ...?": its nouns (answer_type.organs_asked)
    thing: str | None = None  # "What myth ...?": the stem of the thing asked (answer_type.thing_asked)
    based: bool = False  # "Where is the buyer based?": a place before "-based" answers (answer_type.asks_base)
    city: bool = False  # "In which city ...?": no country, state or region answers (answer_type.asks_city)
    part: bool = False  # "In which province ...?": no country answers (answer_type.asks_part_of_country)
    head: str | None = None  # "Which popular singer ...?": the stem of its noun (answer_type.head)
    noun: str | None = None  # a "which" question's noun, whether it asks the verb's subject or object ("Which camp did ...?")
    described: frozenset[str] = frozenset()  # "Which pizza chain ...?": its words to the noun (answer_type.description)
    posts: frozenset[str] = frozenset()  # "Who is the president of ...?": the post (answer_type.posts_asked)
    companies: frozenset[str] = frozenset()  # a person question's stems only in companies' names (company_words)
    given_name: bool = False  # "What is the service called?": it asks for a name given (answer_type.asks_given_name)
    wording: bool = False  # "What did he call the measures?": words quoted answer too (answer_type.asks_wording)
    business: bool = False  # "Which company ...?": no place or people answers (answer_type.asks_business)
    post: bool = False  # "What post does he hold?": a title answers (answer_type.asks_post)
    material: bool = False  # "What is the wire made of?": what follows "made of" answers (answer_type.asks_material)
    key: bool = False  # "What is the key point of ...?": what "The most important ... is" says (answer_type.asks_key)
    verb: str | None = None  # "What will X develop?": the verb's stem, whose object answers (answer_type.object_verb)

    @functools.cached_property
    def naming(self) -> frozenset[str]:
        """The question's stems that make a name its own rather than an answer: all but the noun
        it asks about ("the Luxembourg Stock Exchange" answers "Which exchange will list ...?")
        and, for a person, the words of its companies' names ("President William Wrigley" of Wm.
        Wrigley Jr Co)."""
        return self.qstems - {self.head} - self.companies

    @functools.cached_property
    def total(self) -> float:
        """The question's words' total weight: overlaps are shares of it."""
        return sum(self.weight.get(w, 0.0) for w in self.qstems) or 1.0

    @functools.cached_property
    def asked_total(self) -> float:
        """The total weight of the question's own words (without acronyms): coverage is a share of it."""
        return sum(self.weight.get(w, 0.0) for w in self.asked)


@dataclass
class Candidate:
    """A sentence of an item (or its headline) that may answer, with its features and score."""

    start: int  # offsets in the body; 0, 0 for the headline
    end: int
    in_title: bool
    text: str
    features: dict[str, float]
    score: float = 0.0
    hits: list[tuple[int, str]] = field(default_factory=list, repr=False)  # (offset in text, question stem)
    kind_described: bool = field(default=False, repr=False)  # the kind features are computed
    spread: dict[str, int] = field(default_factory=dict, repr=False)  # question stem -> the item's sentences holding it
    day: dt.date | None = field(default=None, repr=False)  # the item's date
    offered: frozenset[str] = field(default=frozenset(), repr=False)  # what it offers, as offered_key gives it
    answer: str = field(default="", repr=False)  # of those, the one the question's words stand nearest
    # Some sentence of the item offers a name it calls by the noun asked ("Camp Ashraf" for "Which
    # camp ...?", "its U.S. Subsidiary, Chene Investments Inc"): only such a name answers outright
    # (see _by_the_noun).
    noun_named: bool = field(default=False, repr=False)
    offers: list[tuple[int, int]] | None = field(default=None, repr=False)  # _offered's spans, once searched


def score(features: dict[str, float]) -> float:
    """The model's score of a candidate's features (higher answers better)."""
    return sum(map(operator.mul, map(features.__getitem__, FEATURES), _WEIGHTS))


_WEIGHTS = tuple(SENTENCE_MODEL[name] for name in FEATURES)
_NO_FEATURES = dict.fromkeys(FEATURES, 0.0)
# The features a body sentence may have before the kind is looked for, in FEATURES' order: its
# score sums only their terms (the others are 0), the same float as score() gives.
_BODY_FEATURES = ("overlap", "top_overlap", "is_top", "told", "before", "completes", "reach", "rank", "score_gap",
                  "words", "coverage")
_BODY_WEIGHTS = tuple(SENTENCE_MODEL[name] for name in _BODY_FEATURES)


# While fitting (see recording), every candidate of every item is described and kept here.
_RECORD: contextvars.ContextVar[list | None] = contextvars.ContextVar("sentence_candidates", default=None)


@contextlib.contextmanager
def recording():
    """Within this block, each item's candidates, fully described, are appended to the list it
    yields as (item, candidates): what `dateline eval fit-sentences` learns from."""
    rows: list = []
    token = _RECORD.set(rows)
    try:
        yield rows
    finally:
        _RECORD.reset(token)


def choose(item: Item, rank: int, gap: float, q: Question, quoted: set[int] | None = None) -> Candidate:
    """The best candidate sentence of ``item`` for question ``q``: ``rank`` is the item's rank among
    the cited stories, ``gap`` its retrieval score below the top story's; ``quoted`` holds the
    starts of sentences a previous answer quoted (in a follow-up they count only for its own words)."""
    record = _RECORD.get()
    if q.measured and not _holds_measured(item, q.measured):
        q = replace(q, kind=None)  # "How much gold ...?" is not answered by a story of silver
    # Never empty: the lead or the headline. With no kind asked the kind features are all zero,
    # so the best-scoring candidate is the answer: only it is built.
    cands = _candidates(item, rank, gap, q, quoted or set(), best_only=record is None and not q.kind)
    if record is not None:
        for c in cands:
            _describe_kind(c, q)
        record.append((item, cands))
    if record is not None or not q.kind:  # with no kind asked, the kind features are all zero
        return max(cands, key=lambda c: c.score)
    # Searching a sentence for answer candidates costs more than the rest: only those whose
    # bound (their score plus the most the kind features could add) still beats the best are
    # searched, best bound first. Candidates rank by (score, -position): of equal scores the
    # earlier wins, as max() over all of them would have it.
    bounded = sorted(((c.score + _most_added(c.features, q.looks, bool(q.counted or q.valued)), -i) for i, c in enumerate(cands)),
                     reverse=True)
    best: tuple[float, int] | None = None
    for bound, at in bounded:
        if best is not None and (bound, at) <= best:
            break
        _describe_kind(cands[-at], q)
        best = max(best or (cands[-at].score, at), (cands[-at].score, at))
    return cands[-best[1]]


def _holds_measured(item: Item, measured: frozenset[str]) -> bool:
    """Whether ``item`` names the thing an amount is asked of, or a word news writes for it."""
    held = stems(f"{item.title}\n{item.body}")
    return all(m in held or not ALIKE.get(m, frozenset()).isdisjoint(held) for m in measured)


def offering(item: Item, rank: int, gap: float, q: Question, answer: str) -> Candidate | None:
    """The best candidate sentence of ``item`` (arguments as for ``choose``) that offers ``answer``
    (an offered_key) or a name for it (same_thing) and holds or leans on a word of the question;
    None when none does. It is how another story backs an answer its best sentence does not say
    (answer._backing)."""
    words = [w for w in answer.split() if len(w) >= MIN_BACKED_CHARS]
    story = f"{item.title}\n{item.body}".lower()
    if not any(w in story for w in words):
        return None  # no sentence can offer what the story never names: skip describing them all
    best = None
    for c in _candidates(item, rank, gap, q, set()):
        if c.features["reach"] <= 0 or not any(w in c.text.lower() for w in words):
            continue
        _describe_kind(c, q)
        if any(same_thing(answer, o) for o in c.offered) and (best is None or c.score > best.score):
            best = c
    return best


def same_thing(a: str, b: str) -> bool:
    """Whether two offered things (offered_key) name the same: alike, or the shorter is the
    longer's last or first words ("Yosemite National Park" in "California's Yosemite National
    Park", "Idaho" in "Coeur d'Alene, Idaho") and long enough to tell apart."""
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    if not tells_apart(short):
        return False
    return long_.endswith(" " + short) or long_.startswith(short + " ")


def tells_apart(thing: str) -> bool:
    """Whether ``thing`` has MIN_BACKED_CHARS letters and digits: enough for another report
    naming it to say the same ("Idaho", "30,000"; not "U.S." or "50")."""
    return len(_NOT_ALNUM.sub("", thing)) >= MIN_BACKED_CHARS


_NOT_ALNUM = re.compile(r"\W")


def _most_added(f: dict[str, float], looks: int, counts: bool) -> float:
    """The most the kind features could add to a candidate's score: each at the value that adds
    most, whatever the signs of the weights (tense only for a question that looks a way, counts
    only for one that says what it counts)."""
    return (_MOST_FROM_OFFERING + max(0.0, SENTENCE_MODEL["offer_overlap"] * f["overlap"])
            + max(0.0, SENTENCE_MODEL["offer_reach"] * f["reach"]) + _MOST_FROM_COUNT
            + max(0.0, SENTENCE_MODEL["offer_near"] * f["overlap"])  # offer_near <= overlap
            + (max(0.0, SENTENCE_MODEL["counts"]) if counts else 0.0)  # counts is 0 or 1
            + (abs(SENTENCE_MODEL["tense"]) if looks else 0.0)  # tense is -1, 0 or 1
            + max(0.0, SENTENCE_MODEL["given"]))  # given is 0 or 1


_MOST_FROM_OFFERING = max(0.0, SENTENCE_MODEL["offer"]) + max(0.0, SENTENCE_MODEL["exact"])
_MOST_FROM_COUNT = max(0.0, SENTENCE_MODEL["candidates"] * math.log1p(MAX_CANDIDATES))


def _describe_kind(c: Candidate, q: Question, found: list[tuple[int, int]] | None = None) -> None:
    """Add the features that depend on what the question asks for to ``c``, and to its score
    (with no kind asked, they are all zero); ``found``: its answer candidates, when searched."""
    if c.kind_described:
        return
    c.kind_described = True
    given = answer_type.given_names(c.text, q.naming) if q.given_name else []
    if found is None:
        found = _offers(c, q)
    if given:  # a name given is offered, though it share a word with the question's company
        found = sorted(set(found) | set(given))
    named = len(found)  # how many things of the kind it names
    if q.city and found:  # "Which city ...?": not "the Economic Commission for Africa", though it names places
        found = [(s, e) for s, e in found if not answer_type.no_city(c.text[s:e])]
    if q.part and found:  # "In which province ...?": not "central China"
        found = [(s, e) for s, e in found if not answer_type.names_a_country(c.text[s:e])]
    if not found:
        return
    c.offered = frozenset(offered_key(c.text[s:e]) for s, e in found)
    f = c.features
    f["offer"] = 1.0
    f["exact"] = float(answer_type.names_exactly(q.kind, c.text, q.qstems, found, q.posts)
                       and (not c.noun_named or _called_by_the_noun(c.text, found, q.noun)))
    f["offer_overlap"] = f["overlap"]
    f["offer_reach"] = f["reach"]
    f["candidates"] = math.log1p(min(named, MAX_CANDIDATES))
    f["offer_near"], nearest = _nearness(c.hits, found, q, c.spread)
    span = c.text[nearest[0]:nearest[1]]
    # A figure, a name or a date: "billion", "six" or "Thousands" alone is no answer another story
    # could back (answer._backing).
    figure = any(ch.isdigit() for ch in span)
    c.answer = offered_key(span) if figure or (q.kind != answer_type.NUMBER and any(map(str.isupper, span))) else ""
    f["tense"] = _tense(c, found, q.looks)
    f["counts"] = _counts(c.text, found, q.counted) or _values(c.text, found, q.valued)
    f["given"] = float(bool(given))
    c.score += sum(SENTENCE_MODEL[name] * f[name] for name in _KIND_FEATURES)


_THE = re.compile(r"^the\s+|['’]s?$", re.I)


def offered_key(span: str) -> str:
    """An offered thing as two sentences that name it alike share it: lower case, one space,
    without "the" or a possessive ("The Cleveland Browns'" and "the Cleveland Browns")."""
    return _THE.sub("", " ".join(span.split()).lower())


def _offered(q: Question, text: str) -> list[tuple[int, int]]:
    """The spans of ``text`` that could answer ``q``: things of the kind asked (and organisations
    named in lower case when it asks for one), amounts of money alone when it asks for one; none
    when it calls the name or person asked for by the question's noun and names none of it
    ("the Ivy League school's ..."): the answer is named in another sentence."""
    if q.post:  # "What post does he hold ...?": "The vice president of the European Parliament said"
        return answer_type.post_titles(text, q.naming)
    if q.material:  # "ATT said the wires are made of a barium-yttrium-copper oxide compound."
        return answer_type.materials(text)
    if q.key:  # "The most important difference is the role of the regime's intelligence ministry ..."
        return answer_type.key_things(text)
    if q.verb:  # "Steertec will develop power steering systems."
        return answer_type.objects(text, q.verb)
    if q.kind == answer_type.THING:  # "What kind of aircraft ...?": only a thing of that noun
        return answer_type.described_things(text, q.thing, q.qstems) if q.thing else []
    found = answer_type.candidates(q.kind, text, q.naming, q.described) if q.kind and text else []
    if q.companies and found:  # "Who controls National Amusements Inc ...?": not "National Amusements"
        found = [(s, e) for s, e in found if not answer_type.names_only_companies(text[s:e], q.companies)]
    if q.wording and text:  # 'as a "necessary antidote"' for "What did he call the measures?"
        found = sorted(set(found) | set(answer_type.quoted(text)))
    if q.organs and text:  # "the intelligence ministry" for "Which ministry ...?"
        found = sorted(found + answer_type.organs(text, q.organs, q.qstems))
    described = answer_type.described_things(text, q.thing, q.qstems) if q.thing and text and not q.organs else []
    if found and q.head and q.kind in (answer_type.NAME, answer_type.PERSON) \
            and answer_type.refers_back(text, q.head, found):
        # "..., the singer announced ...": it names other things than the one asked; but what it
        # says the thing is, it says of the one asked ("The system is now being replaced by a
        # Y-pattern globe valve system", "The chemicals are chiefly chlorofluorocarbons").
        found = []
    if described:  # "the moderates v hardliners myth" for "What myth ...?"
        found = sorted(set(found) | set(described))
    if q.business and found:  # "Which company ...?": not "California researchers"
        found = [(s, e) for s, e in found if not answer_type.names_place_or_people(text[s:e])]
        if q.noun in answer_type.FIRM_NOUNS:  # "Which investment bank ...?": not "Ronald Perelman"
            found = [(s, e) for s, e in found if not answer_type.names_no_firm(text, s, e)]
    elif q.kind == answer_type.NAME and found and q.head not in answer_type.PEOPLES_ANSWER:
        # "Which Hong Kong tycoon ...?": not "the Japanese construction group"
        found = [(s, e) for s, e in found if not answer_type.names_a_people(text[s:e])]
    if q.valued and found:  # "What yield ...?": not the "41" of "a 41-day repurchase accord", a term's length
        found = [(s, e) for s, e in found if not _TERM_LENGTH.match(text, e)]
    if q.counted and found:  # "How many years ...?": not "2 counts", "50 pct"
        found = [span for span in found if not _counts_else(text, span, q.counted) and not answer_type.labels(text, span)]
    if (q.counted or q.amount) and not q.share and found:  # "How many ...?", "How much maize ...?": not "65 pct"
        shares = answer_type.shares(text, found)
        found = [span for span in found if span not in shares]
    if q.label and found:  # "Resolution 188", not "Forty-Six US Congressmen"
        found = [span for span in found if answer_type.labels(text, span)]
    if q.unit and found:
        found = answer_type.giving(q.unit, text, found)
    if q.money and found:
        found = answer_type.money(text, found)
    if q.new and found:  # "the new offer": not "the earlier 27 dlr offer"
        found = [(s, e) for s, e in found if not answer_type.called_earlier(text, s)]
    if q.share and found:
        found = answer_type.shares(text, found)
    if q.based and found:  # "Where is Reliance based?": not "New York-based investment firm of Rosenkranz"
        found = [(s, e) for s, e in found if not answer_type.home_of_another(text, e, q.qstems)]
    if q.kind == answer_type.PLACE and not q.based and found:
        # "Wellcome PLC, a British-based pharmaceutical company", "Galactic Resources Ltd of
        # Toronto": where a company is based, not where it builds, unless that is asked.
        found = [(s, e) for s, e in found if not answer_type.names_a_home(text, s, e)]
    return answer_type.per_share(text, found) if q.per_share and found else found


_TERM_LENGTH = re.compile(r"-(?:day|week|month|year|hour)s?\b", re.I)


def _offers(c: Candidate, q: Question) -> list[tuple[int, int]]:
    """``_offered`` for candidate ``c``, searched once (_by_the_noun may have searched it)."""
    if c.offers is None:
        c.offers = _offered(q, c.text)
    return c.offers


def _by_the_noun(cands: list[Candidate], q: Question) -> bool:
    """Whether one of an item's sentences offers a name that it calls by the noun a "which"
    question asks about (answer_type.called_by_head): "This included Camp Ashraf ..." for "Which
    camp ...?", "its U.S. Subsidiary, Chene Investments Inc, bought ..." for "Which subsidiary
    ...?". The item's other names ("People's Mojahedin Organization of Iran" in its lead) are
    then not what is asked."""
    if not q.noun:
        return False
    return any(answer_type.may_hold_head(c.text, q.noun) and _called_by_the_noun(c.text, _offers(c, q), q.noun)
               for c in cands)


def _called_by_the_noun(text: str, found: list[tuple[int, int]], head: str | None) -> bool:
    """Whether one of the names ``found`` in ``text`` is called by the noun ``head`` (a stem)."""
    return any(answer_type.called_by_head(text, span, head) for span in found)


# Words that scale a number rather than say what it counts: "2.6 mln shares".
_SCALE_WORDS = frozenset("mln million millions bln billion billions thousand thousands hundred hundreds "
                         "trillion".split())


def _counts_else(text: str, span: tuple[int, int], counted: frozenset[str]) -> bool:
    """Whether the number at ``span`` counts something other than what the question counts: the
    word after it (past "mln", "billion") is a noun in lower case ("2 counts", "50 pct") and none
    of the COUNTED_AFTER words after it is what is counted ("12 new stores" counts stores). A
    verb, a function word or a name after it says nothing of what it counts ("12 were killed")."""
    after = [w for w in WORD.findall(text, span[1], span[1] + COUNTED_CHARS)[:COUNTED_AFTER + 1]
             if w.lower() not in _SCALE_WORDS]
    if not after or counted & {_matched_stem(w) for w in after[:COUNTED_AFTER]}:
        return False
    word = after[0]
    return (word.isalpha() and word.islower() and word not in STOP_WORDS
            and not word.endswith(("ed", "ing", "ly")))


def _counts(text: str, found: list[tuple[int, int]], counted: frozenset[str]) -> float:
    """1 when a number ``text`` offers stands just before what the question counts ("He got 12
    years" for "How many years ...?", not "2 counts"), else 0. An amount of money counts nothing
    ("100 dlrs a share", "its 4.50-dlr convertible series I" for "How many shares of its series I ...?")."""
    if not counted:
        return 0.0
    found = [span for span in found if not answer_type.money(text, [span])]
    return float(any(counted & {_matched_stem(w) for w in WORD.findall(text, e, e + COUNTED_CHARS)[:COUNTED_AFTER]}
                     for _, e in found))


VALUED_BEFORE = 5  # content words before a figure that may name what it is the value of: "a deficit of 5.472 billion"


def _values(text: str, found: list[tuple[int, int]], valued: frozenset[str]) -> float:
    """1 when a figure ``text`` offers follows, within VALUED_BEFORE words, what the question asks
    the figure of ("projected a deficit of 5.472 billion riyals" for "What deficit ...?", "the
    unemployment rate unchanged at around one pct", not "an exchange rate of 1.71", for "What
    unemployment rate ...?"), else 0: as "counts" is for "How many ...?"."""
    if not valued:
        return 0.0
    return float(any(valued <= {_matched_stem(w) for w in [w for w in WORD.findall(text, max(0, s - 2 * COUNTED_CHARS), s)
                                                            if w.lower() not in STOP_WORDS][-VALUED_BEFORE:]}
                     for s, _ in found))


def _tense(c: Candidate, found: list[tuple[int, int]], looks: int) -> float:
    """1 when a date ``c`` offers points the way the question ``looks`` from the item's day or
    is that day ("today"), -1 when every date that points a way points the other, 0 otherwise
    (or no way asked)."""
    if looks == tense.EITHER or c.day is None:
        return 0.0
    ways = {tense.points(c.text[s:e], c.text[e:e + tense.AFTER_CHARS], c.day, c.text[max(0, s - tense.BEFORE_CHARS):s])
            for s, e in found}
    return 1.0 if looks in ways or tense.SAME_DAY in ways else -1.0 if -looks in ways else 0.0


def _nearness(hits: list[tuple[int, str]], found: list[tuple[int, int]], q: Question,
              spread: dict[str, int]) -> tuple[float, tuple[int, int]]:
    """How close the question's words stand to the things a sentence offers: the most weight of
    question words within NEAR_CHARS of any one of them (outside it), a share of the question's
    total. An answer tends to stand beside what the question says of it ("spokesman Willy
    Olsen", "Cutrale -- would be excluded from the anti-dumping duty").

    A word counts for its weight over how many of the item's sentences hold it (``spread``):
    the subject the item names throughout ("Treasury Secretary ... Anderson") says less of where
    the answer stands than the word the question asks about, said once ("May 7 for sentencing").
    Also returns the span it is most for (the first of equals): the likeliest answer.
    """
    near, nearest = -1.0, found[0]
    for s, e in found:
        around = {st for at, st in hits if s - NEAR_CHARS <= at < e + NEAR_CHARS and not s <= at < e}
        weight = sum(q.weight.get(w, 0.0) / spread.get(w, 1) for w in around)
        if weight > near:
            near, nearest = weight, (s, e)
    return near / q.total, nearest


def _candidates(item: Item, rank: int, gap: float, q: Question, quoted: set[int],
                best_only: bool = False) -> list[Candidate]:
    """``item``'s candidate sentences, described but for the kind features (scored without them);
    with ``best_only``, the best-scoring body sentence alone (a question that asks for no kind:
    the rest would only be built to be dropped)."""
    total = q.total
    rank_share, score_gap = min(rank, MAX_RANK) / MAX_RANK, min(max(gap, 0.0), MAX_GAP)
    common = {"rank": rank_share, "score_gap": score_gap}
    title_stems = heading_stems(item.title) if item.title else frozenset()
    title_overlap = sum(q.weight.get(w, 0.0) for w in q.qstems & title_stems) / total
    body = item.body
    hits = q.find.find(body) if body else []
    spans = sentences_near(paragraphs(item.id, body), [h for h, _ in hits]) if body else []
    day = _day(item)
    if not spans:  # a title-only item (or a body of blank lines): its headline is all it says
        f = {**common, "overlap": title_overlap, "top_overlap": title_overlap, "is_top": 1.0,
             "reach": title_overlap, "headline": 1.0, "words": math.log1p(len(item.title.split())),
             "coverage": _weighted_share(q.asked & title_stems, q)}
        return [_unscored(0, 0, True, item.title, f, q.find.find(item.title), day=day)]
    starts = [s for s, _ in spans]
    words: list[set[str]] = [set() for _ in spans]
    placed: list[list[tuple[int, str]]] = [[] for _ in spans]  # each sentence's hits, offsets in it
    for at, st in hits:
        j = bisect.bisect_right(starts, at) - 1
        words[j].add(st)
        placed[j].append((at - starts[j], st))
    weight = q.weight

    def weigh(ws: set[str]) -> float:
        return sum(weight.get(w, 0.0) for w in ws) / total

    spread = collections.Counter(w for ws in words for w in ws)
    after_quoted: dict[int, float] = {}  # sentence -> what the quoted sentence before it held
    if q.moves_on:  # a follow-up moves on: what the previous answer quoted counts only for its own words
        for j, s in enumerate(starts):
            if s not in quoted:
                continue
            # Of the earlier question's words it holds, none counts again: it answered them.
            # Holding none of the follow-up's own, it neither completes nor tells another
            # sentence, nor are its words near what it offers; it answers again only by what it
            # offers ("Which commander said that?" of the commander's words quoted). The sentence
            # after it is the next passage, described by it ("Who is he?" of "The former Italian
            # Foreign Minister wrote ...": "Giulio Terzi, who is also ...").
            after_quoted[j + 1] = weigh(words[j])
            words[j] = words[j] & q.own
            placed[j] = [(at, st) for at, st in placed[j] if st in q.own]
    overlap = [weigh(ws) for ws in words]
    lead = [1 / (1 + s / LEAD_CHARS) for s in starts]
    top = max(range(len(spans)), key=lambda j: overlap[j] + LEAD_BONUS * lead[j] / total)
    focus = q.focus & q.qstems
    lacked = set().union(*words) - words[top]
    coverage = _weighted_share(set().union(*words) | (q.asked & title_stems), q)
    scored: list[tuple[float, int, tuple[float, ...]]] = []  # (score, sentence, its _BODY_FEATURES)
    for j, (s, e) in enumerate(spans):
        described = bool(focus) and j > 0 and focus <= words[j - 1]
        completes = j > top and len(lacked) >= COMPLETING_WORDS and lacked <= words[j]
        follows = completes or (q.kind != answer_type.NAME and (j > top or j == 0) and bool(words[j]))
        told = overlap[j] + CONTEXT_SHARE * weigh(words[top] - words[j]) if follows else 0.0
        before = CONTEXT_SHARE * (overlap[j - 1] if described else after_quoted.get(j, 0.0))
        reach = max(overlap[j], told, before)
        if reach <= 0 and j != 0 and s not in quoted:
            continue
        values = (overlap[j], overlap[top], float(j == top), told, before, float(completes), reach, rank_share,
                  score_gap, math.log1p(len(body[s:e].split())), coverage)
        scored.append((sum(map(operator.mul, values, _BODY_WEIGHTS)), j, values))
    if best_only and scored:
        scored = [max(scored, key=operator.itemgetter(0))]  # the first of equal scores, as max() keeps
    out = []
    for score_, j, values in scored:
        s, e = spans[j]
        features = _NO_FEATURES.copy()
        features.update(zip(_BODY_FEATURES, values))
        out.append(Candidate(s, e, False, body[s:e], features, score_, placed[j], spread=spread, day=day))
    if _by_the_noun(out, q):
        for c in out:
            c.noun_named = True
    # The headline is a candidate when it names what is asked ("North Korea's Kim Jong Un declares
    # victory against Covid" for "Which country declared victory against Covid-19?"); otherwise
    # a body sentence, which says more and can be read in context, answers. Nor does a follow-up
    # answer with the headline again. A headline made from the first sentence (and cut short,
    # "... and its allies across…") is no candidate: that sentence says it in full.
    headed = item.title and not item.title_derived and not q.moves_on and q.kind
    named = _offered(q, without_site_name(item.title, item.source)) if headed else []
    if named and item.title.isupper() and _offered(q, body[spans[0][0]:spans[0][1]]):
        # A wire headline in capitals ("MOODY'S DOWNGRADES STANDARD CHARTERED PLC, AFFECTS 1.6
        # BILLION DLRS OF DEBT") is shorthand for its lead, which offers an answer too and says it
        # in full ("... downgraded 1.6 billion dlrs of debt of Standard Chartered PLC and its units").
        named = []
    if named:
        headline = _unscored(0, 0, True, item.title, {
            **common, "overlap": title_overlap, "top_overlap": overlap[top], "reach": title_overlap,
            "headline": 1.0, "words": math.log1p(len(item.title.split())), "coverage": coverage},
            q.find.find(item.title), spread=spread, day=day)
        _describe_kind(headline, q, named)
        out.append(headline)
    return out


# "Sprite will no longer be sold in green bottles - CNN", "... | The Week UK": a headline that ends
# with its publisher's name, which names nothing the story tells.
_SITE_SUFFIX = re.compile(r"\s+[-|–—]\s+([^-|–—]{2,40})$")


def without_site_name(title: str, source: str) -> str:
    """``title`` without a trailing " - CNN" or " | CNN Business" that names its ``source`` (the
    same letters, spaces and punctuation aside, as the source's name or web domain begins with)."""
    m = _SITE_SUFFIX.search(title)
    if not m or not source:
        return title
    site = re.sub(r"\W+", "", m.group(1)).lower()
    name = re.sub(r"\W+", "", source.split(".")[0] if "." in source and " " not in source else source).lower()
    return title[:m.start()] if name and (site.startswith(name) or name.startswith(site)) else title


def _day(item: Item) -> dt.date | None:
    """The item's day; None when it has none, or only a month or a year (stored as its first day,
    which would put "in March" ahead of a story of 1987 dated only by its year)."""
    if not item.date or item.date_precision not in (None, "", "day"):
        return None
    try:
        return dt.date.fromisoformat(item.date[:10])
    except ValueError:
        return None


def _unscored(start: int, end: int, in_title: bool, text: str, features: dict[str, float],
              hits: list[tuple[int, str]] | None = None, *, spread: dict[str, int] | None = None,
              day: dt.date | None = None) -> Candidate:
    full = _NO_FEATURES.copy()
    full.update(features)
    return Candidate(start, end, in_title, text, full, score(full), hits or [], spread=spread or {}, day=day)


def _weighted_share(have: set[str] | frozenset[str], q: Question) -> float:
    """Weight of the question's own words in ``have``, a share of their total: an item without
    the question's rarest word ("Spartech") covers it less than one without "named"."""
    total = q.asked_total
    return sum(q.weight.get(w, 0.0) for w in q.asked & have) / total if total else 0.0
