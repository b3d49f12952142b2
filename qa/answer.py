"""Compose an extractive answer: the sentences that answer, each with a numbered citation.

No language model writes anything: the answer is made of sentences copied from the cited
items, each followed by ``[n]``. The citations are exactly the items the answer quotes,
numbered in the order it quotes them; the other relevant items retrieval found are returned
apart, unnumbered, as ``related``. A citation's ``excerpt`` is a verbatim span of its item's body
at ``start``/``end``; a title-only item (a headline with no body) is cited by its title, with
``excerpt_field`` "title" and ``start`` = ``end`` = 0. A broad question ("What happened in June
2017?", "What do we know about X?") is answered as a digest: one line per item, in date order,
each led by its date and place. When nothing in the archive is close enough to the question,
the answer says so and lists the nearest items instead of citing them.
"""
from __future__ import annotations

import bisect
import logging
import math
import re
from dataclasses import asdict, dataclass, field, fields

from dateline.index.dates import display_date
from dateline.index.item import Item

from . import answer_type
from .chat import Previous
from .query import Filters, ParsedQuery, counts_back
from .retrieve import Passage, SearchResult
from .text_cache import TextCache
from .words import INITIALS, rare_in_general, stem, stems

log = logging.getLogger(__name__)

# Whether the archive answers at all: a logistic model of the search's evidence (Evidence below),
# fitted by `dateline eval calibrate` on RealTime QA's and TIME's questions asked of their own
# archive (answerable: 103 + 79) and on unrelated ones: RealTime QA's 2022 quiz questions and
# 64 of its gold headlines asked of the 1963 TIME archive (103 + 64). 5-fold cross-validated:
# 97.7% answerable kept, 98.1% unrelated refused at 0.5; TIME's own topic statements kept 94.9%.
# The model it replaces also took TIME's queries asked of the 2022 archive as unrelated, but
# the 2022 news answers many of them (Britain's new prime minister, Kashmir, Italy's election),
# and so it refused 16.5% of TIME's own queries (answering 26.6% of those; this one 49.4%).
# Words no item holds count against an answer only when English at large seldom uses them
# (words.rare_in_general): counting every such word refused 4 of 30 answerable questions about
# the 34-item sample archive (benchmarks/questions/sample_dev.jsonl), for lacking "newspaper".
NO_ANSWER_MODEL = {"intercept": -9.833, "cosine": 16.481, "coverage": 3.059, "weighted_coverage": 4.455,
                   "unknown_rare": -13.047}
# Retrieval rank knows what word overlap does not: a lower-ranked story's sentence must match a
# little better to lead the answer. Measured on RealTime QA's answer hit rate (103 questions):
# 0 -> 0.602, 0.05 -> 0.631, 0.1 -> 0.621, 0.15 -> 0.592. A small, noisy gain (three questions).
RANK_DISCOUNT = 0.05  # per story rank, off a sentence's score
MAX_DISCOUNTED_RANK = 5  # ranks below this one are discounted as this one
# News leads state the facts: a sentence gets LEAD_BONUS / (1 + its offset / LEAD_CHARS) beside
# its question words' weights, small beside one rare word's, so early sentences win near-ties.
# Set by hand with the first answer step, not tuned.
LEAD_BONUS = 0.3
LEAD_CHARS = 200
# The answer quotes the best sentence and those scoring at least ANSWER_SHARE of it, at most
# MAX_ANSWER_SENTENCES: more sentences of lower scores repeat the first or answer something
# else. Set by hand with the first answer step, not tuned.
ANSWER_SHARE = 0.6
MAX_ANSWER_SENTENCES = 3
# A sentence offering what the question asks for (a name, a number, see answer_type.py) has its
# question words' weight multiplied by 1 + TYPE_WEIGHT; one naming it right after a sentence that
# holds the question's description of it but names nothing may take CONTEXT_SHARE of that one's
# weight. RealTime QA answer hit rate (103 questions, sentences from the whole body): type weight
# 0 -> 0.699, 0.25 -> 0.709, 0.5 -> 0.699, 1 -> 0.689 (with CONTEXT_SHARE 1, which alone changes
# none of the 103); a flat curve: the weight is there for the sample's and Reuters' typed questions.
TYPE_WEIGHT = 0.25
# In a follow-up that refers back, the earlier question's words, which it is searched with, weigh
# CARRIED_WEIGHT beside its own ("advisory board" in "Which advisory board is he on?"): they
# say where to look, its own what to answer. Set by hand: no dev set has follow-ups.
CARRIED_WEIGHT = 0.25
# Words a sentence borrows weigh a little less than words it holds: of two later sentences that
# name an amount, "Dunn had sales last year of about 65 mln dlrs" (which names Dunn) wins over
# "The company said the loss on the sale may be ..." (which borrows it). Reuters blind 0.800 ->
# 0.825 at 0.9 and 0.95; at 0.75 Reuters dev 0.900 -> 0.825 and the blind sets lose too; the
# other sets, RealTime QA and TIME unchanged at 0.9.
CONTEXT_SHARE = 0.9
# The words of a question that set the scene (answer_type.setting: "According to the 20 June
# piece on Washington's stalled Iran policy, ...", "... once it closes its Levallois plant?")
# say which story is meant more than which sentence answers: in choosing the sentence they weigh
# SETTING_WEIGHT, as a follow-up's carried words do. Sample blind 0.867 -> 0.933 (0.900 at 0.5
# and 0.75); the other sets, RealTime QA and TIME unchanged at each.
SETTING_WEIGHT = 0.25
# A later sentence holding every question word (of those the item holds) that the item's best
# sentence lacks, at least this many, completes it (see _best_sentence). First-sentence hit on
# the blind Reuters set (benchmarks/questions) 0.625 -> 0.775 at 2, 0.675 at 3; at 1 it is 0.825
# but a single stray word ("major" cities for "Which major holiday ...?") takes the answer
# elsewhere: RealTime QA answer hit 0.709 -> 0.660, sample dev 0.900 -> 0.867, Reuters dev 0.875
# -> 0.825. At 2: RealTime QA 0.699 (one question), the other sets unchanged (docs/evaluation.md).
COMPLETING_WORDS = 2
# A question word retrieval did not weigh gets its rarity among the candidate stories plus this,
# so that one found in every story still counts a little.
FALLBACK_IDF_FLOOR = 0.1
EXCERPT_CHARS = 400  # an excerpt is the answering sentence plus what follows, up to this length
NEAREST_ITEMS = 3  # items listed when the archive holds no answer
UNDATED_LAST = "9999"  # sorts after every ISO date: undated citations end a "when" answer or a digest
# A question with a period of its own and at most this many topic words ("Tehran in June 2017",
# "executions last week") asks what the archive holds then: it is answered as a digest.
MAX_DIGEST_TOPIC_WORDS = 1
ABBREV_LOOKBACK = 24  # characters searched back for the word before a full stop ("U.S.", "Feb.")

