"""Compose an extractive answer: the sentences that answer, each with a numbered citation.

No language model writes anything: the answer is made of sentences copied from the cited
items, each followed by ``[n]``. A citation's ``excerpt`` is a verbatim span of its item's body
at ``start``/``end``; a title-only item (a headline with no body) is cited by its title, with
``excerpt_field`` "title" and ``start`` = ``end`` = 0. When nothing in the archive is close
enough to the question, the answer says so and lists the nearest items instead of citing them.
"""
from __future__ import annotations

import logging
import math
import re
from dataclasses import asdict, dataclass, field

from dateline.index.dates import display_date
from dateline.index.item import Item

from .query import Filters, ParsedQuery
from .retrieve import Passage, SearchResult
from .words import stems

log = logging.getLogger(__name__)

# How much the share of question words found in the best story adds to its cosine similarity
# when judging whether the archive answers at all; chosen with the threshold by
# `dateline eval calibrate` (see docs/evaluation.md, "No-answer threshold").
LEX_WEIGHT = 0.5
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
# A question word retrieval did not weigh gets its rarity among the candidate stories plus this,
# so that one found in every story still counts a little.
FALLBACK_IDF_FLOOR = 0.1
EXCERPT_CHARS = 400  # an excerpt is the answering sentence plus what follows, up to this length
NEAREST_ITEMS = 3  # items listed when the archive holds no answer
UNDATED_LAST = "9999"  # sorts after every ISO date: undated citations end a "when" answer
ABBREV_LOOKBACK = 24  # characters searched back for the word before a full stop ("U.S.", "Feb.")

_ABBREV = frozenset("mr mrs ms dr st jr sr inc co corp ltd bros no vs gen gov sen rep jan feb mar apr "
                    "jun jul aug sep sept oct nov dec u.s u.k u.n e.g i.e".split())
_LAST_WORD = re.compile(r"[\w.]+$")
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
            # "U.S. Agriculture", "Mr. Smith", "Feb. 26": not a sentence end.
            if w in _ABBREV or (len(w) == 1 and w.isalpha()):
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
class Citation:
    """One numbered source of an answer: a verbatim excerpt of one item, with its date and place."""

    n: int
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
    highlight: tuple[int, int] = (0, 0)  # the answering sentence's offsets inside excerpt
    also_in: list[dict] = field(default_factory=list)  # syndicated copies: item_id, source, title, url

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
            "searched": self.searched,
            "confidence": round(self.confidence, 4),
        }


def citation_for(n: int, item: Item, start: int, end: int, score: float, *,
                 highlight: tuple[int, int] | None = None, also_in: list[Item] | None = None) -> Citation:
    """Build citation ``n`` for ``item``'s body span [start, end) (its title if it has no body)."""
    if item.body:
        excerpt, field_ = item.body[start:end], "body"
    else:
        excerpt, start, end, field_ = item.title, 0, 0, "title"
    return Citation(
        n=n, item_id=item.id, title=item.title, source=item.source, dateline=item.dateline,
        date=item.date, date_display=display_date(item.date, item.date_precision, item.year_inferred),
        year_inferred=item.year_inferred, excerpt=excerpt, start=start, end=end, url=item.url,
        score=round(score, 6), excerpt_field=field_,
        highlight=highlight or (0, len(excerpt)),
        also_in=[{"item_id": c.id, "source": c.source, "title": c.title, "url": c.url} for c in also_in or []],
    )


@dataclass
class _Pick:
    """The best sentence of one story."""

    passage: Passage
    start: int  # sentence offsets in the body (0, 0 for a title-only item)
    end: int
    score: float
    rank: int


# One passage split into sentences: (start, end, stems) with body offsets; a title-only item
# is one "sentence" (0, 0) made of its title.
_Split = list[tuple[int, int, frozenset[str]]]


def _split(p: Passage) -> _Split:
    item = p.item
    if not item.body:
        return [(0, 0, stems(item.title))]
    # Chunks start and end at sentence boundaries, so the span splits like the whole body.
    return [(s + p.start, e + p.start, stems(item.body[s + p.start:e + p.start]))
            for s, e in sentences(item.body[p.start:p.end])]


def _coverage(qstems: set[str], have: set[str] | frozenset[str]) -> float:
    """Share of the question's stems found in ``have``."""
    return len(qstems & have) / len(qstems) if qstems else 0.0


def _story_stems(result: SearchResult, splits: dict[int, _Split], item_id: str) -> set[str]:
    """Stems of one item's title and of all its passages' sentences."""
    have: set[str] = set()
    for i, p in enumerate(result.passages):
        if p.item.id == item_id:
            have |= stems(p.item.title)
            for _, _, st in splits[i]:
                have |= st
    return have


def confidence(result: SearchResult, qstems: set[str], splits: dict[int, _Split] | None = None) -> tuple[float, float]:
    """How sure we are the archive answers: (best cosine + LEX_WEIGHT x coverage, coverage).

    Coverage is the share of the question's words found in the best story's title and passages.
    """
    if not result.passages:
        return 0.0, 0.0
    splits = splits if splits is not None else {i: _split(p) for i, p in enumerate(result.passages)}
    lex = _coverage(qstems, _story_stems(result, splits, result.passages[0].item.id))
    return max(result.best_dense, 0.0) + LEX_WEIGHT * lex, lex