# Questions that ask for an overview rather than one fact: "What happened in X?" (not "what
# happened to X?", which asks about X), "What do we know about Y?", "Tell me about Z", "news
# about ...", "a summary of ...". They are answered as a dated digest.
_BROAD = re.compile(
    r"^\s*(?:and\s+|so\s+|then\s+)?(?:"
    r"what\s+(?:else\s+)?(?:has\s+|had\s+)?(?:happened|happens|is\s+happening|was\s+happening|went\s+on"
    r"|is\s+going\s+on|was\s+going\s+on|took\s+place)\b(?!\s+to\b)"
    r"|what\s+(?:do|did|does|can)\s+(?:we|you|i|they)\s+know\s+(?:about|of|on)\b"
    r"|what\s+is\s+known\s+(?:about|of)\b"
    r"|(?:please\s+|can\s+you\s+)?tell\s+me\s+(?:more\s+)?(?:about|of)\b"
    r"|(?:any|the|latest|what(?:'s|\s+is)\s+the)?\s*news\s+(?:about|on|of|from|in)\b"
    r"|(?:give\s+me\s+)?(?:an?\s+)?(?:overview|summary|digest|round-?up)\s+of\b"
    r"|summari[sz]e\b)", re.I)

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


@dataclass
class Related:
    """A relevant item the answer does not quote: listed apart from the citations, unnumbered,
    with the sentence that best matched the question and what follows it. A Citation is one
    the answer quotes: the same fields plus its number and the quoted sentence's offsets."""

    item_id: str
    title: str
    source: str
    dateline: str  # the place the item was filed from
    date: str | None  # ISO YYYY-MM-DD
    date_display: str  # "30 Jun 2017"; "30 Jun 2017?" when the year was inferred
    year_inferred: bool
    excerpt: str  # body[start:end], or the title when excerpt_field is "title"
    start: int
    end: int
    url: str
    score: float
    excerpt_field: str = "body"  # "title" for a title-only item: start = end = 0
    also_in: list[dict] = field(default_factory=list)  # syndicated copies: item_id, source, title, url

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(kw_only=True)
class Citation(Related):
    """One numbered source of an answer: a verbatim excerpt of one item, with its date and place."""

    n: int  # the number of its [n] markers in the answer
    highlight: tuple[int, int] = (0, 0)  # the answering sentence's offsets inside excerpt

    def to_dict(self) -> dict:
        d = asdict(self)
        d["highlight"] = list(self.highlight)
        return d


@dataclass
class Answer:
    """A question's answer: text with [n] markers, the citations they point at, and the filters used."""

    question: str
    answer: str
    found: bool
    citations: list[Citation]
    filters: Filters
    took_ms: float = 0.0
    notes: list[str] = field(default_factory=list)  # how the filters were read from the question
    nearest: list[dict] = field(default_factory=list)  # when not found: the closest items
    related: list[Related] = field(default_factory=list)  # when found: relevant items the answer does not quote
    searched: str = ""  # the text retrieval used (a follow-up's includes the previous question)
    confidence: float = 0.0  # compared with the no-answer threshold

    def to_dict(self) -> dict:
        """The JSON form shared by `dateline ask --json` and POST /api/ask."""
        return {
            "question": self.question,
            "answer": self.answer,
            "found": self.found,
            "citations": [c.to_dict() for c in self.citations],
            "filters": self.filters.to_dict(),
            "took_ms": round(self.took_ms, 1),
            "notes": self.notes,
            "nearest": self.nearest,
            "related": [r.to_dict() for r in self.related],
            "searched": self.searched,
            "confidence": round(self.confidence, 4),
        }


def related_for(item: Item, start: int, end: int, score: float, *, also_in: list[Item] | None = None,
                in_title: bool = False) -> Related:
    """Describe ``item`` as a related item, by its body span [start, end) (its title if it has no
    body, or ``in_title``)."""
    if item.body and not in_title:
        excerpt, field_ = item.body[start:end], "body"
    else:
        excerpt, start, end, field_ = item.title, 0, 0, "title"
    return Related(
        item_id=item.id, title=item.title, source=item.source, dateline=item.dateline,
        date=item.date, date_display=display_date(item.date, item.date_precision, item.year_inferred),
        year_inferred=item.year_inferred, excerpt=excerpt, start=start, end=end, url=item.url,
        score=round(score, 6), excerpt_field=field_,
        also_in=[{"item_id": c.id, "source": c.source, "title": c.title, "url": c.url} for c in also_in or []],
    )


def citation_for(n: int, item: Item, start: int, end: int, score: float, *,
                 highlight: tuple[int, int] | None = None, also_in: list[Item] | None = None,
                 in_title: bool = False) -> Citation:
    """Build citation ``n`` for ``item``'s body span [start, end) (its title if it has no body,
    or ``in_title``)."""
    source = related_for(item, start, end, score, also_in=also_in, in_title=in_title)
    return Citation(**{f.name: getattr(source, f.name) for f in fields(Related)}, n=n,
                    highlight=highlight or (0, len(source.excerpt)))


@dataclass
class _Pick:
    """The best sentence of one story."""

    passage: Passage
    start: int  # sentence offsets in the body (0, 0 for a title-only item)
    end: int
    score: float
    rank: int
    in_title: bool = False  # the item's headline is the answering "sentence" (start = end = 0)


# One passage split into sentences: (start, end, stems) with body offsets; a title-only item
# is one "sentence" (0, 0) made of its title.
_Split = list[tuple[int, int, frozenset[str]]]


# Passages cited again by later questions are not split and stemmed again (about a fifth of
# `ask`'s time on TIME). About 6 KB a passage on TIME, so about 6 MB for the cache.
_SPLITS = TextCache(1024)


def _split(p: Passage) -> _Split:
    item = p.item
    if not item.body:
        return [(0, 0, stems(item.title))]
    # Chunks start and end at sentence boundaries, so the span splits like the whole body.
    return _SPLITS.get((item.id, hash(item.body), p.start, p.end), lambda: [
        (s + p.start, e + p.start, stems(item.body[s + p.start:e + p.start]))
        for s, e in sentences(item.body[p.start:p.end])])


def _coverage(qstems: set[str], have: set[str] | frozenset[str]) -> float:
    """Share of the question's stems found in ``have``."""
    return len(qstems & have) / len(qstems) if qstems else 0.0


def _story_stems(result: SearchResult, splits: dict[int, _Split]) -> dict[str, set[str]]:
    """Each story's stems, by item id: its title's and all its passages' sentences', in one pass."""
    have: dict[str, set[str]] = {}
    for i, p in enumerate(result.passages):
        story = have.setdefault(p.item.id, set(stems(p.item.title)))
        for _, _, st in splits[i]:
            story |= st
    return have


@dataclass(frozen=True)
class Evidence:
    """What says whether the archive answers a question, read from its search results."""

    cosine: float  # the best cosine of any chunk to the question (0 when negative or no dense search)
    coverage: float  # share of the question's words in the judged story's title and passages
    weighted_coverage: float  # the same, each word weighted by its rarity in the archive (idf)
    unknown_rare: float  # share of the question's words no item holds and English at large seldom uses

    def confidence(self) -> float:
        """The estimated probability that the archive answers: a logistic model of the evidence
        (NO_ANSWER_MODEL, fitted by `dateline eval calibrate`)."""
        z = NO_ANSWER_MODEL["intercept"] + sum(NO_ANSWER_MODEL[name] * getattr(self, name)
                                               for name in EVIDENCE_FEATURES)
        return 1 / (1 + math.exp(-z))


EVIDENCE_FEATURES = ("cosine", "coverage", "weighted_coverage", "unknown_rare")