def _pick_sentences(result: SearchResult, splits: dict[int, _Split], qstems: set[str],
                    idf: dict[str, float]) -> list[_Pick]:
    """The best sentence of each story, in story order."""
    picks: list[_Pick] = []
    best_of: dict[str, tuple] = {}
    order: list[str] = []
    for i, p in enumerate(result.passages):
        if p.item.id not in best_of:
            order.append(p.item.id)
            best_of[p.item.id] = None
        for s, e, st in splits[i]:
            score = sum(idf.get(w, 0) for w in qstems & st)
            if p.item.body:
                score += LEAD_BONUS / (1 + s / LEAD_CHARS)
            if best_of[p.item.id] is None or score > best_of[p.item.id][0]:
                best_of[p.item.id] = (score, s, e, p)
    for rank, item_id in enumerate(order):
        best = best_of[item_id]
        if best is not None:
            discount = RANK_DISCOUNT * min(rank, MAX_DISCOUNTED_RANK)
            picks.append(_Pick(best[3], best[1], best[2], best[0] * (1 - discount), rank))
    return picks


def compose(parsed: ParsedQuery, result: SearchResult, *, top_k: int, threshold: float,
            searched: str = "") -> Answer:
    """Turn search results into an Answer: cited sentences, or a plain "nothing found".

    ``threshold`` is the no-answer threshold ``confidence`` is held against; ``searched`` is
    the text retrieval used when it is not the parsed question's (a follow-up's).
    """
    qstems = set(stems(searched or parsed.text))
    splits = {i: _split(p) for i, p in enumerate(result.passages)}
    conf, _ = confidence(result, qstems, splits)
    answer = Answer(question=parsed.question, answer="", found=False, citations=[], filters=parsed.filters,
                    notes=list(parsed.notes), searched=searched or parsed.text, confidence=conf)
    # "What happened on 24 June?": once the filters are applied no topic words are left, and
    # every item inside the filters answers it; similarity to "what happened" means nothing.
    if not qstems and parsed.filters.active and result.passages:
        answer.confidence = conf = max(conf, threshold)
    if not result.passages or conf < threshold:
        return _nothing_found(answer, result, parsed.filters)
    picks = _pick_sentences(result, splits, qstems, _question_idf(qstems, result, splits))[:top_k]
    picks, chosen = _arrange(picks, parsed.ordered)
    answer.citations = [_citation(n, pick) for n, pick in enumerate(picks, 1)]
    answer.found = True
    answer.answer = _answer_text(answer.citations, chosen, parsed.ordered)
    return answer


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


def _arrange(picks: list[_Pick], ordered: bool) -> tuple[list[_Pick], list[int]]:
    """Choose the sentences the answer quotes and order the citations: (picks in citation
    order, the quoted picks' positions in the order the answer quotes them).

    The answer is the best sentence plus others scoring at least ANSWER_SHARE of it (at most
    MAX_ANSWER_SENTENCES). Its citations come first, in the answer's order, and the rest
    follow as found; for a "when" question citations and answer lines both follow the dates.
    """
    order = sorted(range(len(picks)), key=lambda i: (-picks[i].score, picks[i].rank))
    best = picks[order[0]].score
    chosen = [i for i in order if picks[i].score >= ANSWER_SHARE * best][:MAX_ANSWER_SENTENCES] or order[:1]
    if ordered:
        order = sorted(range(len(picks)), key=lambda i: (picks[i].passage.item.date or UNDATED_LAST, picks[i].rank))
    else:
        order = chosen + [i for i in range(len(picks)) if i not in chosen]
    positions = [order.index(i) for i in chosen]
    return [picks[i] for i in order], sorted(positions) if ordered else positions


def _citation(n: int, pick: _Pick) -> Citation:
    """Citation ``n`` for a picked sentence: the sentence and those that follow it while the
    excerpt stays within EXCERPT_CHARS, the sentence highlighted (a title-only item: its title)."""
    item = pick.passage.item
    if not item.body:
        return citation_for(n, item, 0, 0, pick.passage.score, also_in=pick.passage.also_in)
    end = pick.end
    for _, e in sentences(item.body[pick.end:pick.end + EXCERPT_CHARS]):
        if pick.end + e - pick.start > EXCERPT_CHARS:
            break
        end = pick.end + e
    return citation_for(n, item, pick.start, end, pick.passage.score,
                        highlight=(0, pick.end - pick.start), also_in=pick.passage.also_in)


def _answer_text(citations: list[Citation], chosen: list[int], ordered: bool) -> str:
    """The quoted sentences, each followed by its ``[n]``; for a "when" question one line each,
    led by its date and place."""
    parts = []
    for i in chosen:
        c = citations[i]
        sentence = c.excerpt[c.highlight[0]:c.highlight[1]]
        if c.excerpt_field == "title":
            sentence = f"\"{sentence}\""
        lead = f"{c.date_display}" + (f", {c.dateline}" if c.dateline else "") + ": " if ordered else ""
        parts.append(f"{lead}{sentence} [{c.n}]")
    # Markers are made from the citations above; the check keeps it so if that code changes.
    return drop_dangling(("\n" if ordered else " ").join(parts), {c.n for c in citations})


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