def evidence(result: SearchResult, qstems: set[str], splits: dict[int, _Split] | None = None) -> Evidence:
    """The evidence ``result`` holds that the archive answers a question of stems ``qstems``.

    The judged story is the top one; when recency reordered the stories (an as-of question),
    the best covered of those shown: whether the archive answers is a matter of relevance, and
    the newest story need not be the one that holds the question's words.
    """
    cosine = max(result.best_dense, 0.0)
    unknown = (sum(map(rare_in_general, result.unknown_terms)) / len(result.query_terms)
               if result.query_terms else 0.0)
    if not result.passages or not qstems:
        return Evidence(cosine, 0.0, 0.0, unknown)
    splits = splits if splits is not None else {i: _split(p) for i, p in enumerate(result.passages)}
    judged = dict.fromkeys(p.item.id for p in result.passages) if result.by_recency else [result.passages[0].item.id]
    by_story = _story_stems(result, splits)
    # A word no item holds has no idf from the archive: it weighs as the rarest possible.
    rarest = max(result.idf.values(), default=1.0)
    weight = {s: result.idf.get(s, rarest) for s in qstems}
    total = sum(weight.values()) or 1.0
    coverage = max(_coverage(qstems, by_story[i]) for i in judged)
    weighted = max(sum(w for s, w in weight.items() if s in by_story[i]) / total for i in judged)
    return Evidence(cosine, coverage, weighted, unknown)


def confidence(result: SearchResult, qstems: set[str], splits: dict[int, _Split] | None = None) -> float:
    """How sure we are the archive answers (0-1; refused below the no-answer threshold)."""
    if not result.passages:
        return 0.0
    return evidence(result, qstems, splits).confidence()


def _pick_sentences(result: SearchResult, splits: dict[int, _Split], qstems: set[str],
                    idf: dict[str, float], kind: str | None = None,
                    focus: frozenset[str] = frozenset(), previous: Previous | None = None,
                    setting: frozenset[str] = frozenset(),
                    acronyms: dict[str, frozenset[str]] | None = None) -> list[_Pick]:
    """The best sentence of each story, in story order, from anywhere in its body.

    A sentence scores its question words' weights, more when it offers what the question asks
    for (``kind``, see answer_type.py), plus a little for coming early; ``focus`` holds the
    stems of the question's description of the answer. In a follow-up that refers back
    (``previous``), its own words weigh more and the sentences the previous answer quoted
    count only for them: the answer moves on rather than repeating itself.
    """
    own = previous.own & qstems if previous else frozenset()
    # The words that set the scene weigh less wherever a sentence is scored: a body's, a
    # headline's, a title-only item's.
    idf = {w: v * SETTING_WEIGHT if w in setting else v for w, v in idf.items()}
    find = _WordFinder(qstems, acronyms)
    qstems = qstems | set(acronyms or ())  # "NMMC" is the question's own name, not an answer
    picks: list[_Pick] = []
    seen: set[str] = set()
    for i, p in enumerate(result.passages):
        if p.item.id in seen:
            continue
        seen.add(p.item.id)
        if p.item.body:
            quoted = {start for item_id, start in previous.quoted if item_id == p.item.id} if own else set()
            best = _best_sentence(p.item.body, _paragraphs(p.item.id, p.item.body), find, qstems, idf, kind,
                                  focus & qstems, own, quoted)
            in_title = not own and _headline_answers(p.item, best, qstems, idf, kind)
            if in_title:
                best = (_headline_score(p.item.title, qstems, idf), 0, 0)
        else:
            best, in_title = (sum(idf.get(w, 0) for w in qstems & splits[i][0][2]), 0, 0), True
        rank = len(seen) - 1
        discount = RANK_DISCOUNT * min(rank, MAX_DISCOUNTED_RANK)
        picks.append(_Pick(p, best[1], best[2], best[0] * (1 - discount), rank, in_title))
    return picks


def _headline_score(title: str, qstems: set[str], idf: dict[str, float]) -> float:
    """A headline's score as an answer sentence: its question words' weights, more as it offers
    what is asked, and the lead bonus of a first sentence."""
    return sum(idf.get(w, 0) for w in qstems & stems(title)) * (1 + TYPE_WEIGHT) + LEAD_BONUS


def _headline_answers(item: Item, best: tuple[float, int, int], qstems: set[str], idf: dict[str, float],
                      kind: str | None) -> bool:
    """Whether ``item``'s headline answers better than its best body sentence ``best``: it names
    what is asked ("North Korea's Kim Jong Un declares victory against Covid" for "Which country
    declared victory against Covid-19?"), the sentence does not, and it holds more of the question."""
    if not kind or not item.title or not answer_type.candidates(kind, item.title, qstems):
        return False
    s, e = best[1], best[2]
    if e > s and answer_type.candidates(kind, item.body[s:e], qstems):
        return False
    return _headline_score(item.title, qstems, idf) > best[0]


def _matched_stem(word: str) -> str:
    """The stem words.stems would give ``word`` (lower-cased, without a possessive)."""
    w = word.lower().replace("’", "'")
    return stem(w[:-2] if w.endswith("'s") else w)


_DOER = re.compile(r"(?:er|or)s?(?:['’]s?)?$", re.I)
_DOER_ENDS = ("er", "or", "ers", "ors", "s'", "'s", "’s")  # a cheap look before the regex
MIN_DOER_STEM = 4  # "offer" and "order" name no doer of "off" and "ord"


def _doing(word: str) -> str | None:
    """The stem of what the doer ``word`` does ("found" for "founder", "produc" for
    "producers"), or None when it names no doer."""
    low = word.lower()
    if not low.endswith(_DOER_ENDS):
        return None
    bare = _DOER.sub("", low)
    if len(bare) < MIN_DOER_STEM or len(bare) == len(word):
        return None
    return stem(bare)


class _WordFinder:
    """Finds the question's words in a body: every word starting with a question stem, checked
    by stemming; a doer counts for its deed and the deed for its doer ("founder" for "Who
    founded Rolm?", "founded" for "Who is Rolm's founder?"); an acronym of a name the question
    spells out counts for its words ("NMMC in Smyrna, Tennessee" for "Nissan Motor
    Manufacturing Corp USA")."""

    def __init__(self, qstems: set[str], acronyms: dict[str, frozenset[str]] | None = None):
        self.qstems = qstems
        self.deeds = {d: q for q in qstems if (d := _doing(q))}  # "found" -> the question's "founder"
        self.acronyms = acronyms or {}  # "nmmc" -> the stems of "Nissan Motor Manufacturing Corp"
        starts = sorted(qstems | set(self.deeds) | set(self.acronyms), key=len, reverse=True)
        self.pattern = re.compile(r"(?<![^\W_])(?:" + "|".join(map(re.escape, starts))
                                  + r")[^\W_]*(?:['’][^\W_]+)?", re.I) if starts else None

    def find(self, body: str) -> list[tuple[int, str]]:
        """(offset, question stem) of each question word in ``body``."""
        if self.pattern is None:
            return []
        hits = []
        qstems, deeds, acronyms = self.qstems, self.deeds, self.acronyms
        for m in self.pattern.finditer(body):
            word = m.group(0)
            if acronyms and word.isupper() and word.lower() in acronyms:
                hits += [(m.start(), named) for named in acronyms[word.lower()]]
                continue
            st = _matched_stem(word)
            if st not in qstems:
                deed = _doing(word)
                st = deeds.get(st) or (deed if deed in qstems else None)
            if st:
                hits.append((m.start(), st))
        return hits


def _best_sentence(body: str, paragraphs: list[_Paragraph], find: _WordFinder, qstems: set[str],
                   idf: dict[str, float], kind: str | None, focus: frozenset[str] = frozenset(),
                   own: frozenset[str] = frozenset(), quoted: set[int] | None = None) -> tuple[float, int, int]:
    """(score, start, end) of ``body``'s best sentence for the question.

    The body is searched once for question words; only the sentences of the paragraphs holding
    one (and the first, and each one after them) are scored, and only sentences that could win
    are searched for answer candidates: stemming every sentence would cost more. ``paragraphs``
    is the body split as ``_paragraphs`` does.
    """
    hits = find.find(body)
    spans = _sentences_near(paragraphs, [h for h, _ in hits])
    starts = [s for s, _ in spans]
    words: list[set[str]] = [set() for _ in spans]
    for at, st in hits:
        words[bisect.bisect_right(starts, at) - 1].add(st)
    weight = {w: idf.get(w, 0) * (CARRIED_WEIGHT if own and w not in own else 1) for w in qstems}

    def weigh(ws: set[str]) -> float:
        return sum(weight[w] for w in ws)

    overlap = [weigh(ws) for ws in words]
    if own:
        overlap = [0.0 if s in quoted and not words[j] & own else overlap[j] for j, (s, _) in enumerate(spans)]
    offers: dict[int, bool] = {}

    def offer(j: int) -> bool:
        if j not in offers:
            s, e = spans[j]
            offers[j] = bool(kind) and bool(answer_type.candidates(kind, body[s:e], qstems))
        return offers[j]

    named: list[bool] = []  # whether the best-matching sentence names what is asked outright, once found

    def top_names_it() -> bool:
        if not named:
            s, e = spans[top]
            named.append(offer(top) and answer_type.names_exactly(kind, body[s:e], qstems))
        return named[0]

    lead = [LEAD_BONUS / (1 + s / LEAD_CHARS) for s, _ in spans]
    plain = [overlap[j] + lead[j] for j in range(len(spans))]
    if not spans:
        return (-1.0, 0, 0)
    top = max(range(len(spans)), key=plain.__getitem__)
    best = (plain[top], *spans[top])
    if not kind:
        return best
    # "The former minister wrote ..." then "Giulio Terzi, who ...": a sentence naming what the
    # question asks for may match it through the one before it, when that one holds the
    # question's description of it ("former Italian foreign minister") but names nothing.
    described = [bool(focus) and j > 0 and focus <= words[j - 1] for j in range(len(spans))]
    # "Associates Corp ... is issuing a 15 billion yen eurobond" then "The bonds will be listed in
    # Luxembourg": the best sentence states the item's subject and later ones go on about it, so
    # one after it (or the lead, below) that shares a question word and names what is asked may
    # take CONTEXT_SHARE of the weight of the question words it lacks, when the best sentence
    # names nothing.
    # "The Pillsbury Co said it filed ... with the Securities and Exchange Commission" then
    # "Merrill Lynch will lead the underwriting": the best sentence holds the question's subject
    # and names something, but a later one holds every question word it lacks (COMPLETING_WORDS
    # at least): that one completes it and may borrow its words even so, and for any kind.
    lacked = set().union(*words) - words[top]
    completes = [j > top and len(lacked) >= COMPLETING_WORDS and lacked <= words[j] for j in range(len(spans))]
    # The lead states the story's facts: it may borrow as a later sentence does ("One hundred
    # thousand people will gather in Paris ..." before "The annual convention, organised by ...").
    # Sample dev 0.900 -> 0.933, Reuters dev 0.875 -> 0.900, sample blind 0.767 -> 0.800, Reuters
    # blind 0.775 -> 0.750 (a lead naming the chairman who stepped down, docs/evaluation.md).
    follows = [completes[j] or kind != answer_type.NAME and (j > top or j == 0) and bool(words[j])
               for j in range(len(spans))]
    told = [overlap[j] + CONTEXT_SHARE * weigh(words[top] - words[j]) if follows[j] else 0.0
            for j in range(len(spans))]
    before = [CONTEXT_SHARE * overlap[j - 1] if described[j] else 0.0 for j in range(len(spans))]
    reach = [max(overlap[j], before[j], told[j]) for j in range(len(spans))]
    bound = [reach[j] * (1 + TYPE_WEIGHT) + lead[j] for j in range(len(spans))]
    # Searching a sentence for candidates costs more than scoring it: only those that could
    # still win are searched, best bound first.
    worth = best[0]
    for j in sorted(range(len(spans)), key=lambda j: -bound[j]):
        if bound[j] <= best[0] or reach[j] <= 0:
            break
        if not offer(j):
            continue
        own_score = max(overlap[j], before[j] if described[j] and not offer(j - 1) else 0.0)
        own_score = own_score * (1 + TYPE_WEIGHT) + lead[j]
        score = max(own_score, (told[j] if follows[j] and (completes[j] or not top_names_it()) else 0.0) * (1 + TYPE_WEIGHT) + lead[j])
        if score > best[0]:
            best = (score, *spans[j])
            # What it borrows picks the item's sentence, not how well the item answers: the
            # stories are ranked as if it borrowed nothing.
            worth = max(own_score, plain[top])
    return (worth, *best[1:])


_PARAGRAPH = re.compile(r"\n\s*\n")


# A paragraph: (start, end) in the body, and its sentences' (start, end) in the body.
_Paragraph = tuple[int, int, list[tuple[int, int]]]
# Items' bodies split into paragraphs and sentences: the same items answer many questions, and
# splitting a long article was a tenth of `ask`'s time on TIME (docs/performance.md).
_PARAGRAPHS = TextCache(1024)


def _paragraphs(item_id: str, body: str) -> list[_Paragraph]:
    """``body`` split into paragraphs and sentences, kept for the next question about the item."""
    return _PARAGRAPHS.get((item_id, hash(body)), lambda: _split_paragraphs(body))


def _split_paragraphs(body: str) -> list[_Paragraph]:
    """Split ``body`` at blank lines, then each paragraph into sentences (a blank line always
    ends a sentence)."""
    bounds, start = [], 0
    for m in _PARAGRAPH.finditer(body):
        bounds.append((start, m.start()))
        start = m.end()
    bounds.append((start, len(body)))
    return [(b, e, [(b + s, b + t) for s, t in sentences(body[b:e])]) for b, e in bounds]


def _sentences_near(paragraphs: list[_Paragraph], offsets: list[int]) -> list[tuple[int, int]]:
    """The sentences of the first paragraph, of those holding one of ``offsets``, and of the
    paragraph after each of them, in order."""
    keep = {0}
    firsts = [b for b, _, _ in paragraphs]
    for at in offsets:
        k = bisect.bisect_right(firsts, at) - 1
        keep.update((k, k + 1))
    return [span for k in sorted(keep) if k < len(paragraphs) for span in paragraphs[k][2]]


def compose(parsed: ParsedQuery, result: SearchResult, *, top_k: int, threshold: float,
            searched: str = "", previous: Previous | None = None) -> Answer:
    """Turn search results into an Answer: cited sentences, or a plain "nothing found".

    ``threshold`` is the no-answer threshold ``confidence`` is held against; ``searched`` is
    the text retrieval used when it is not the parsed question's (a follow-up's); ``previous``
    is what a follow-up that refers back knows of the answer it follows (chat.previous_answer).
    """
    qstems = set(stems(searched or parsed.text))
    splits = {i: _split(p) for i, p in enumerate(result.passages)}
    conf = confidence(result, qstems, splits)
    answer = Answer(question=parsed.question, answer="", found=False, citations=[], filters=parsed.filters,
                    notes=list(parsed.notes), searched=searched or parsed.text, confidence=conf)
    if result.passages and conf < threshold and _holds_what_is_named(parsed, result, qstems, splits):
        answer.confidence = conf = threshold
        if qstems:  # say so: the items share the question's words, not necessarily its subject
            answer.notes.append("answered from the items of the dates asked that share the question's words; "
                                "its confidence alone was below the no-answer threshold")
    if not result.passages or conf < threshold:
        return _nothing_found(answer, result, parsed.filters)
    kind = answer_type.expected(parsed.question)
    picks = _pick_sentences(result, splits, qstems, _question_idf(qstems, result, splits),
                            kind, answer_type.focus(parsed.question),
                            previous, answer_type.setting(parsed.question),
                            answer_type.acronyms(parsed.question, qstems))[:top_k]
    digest = broad_question(parsed, qstems)
    if digest:
        quoted = _digest(picks, result, splits, qstems)
    elif answer_type.is_topic(parsed.question) and not parsed.ordered:
        quoted = picks[:MAX_ANSWER_SENTENCES]  # a topic: its most relevant stories, in rank order
    else:
        quoted = _quoted(picks, parsed.ordered, kind == answer_type.DATE)
    answer.citations = [_citation(n, pick) for n, pick in enumerate(quoted, 1)]
    answer.related = [_related(pick) for pick in picks if all(pick is not q for q in quoted)]
    answer.found = True
    answer.answer = _answer_text(answer.citations, dated=digest or parsed.ordered)
    return answer


def broad_question(parsed: ParsedQuery, qstems: set[str]) -> bool:
    """Whether the question asks for an overview ("What happened in X?", "Tell me about Y") or
    names a period of its own with next to no topic ("Tehran in June 2017"): a digest answers it."""
    return bool(_BROAD.search(parsed.question)) or (
        parsed.dates_from_question and len(qstems) <= MAX_DIGEST_TOPIC_WORDS)


def _holds_what_is_named(parsed: ParsedQuery, result: SearchResult, qstems: set[str],
                         splits: dict[int, _Split]) -> bool:
    """Whether the archive answers a question that names what it wants through its filters,
    although its words and the items are not close enough for ``confidence``.

    "What happened on 24 June?": once the filters are applied no topic words are left, and
    every item inside the filters answers it; similarity to "what happened" means nothing.
    A question that names a date the archive has (the filter found items) is answered by the
    items of that date when one of them holds one of its words, if the date is one day ("Which
    rift inside the regime was reported on June 23?": a day's few items are seldom close to a
    question's wording) or the question asks for an overview of the period ("What happened in
    Tehran in June 2017?": any item of the period naming Tehran answers it). A specific question
    about a month or a year is left to ``confidence``: among that many items, sharing a word is
    no evidence (`dateline eval calibrate`'s unrelated questions "during November" and "in April"
    were answered by the month's items that shared one). A period counted back from the newest
    item ("last week") names no date: it does not count.
    """
    if not parsed.filters.active:
        return False
    if not qstems:
        return True
    if not parsed.dates_from_question or counts_back(parsed.question):
        return False
    if parsed.filters.date_from != parsed.filters.date_to and not broad_question(parsed, qstems):
        return False
    return any(qstems & have for have in _story_stems(result, splits).values())


def _nothing_found(answer: Answer, result: SearchResult, filters: Filters) -> Answer:
    """Make ``answer`` say the archive holds no answer, listing the nearest items if any."""
    answer.nearest = _nearest(result)
    if answer.nearest:
        listed = "; ".join(f"\"{n['title']}\" ({n['source']}, {n['date_display']})" for n in answer.nearest)
        answer.answer = f"The archive holds nothing that answers this. Nearest items: {listed}."
    else:
        answer.answer = "The archive holds nothing that answers this" + (
            " within the filters." if filters.active else ".")
    return answer


def _question_idf(qstems: set[str], result: SearchResult, splits: dict[int, _Split]) -> dict[str, float]:
    """Weight of each question stem: its rarity in the archive ("oil" in a commodities wire
    weighs less than "edible"), or, for words retrieval did not weigh, among the candidate stories."""
    idf = {s: result.idf[s] for s in qstems if s in result.idf}
    if len(idf) < len(qstems):
        docs = [stems(p.item.title).union(*(st for _, _, st in splits[i])) for i, p in enumerate(result.passages)]
        idf.update({s: math.log(1 + len(docs) / (1 + sum(s in d for d in docs))) + FALLBACK_IDF_FLOOR
                    for s in qstems - idf.keys()})
    return idf


def _by_date(pick: _Pick) -> tuple[str, int]:
    """Sort key: the item's date (undated last), then its rank."""
    return pick.passage.item.date or UNDATED_LAST, pick.rank


def _quoted(picks: list[_Pick], ordered: bool, asks_date: bool = False) -> list[_Pick]:
    """The picks the answer quotes, in the order it quotes them (and numbers their citations).

    The best sentence plus others scoring at least ANSWER_SHARE of it (at most
    MAX_ANSWER_SENTENCES), best first; for a question of how things unfolded, in date order.
    A "when" question (``asks_date``) keeps its best sentence first, the one that dates what
    it asks about ("When will ATT redeem its preferred shares?"), and the others in date order.
    """
    order = sorted(picks, key=lambda p: (-p.score, p.rank))
    quoted = [p for p in order if p.score >= ANSWER_SHARE * order[0].score][:MAX_ANSWER_SENTENCES] or order[:1]
    if ordered and asks_date:
        return quoted[:1] + sorted(quoted[1:], key=_by_date)
    return sorted(quoted, key=_by_date) if ordered else quoted


def _digest(picks: list[_Pick], result: SearchResult, splits: dict[int, _Split],
            qstems: set[str]) -> list[_Pick]:
    """The picks a digest lists, in date order: the stories that hold one of the question's
    words (every story when none does, or when the question has none: the filters chose them)."""
    by_story = _story_stems(result, splits)
    holding = [p for p in picks if qstems & by_story[p.passage.item.id]]
    return sorted(holding or picks, key=_by_date)


def _excerpt_end(pick: _Pick) -> int:
    """Where a picked sentence's excerpt ends: after the sentences that follow it while the
    excerpt stays within EXCERPT_CHARS (0 for a title-only item)."""
    body, end = pick.passage.item.body, pick.end
    for _, e in sentences(body[pick.end:pick.end + EXCERPT_CHARS]):
        if pick.end + e - pick.start > EXCERPT_CHARS:
            break
        end = pick.end + e
    return end


def _citation(n: int, pick: _Pick) -> Citation:
    """Citation ``n`` for a picked sentence: the sentence and what follows it, the sentence
    highlighted (a title-only item: its title)."""
    item = pick.passage.item
    if pick.in_title:
        return citation_for(n, item, 0, 0, pick.passage.score, also_in=pick.passage.also_in, in_title=True)
    return citation_for(n, item, pick.start, _excerpt_end(pick), pick.passage.score,
                        highlight=(0, pick.end - pick.start), also_in=pick.passage.also_in)


def _related(pick: _Pick) -> Related:
    """A related item for a pick the answer does not quote: its best sentence and what follows."""
    item = pick.passage.item
    return related_for(item, pick.start, 0 if pick.in_title else _excerpt_end(pick), pick.passage.score,
                       also_in=pick.passage.also_in, in_title=pick.in_title)


def _answer_text(citations: list[Citation], *, dated: bool) -> str:
    """Each citation's sentence followed by its ``[n]``, in citation order; ``dated`` (a "when"
    question, a digest): one line each, led by its date and place."""
    parts = []
    for c in citations:
        sentence = c.excerpt[c.highlight[0]:c.highlight[1]]
        if c.excerpt_field == "title":
            sentence = f"\"{sentence}\""
        lead = f"{c.date_display}" + (f", {c.dateline}" if c.dateline else "") + ": " if dated else ""
        parts.append(f"{lead}{sentence} [{c.n}]")
    # Markers are made from the citations above; the check keeps it so if that code changes.
    return drop_dangling(("\n" if dated else " ").join(parts), {c.n for c in citations})


def _nearest(result: SearchResult, n: int = NEAREST_ITEMS) -> list[dict]:
    seen, out = set(), []
    for p in result.passages:
        if p.item.id in seen:
            continue
        seen.add(p.item.id)
        it = p.item
        out.append({"item_id": it.id, "title": it.title, "source": it.source, "dateline": it.dateline,
                    "date": it.date, "date_display": display_date(it.date, it.date_precision, it.year_inferred),
                    "url": it.url, "score": round(p.score, 6)})
        if len(out) == n:
            break
    return out


_MARKER = re.compile(r"\s?\[(\d+)\]")


def drop_dangling(text: str, numbers: set[int]) -> str:
    """Remove every ``[n]`` in ``text`` that points at no citation in ``numbers``."""
    def keep(m: re.Match) -> str:
        if int(m.group(1)) in numbers:
            return m.group(0)
        log.warning("dropped [%s]: no such citation", m.group(1))
        return ""
    return _MARKER.sub(keep, text)
