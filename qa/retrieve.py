"""Hybrid search: FAISS nearest chunks fused with SQLite FTS5 BM25 over whole items, filtered
and grouped by story.

Dense search finds paraphrases; full text finds the names, numbers and rare words an embedding
blurs. The dense list is reduced to items (an item scores as its best chunk), full text scores
whole items, and the two are fused by weighted z-scores. Near-identical items (syndicated
copies, a headline filed twice under two places) are grouped into one story that is cited once
and names every copy. Each cited item then contributes its best passages, chosen among all its
chunks by cosine and by the question's words.
"""
from __future__ import annotations

import datetime as dt
import logging
import math
import re
import threading
import time
from concurrent import futures
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, NamedTuple

import numpy as np

from dateline.index.embed import usable_cpus
from dateline.index.item import Item
from dateline.index.reader import ArchiveReader

from .query import Filters
from .text_cache import TextCache
from .words import ALIKE_WORDS, SHORT_FORMS, STOP_WORDS, TITLE_SHORT, WORD, other_spelling, stem, terms

log = logging.getLogger(__name__)

# Where a question's full-text side runs while it is encoded (see
# Retriever._encoded_beside_full_text): a thread per usable core, none on a single core.
_SIDE = futures.ThreadPoolExecutor(usable_cpus(), thread_name_prefix="dateline-full-text") if usable_cpus() > 1 else None


class Asking:
    """How many questions this process is answering now, each thread counted once however its
    calls nest (Engine.ask, then Retriever.search). Reading ahead while a question is encoded
    takes a spare core and a Python thread's share of the GIL: with two asking threads on two
    cores it cost a sixth of the questions answered a second (TIME, 83 x 3 questions), so a
    question reads ahead only while each question being answered has a core to spare."""

    def __init__(self):
        self._lock = threading.Lock()
        self._depth = threading.local()
        self.now = 0

    @contextmanager
    def answering(self):
        """Count this thread's question while the block runs."""
        depth = getattr(self._depth, "n", 0)
        if depth == 0:
            with self._lock:
                self.now += 1
        self._depth.n = depth + 1
        try:
            yield
        finally:
            self._depth.n = depth
            if depth == 0:
                with self._lock:
                    self.now -= 1

    def spare(self) -> bool:
        """Whether each question being answered has a core to spare (its encoding takes one)."""
        return 2 * self.now <= usable_cpus()


ASKING = Asking()

MODES = ("hybrid", "dense", "fts")
MAX_FTS_WORDS = 12  # full text searches at most this many of the question's rarest words
COMMON_SHARE = 0.5  # ... and none that occurs in more than this share of the items
FTS_ROW_BUDGET = 15000  # ... and, after the rarest, no more words than match this many items in all
# Weight of the dense list in the fused score (the full-text list has the rest). Measured with
# `dateline eval time` and `dateline eval realtimeqa`: dense weights 0.4, 0.5 and 0.6 give TIME
# nDCG@10 0.754, 0.768 and 0.764 (docs/design.md, "Retrieval").
DENSE_WEIGHT = 0.5
# An item that holds all of a short question's searched words (2 to NEAR_MAX_WORDS) within
# NEAR_WORDS words of each other gains PROXIMITY_WEIGHT (z units) in the hybrid ranking: "Federal
# Reserve chairman Paul Volcker" in a story about the yen answers "Who is the chairman of the
# Federal Reserve?" better than the Fed's money-market stories full of "reserves". Weights 2 to 6
# give the same TIME figures (docs/evaluation.md); 3 sits inside that range.
PROXIMITY_WEIGHT = 3.0
NEAR_WORDS = 6
NEAR_MAX_WORDS = 5
# Dense feedback in the hybrid ranking (Rocchio): the question's vector, plus FEEDBACK_WEIGHT x
# the mean of the best-matching chunk of each of the FEEDBACK_ITEMS best-ranked items, searches
# the dense list again, and the fusion is redone with it. A quiz question's words meet the week's
# reports of the event once one of them is found. Measured (docs/evaluation.md, "Dense feedback"),
# same runs: RealTime QA `ask` Recall@5 0.908 -> 0.932, gold cited 0.893 -> 0.903; TIME `ask`
# 0.767 -> 0.770; the written Reuters and sample sets two questions up and two down. Weight 1
# gave RealTime QA Recall@5 0.922; the weight and the three items are the textbook's, not tuned.
# The sentence model's score-gap feature was fitted on rankings without it (not refitted).
FEEDBACK_ITEMS = 3
FEEDBACK_WEIGHT = 0.5
# The moved vector sits among the archive's chunks, where an IVF index needs few lists (the
# tuned width is for questions, which sit between topics): the feedback search probes this share
# of them, at least faiss_index.MIN_NARROWED_PROBES. At 1M chunks (IVF, 96 lists probed), a
# half, a quarter and an eighth kept 0.995, 0.990 and 0.987 of the full search's top 50 for the
# moved vectors (0.972, 0.954 and 0.908 for the questions themselves); a quarter took 1.7 ms p50
# against 5.9 (docs/performance.md). A flat index, exact, ignores it.
FEEDBACK_PROBE_SHARE = 0.25
# (dense, full text) weights of each mode's fusion: "dense" and "fts" are one list alone.
FUSION_WEIGHTS = {"hybrid": (DENSE_WEIGHT, 1 - DENSE_WEIGHT), "dense": (1.0, 0.0), "fts": (0.0, 1.0)}
# Candidates each list reads: at least CANDIDATE_DEPTH, and DEPTH_PER_RESULT x k for a big k, so
# that grouping copies into stories still leaves k. Set by hand; `dateline eval`'s ranking rows
# read as deep as `ask` at the --top-k asked (50 at 10; the z-scores of a deeper list differ:
# TIME hybrid 0.763 at 50, 0.768 at 60).
CANDIDATE_DEPTH = 50
DEPTH_PER_RESULT = 3
# Below this many chunks inside the filters, dense search scores them all exactly from the
# embedding cache instead of hoping FAISS's global top hits fall inside; above it, reading the
# vectors costs more than FAISS's search among the kept chunks. Set by hand (once 20,000), not tuned.
EXACT_LIMIT = 5000
MAX_OVERFETCH = 4096  # most FAISS hits read for a filtered dense search too big to score exactly
OVERFETCH_START = 4  # ... whose first fetch is this many times the depth (the fetch then at least doubles)
# Stories are found among the ranked items a batch of STORY_BATCH x k at a time, reading at most
# STORY_SCAN x k: copies fold into their story, so k stories may need more than k items, but a
# story syndicated more than five times over is rare. Set by hand.
STORY_BATCH = 2
STORY_SCAN = 6
# Two items are one story when the word 3-grams of their titles and body starts overlap this
# much (Jaccard): the sample's two "Widespread Protests..." headlines and wire copies, not two
# stories on one topic. Set by hand on those.
SAME_STORY_JACCARD = 0.6
SHINGLE_BODY_CHARS = 800  # the start of the body compared for that: a lead paragraph or two
MAX_TITLE_PLACE_CHARS = 40  # a leading "Place:" of a title, up to this long, is not compared
# BM25 weights of the full-text columns: title, dateline, body. A title weight of 2 raised
# full text alone on RealTime QA (nDCG@10 0.637 -> 0.654) but not the hybrid (0.644 -> 0.643).
COLUMN_WEIGHTS = (1.0, 1.0, 1.0)
# Recency for as-of questions (a `to` date, or "latest"): an item's fused score loses
# RECENCY_WEIGHT x ln(1 + age / RECENCY_SCALE_DAYS), its age counted back from the as-of date.
# Chosen on RealTime QA (103 quiz questions asked with their date as `to`; the gold article is a
# median 2 days old) by leave-one-week-out cross-validation over weights 0.25-2 and scales 1-30
# days, log and exponential decay: every fold but one chose 1.5 and 2 days (the other 2.0 and
# 1), and the held-out weeks put the gold item in the top 5 for 0.951 of questions against
# 0.738 without (the fused lists of `ask`, before story grouping).
RECENCY_WEIGHT = 1.5
RECENCY_SCALE_DAYS = 2.0
PASSAGE_WORD_WEIGHT = 0.5  # weight of question-word coverage beside cosine when choosing an item's passages


class ChunkRow(NamedTuple):
    """A chunk of a cited item as its passages are chosen from."""

    chunk_id: int
    item_id: str
    start: int
    end: int
    vector: bytes | None  # the model's float32 vector from the embedding cache
    word_share: float  # the share of the question's words it holds, each weighing its idf


class FullTextSide(NamedTuple):
    """What a question's full-text side finds (Retriever._full_text_side)."""

    words: list[str]  # the question's words as the archive spells them
    unknown: list[str]  # ... those no item holds, nor any word news writes for them
    scores: dict[str, float]  # the full-text list: item_id -> -bm25, best first
    near: list[tuple[str, float]]  # items holding all of a short question's words close together
    chunks_ahead: dict[str, list[ChunkRow]]  # the best items' chunks, read while the question was encoded
    items_ahead: dict[str, Item]  # ... and those items


@dataclass
class Passage:
    """One cited span: a chunk of an item's body (or a title-only item's title) and its scores."""

    chunk_id: int
    item: Item
    start: int  # character offsets into item.body; 0, 0 for a title-only item
    end: int
    score: float  # fused score of the item (weighted z-scores, see fuse); higher is better
    dense_score: float | None = None  # cosine of the question and this chunk, when dense search saw it
    also_in: list[Item] = field(default_factory=list)  # near-identical copies grouped with it

    @property
    def text(self) -> str:
        """The passage's own text: the body span, or the title of a title-only item."""
        return self.item.body[self.start:self.end] if self.item.body else self.item.title

    def to_dict(self) -> dict:
        """The JSON form used by ``/api/search``."""
        it = self.item
        from dateline.index.dates import display_date
        return {
            "item_id": it.id, "chunk_id": self.chunk_id, "title": it.title, "source": it.source,
            "dateline": it.dateline, "date": it.date,
            "date_display": display_date(it.date, it.date_precision, it.year_inferred),
            "year_inferred": it.year_inferred, "url": it.url, "start": self.start, "end": self.end,
            "text": self.text, "excerpt_field": "body" if it.body else "title",
            "score": round(self.score, 6),
            "dense_score": None if self.dense_score is None else round(self.dense_score, 4),
            "also_in": [{"item_id": c.id, "source": c.source, "title": c.title, "url": c.url} for c in self.also_in],
        }


@dataclass
class SearchResult:
    """Ranked passages plus the evidence the answer step needs to judge relevance."""

    passages: list[Passage]
    item_ids: list[str]  # every candidate item, best first (before story grouping)
    best_dense: float  # highest cosine of any chunk inside the filters; -1 when none
    query_terms: list[str]
    idf: dict[str, float] = field(default_factory=dict)  # stem of each query word -> its rarity in the archive
    by_recency: bool = False  # newer items were ranked higher (an as-of question)
    unknown_terms: list[str] = field(default_factory=list)  # the question's words no item holds
    query_vector: np.ndarray | None = None  # the question's, for a second search of it (None without one)


class IndexHits(NamedTuple):
    """A dense search's hits as the index gives them (Retriever._dense_from_index)."""

    hits: list[tuple[int, float]] | None  # None: the filters need the archive's reader from the start
    inside: bool  # whether they are known to be inside the filters (else the archive checks them; False for None)


class DenseList(NamedTuple):
    """The dense list by item: an item scores as its best chunk."""

    items: dict[str, float]  # item id -> cosine of its best chunk
    chunk_of: dict[str, int]  # item id -> that chunk's id
    best: float  # best cosine of any chunk inside the filters; -1 when none


# An item's shingles are compared whenever it is a candidate: made once per item text, and
# kept as hashes (about 12 KB an item on TIME, so about 12 MB for the cache).
_SHINGLES = TextCache(1024)


def _shingles(item: Item) -> frozenset[int]:
    """Hashes of the word 3-grams of an item's title (less a leading "Place:") and the start of
    its body."""
    start = item.body[:SHINGLE_BODY_CHARS]
    return _SHINGLES.get((item.id, hash(item.title), hash(start)), lambda: _make_shingles(item.title, start))


def _make_shingles(title: str, start: str) -> frozenset[int]:
    title = re.sub(rf"^[^:]{{1,{MAX_TITLE_PLACE_CHARS}}}:\s*", "", title)
    words = WORD.findall((title + " " + start).lower())
    if len(words) < 3:
        return frozenset({hash(" ".join(words))})
    return frozenset(hash(" ".join(words[i:i + 3])) for i in range(len(words) - 2))


def same_story(a: frozenset[int], b: frozenset[int], threshold: float = SAME_STORY_JACCARD) -> bool:
    """Whether two shingle sets are near-identical (Jaccard similarity at least ``threshold``)."""
    if not a or not b:
        return False
    small, large = sorted((len(a), len(b)))
    if small / large < threshold:  # even if the smaller lay wholly inside the larger
        return False
    shared = len(a & b)  # the union's size follows from it, without building the union
    return shared / (small + large - shared) >= threshold


class Retriever:
    """Search one archive and one live FAISS index with one embedder.

    >>> r = Retriever(archive.reader(), live, embedder)
    >>> result = r.search("oil prices", Filters(place="London"), k=5)
    >>> result.passages[0].item.dateline
    'London'
    """

    def __init__(self, reader: ArchiveReader, live, embedder, *, depth: int = CANDIDATE_DEPTH,
                 per_item: int = 2, exact_limit: int = EXACT_LIMIT,
                 df_cache: dict[str, int] | None = None):
        self.reader = reader
        self.live = live
        self.embedder = embedder
        self.depth = depth  # candidates read from each list
        self.per_item = per_item
        # Below this many chunks inside the filters, dense search scores them all exactly
        # from the embedding cache instead of hoping FAISS's global top hits fall inside.
        self.exact_limit = exact_limit
        # Item counts of query words; the Engine shares one dict between questions and
        # empties it when the archive changes.
        self.df_cache = df_cache if df_cache is not None else {}

    # -- the two lists ------------------------------------------------------------------

    def dense(self, qvec: np.ndarray, filters: Filters, depth: int, exact_memo: dict | None = None,
              probe_share: float = 1.0, from_index: IndexHits | None = None) -> list[tuple[int, float]]:
        """Nearest chunks to ``qvec`` inside ``filters``: [(chunk_id, cosine)], best first.

        Without filters FAISS answers alone. With them, the first of these that applies: FAISS
        among the chunks the index's filter columns keep (when they keep many, or when the index
        is flat and so exact anyway), exact scores of every chunk inside from the embedding
        cache (when few), FAISS over-fetching until enough hits fall inside. A second search
        inside the same filters passes the first one's ``exact_memo``, and reads no vector twice;
        ``probe_share`` narrows an IVF index's search (faiss_index.search). ``from_index``: what
        _dense_from_index already found for the same vector, filters, depth and probe share.
        """
        found = from_index if from_index is not None else self._dense_from_index(qvec, filters, depth, probe_share)
        if found.hits is not None:
            # The archive has the last word on the few hits the filter columns kept (index/facets.py).
            return found.hits if found.inside else self._inside(filters, found.hits)
        # Count no further than the exact-search limit: a filter keeping most of a big archive
        # would otherwise cost a scan of every chunk it keeps.
        n = self.reader.count_chunks(filters, self.exact_limit + 1)
        if n == 0:
            return []
        if n <= self.exact_limit:
            hits = self._dense_exact(qvec, filters, depth, n, exact_memo)
            if hits is not None:
                return hits
        return self._dense_overfetch(qvec, filters, depth)

    def _dense_from_index(self, qvec: np.ndarray, filters: Filters, depth: int,
                          probe_share: float = 1.0) -> IndexHits:
        """The part of a dense search the index answers without the archive's reader: FAISS
        unfiltered, or among the chunks the index's filter columns keep; no hits (None) when
        the filters need the archive from the start."""
        if self.live is None or self.live.ntotal == 0:
            return IndexHits([], True)
        if not filters.active:
            return IndexHits(self._faiss(qvec, depth, probe_share), True)
        facets = getattr(self.live, "facets", None)
        if facets is not None:
            among = facets.mask(**filters.to_dict())
            if not among.any():
                return IndexHits([], True)
            # A flat index scores exactly whatever it searches: it serves small filters too,
            # from memory, where reading their vectors from SQLite took up to 29 ms (TIME, a
            # one-week filter; benchmarks/time_anchors.py).
            if among.sum() > self.exact_limit or getattr(self.live, "exact", False):
                return IndexHits(self.live.search(qvec[None, :], depth, among=among, probe_share=probe_share)[0], False)
        return IndexHits(None, False)

    def _faiss(self, qvec: np.ndarray, depth: int, probe_share: float = 1.0) -> list[tuple[int, float]]:
        """FAISS's ``depth`` nearest chunks, unfiltered."""
        hits = self.live.search(qvec[None, :], depth, probe_share=probe_share)[0]
        return [(int(c), float(s)) for c, s in hits if c >= 0]

    def _inside(self, filters: Filters, hits: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """The hits whose items the archive finds inside ``filters``."""
        keep = self.reader.chunks_inside(filters, [c for c, _ in hits])
        return [(c, s) for c, s in hits if c in keep]

    def _dense_exact(self, qvec: np.ndarray, filters: Filters, depth: int, n: int,
                     memo: dict | None = None) -> list[tuple[int, float]] | None:
        """Every one of the ``n`` chunks inside ``filters`` scored from the embedding cache;
        None when the cache lacks some of them. ``memo`` keeps the vectors read for the next call."""
        if memo is not None and "vectors" in memo:
            ids, mat = memo["vectors"]
        else:
            ids, mat = self.reader.chunk_vectors(filters, self.embedder.name)
            if memo is not None:
                memo["vectors"] = (ids, mat)
        if len(ids) != n:
            log.info("embedding cache lacks %d of %d filtered chunks; searching FAISS instead", n - len(ids), n)
            return None
        scores = mat @ qvec
        top = np.argsort(-scores)[:depth]
        return [(int(ids[i]), float(scores[i])) for i in top]

    def _dense_overfetch(self, qvec: np.ndarray, filters: Filters, depth: int) -> list[tuple[int, float]]:
        """For an index without filter columns (written by an older version): over-fetch from
        FAISS and filter, growing the fetch by the share of hits found inside until ``depth`` are."""
        total = max(1, self.live.ntotal)
        want, checked, inside = min(total, depth * OVERFETCH_START), set(), {}
        while True:
            hits = [(int(c), float(s)) for c, s in self.live.search(qvec[None, :], want)[0] if c >= 0]
            fresh = [c for c, _ in hits if c not in checked]  # check each hit against SQLite once
            keep = self.reader.chunks_inside(filters, fresh)
            checked.update(fresh)
            inside.update((c, s) for c, s in hits if c in keep)
            if len(inside) >= depth or want >= min(total, MAX_OVERFETCH) or len(hits) < want:
                return sorted(inside.items(), key=lambda h: -h[1])[:depth]
            share = max(len(inside), 1) / len(hits)
            want = int(min(total, MAX_OVERFETCH, max(want * 2, len(hits) + (depth - len(inside)) / share * 2)))

    def writes(self, word: str) -> bool:
        """Whether an item writes ``word`` itself, not only a word of its stem (ArchiveReader.writes)."""
        return self.reader.writes(word)

    def items_holding(self, word: str) -> int:
        """How many items hold ``word`` as full-text search stems it (counted up to just past the
        budget a full-text word may match: spelling.respelled needs only whether and how many)."""
        return self._df(word)

    def _df(self, word: str) -> int:
        """How many items contain ``word`` (porter-stemmed by FTS5, like the search)."""
        df = self.df_cache.get(word)
        if df is None:
            # Counting stops past the budget: a word that common is left out anyway (or, when
            # every word is, ties are broken by length), and counting it fully costs a scan.
            df = self.df_cache[word] = self.reader.word_count(word, FTS_ROW_BUDGET + 1)
        return df

    def _as_spelled(self, word: str) -> str:
        """``word`` as the archive spells it: "destabilizing" is searched as "destabilising" when
        no item holds the first and some hold the second (full text stems each spelling apart),
        "admiral" as "adm" (words.TITLE_SHORT)."""
        other = other_spelling(word) or TITLE_SHORT.get(word)
        if other and self._df(word) == 0 and self._df(other) > 0:
            return other
        return word

    def _written_for(self, word: str) -> list[str]:
        """The words items hold that news writes for ``word`` (words.ALIKE_WORDS, words.SHORT_FORMS):
        a word the archive lacks is no sign that it lacks the topic when it holds these."""
        other = ALIKE_WORDS.get(stem(word), ()) + tuple(w for w in SHORT_FORMS.get(word, "").split() if w not in STOP_WORDS)
        return [w for w in other if self._df(w) > 0]

    def _item_count(self) -> int:
        n = self.df_cache.get(" items")  # a key no word can be
        if n is None:
            n = self.df_cache[" items"] = self.reader.item_count_bound()
        return max(n, 1)

    def select_words(self, words: list[str]) -> list[str]:
        """The words worth a full-text search: the MAX_FTS_WORDS rarest present, none in over
        COMMON_SHARE of the items, together matching at most FTS_ROW_BUDGET items (the rarest
        word is always kept).

        FTS5 scores every item that matches any word, so a word in a third of the archive makes
        the query slow while its BM25 weight (IDF) is near zero.
        """
        if not words:
            return []
        total = self._item_count()
        dfs = {w: self._df(w) for w in words}
        present = sorted((w for w in words if dfs[w] > 0), key=lambda w: (dfs[w], -len(w)))
        keep, rows = [], 0
        for w in present:
            # Scoring costs about a microsecond per matching item: rarest words first, within
            # a budget of matches (it binds only on big archives; the rarest word always goes).
            if len(keep) == MAX_FTS_WORDS or (keep and rows + dfs[w] > FTS_ROW_BUDGET):
                break
            if dfs[w] <= COMMON_SHARE * total:
                keep.append(w)
                rows += dfs[w]
        return keep or present[:1]

    def fts(self, words: list[str], filters: Filters, depth: int) -> list[tuple[str, float]]:
        """Best BM25 items for any of ``words`` inside ``filters``: [(item_id, -bm25)], best first.

        Whole items are scored, not chunks: an article that names the question's words in
        several paragraphs is the better answer, and chunk-level BM25 cannot see that
        (TIME nDCG@10 0.716 for whole items against 0.671 for chunks).
        """
        words = self.select_words(words)
        if not words:
            return []
        return self.reader.full_text(words, filters, depth, COLUMN_WEIGHTS, keep=self._kept(filters))

    def _kept(self, filters: Filters) -> bytes | None:
        """With filters, the items the in-memory filter columns keep (one byte per rowid), so that
        FTS5 scores only those; None without filters or filter columns."""
        facets = getattr(self.live, "facets", None)
        return facets.item_mask(**filters.to_dict()).tobytes() if filters.active and facets is not None else None

    # -- fusion -------------------------------------------------------------------------

    def depth_for(self, k: int) -> int:
        """Candidates each list reads for ``k`` stories: the retriever's depth, or DEPTH_PER_RESULT
        x k when that is more."""
        return max(self.depth, k * DEPTH_PER_RESULT)

    @ASKING.answering()
    def search(self, text: str, filters: Filters | None = None, *, k: int = 10, mode: str = "hybrid",
               qvec: np.ndarray | None = None, depth: int | None = None, group: bool = True,
               as_of: str | None = None, newest_first: bool = False,
               prepare: Callable[[Item], object] | None = None) -> SearchResult:
        """Search ``text`` inside ``filters``; return up to ``k`` stories' passages, best first.

        ``mode`` is "hybrid" (both lists fused by weighted z-scores, items holding all of a
        short question's words close together raised: PROXIMITY_WEIGHT; then the dense list
        searched again from the best items' passages: FEEDBACK_WEIGHT), "dense" or "fts".
        ``qvec`` is the question's vector when the caller has it; ``depth`` is how many
        candidates each list reads (default: the larger of the retriever's depth and
        DEPTH_PER_RESULT x k). ``group`` merges near-identical items into one story. ``as_of``
        (ISO date) ranks newer items higher, counting back from that day; with ``newest_first``
        the ``k`` most relevant stories are ordered newest first instead. ``prepare`` is called
        with each item read ahead while the question is encoded (the answer's work on its text).
        """
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        filters = filters or Filters()
        depth = depth or self.depth_for(k)
        qvec, side, from_index = self._encoded_beside_full_text(text, qvec, mode, filters, depth, k, prepare)
        words, fts_items, near = side.words, side.scores, side.near
        exact_memo: dict = {}  # the feedback search reuses the vectors an exact filtered search read
        dates: dict[str, str | None] = {}  # item dates read for recency, read once per search
        dense = (self._dense_items(qvec, filters, depth, exact_memo, from_index=from_index) if mode != "fts"
                 else DenseList({}, {}, -1.0))
        best_dense = dense.best  # the question's own: the no-answer model reads it
        item_score = fuse([dense.items, fts_items], FUSION_WEIGHTS[mode])
        item_score = self._with_proximity(item_score, near)
        if mode == "hybrid" and FEEDBACK_WEIGHT and dense.items and words:
            # The leaders as they would be shown, recency included. The second dense list
            # replaces the first in the fusion: an item only the question's own search found
            # drops out unless full text has it (Rocchio's trade). best_dense stays the
            # question's own cosine, which the no-answer model reads.
            ranked_now = self._with_recency(item_score, as_of, dates) if as_of and not newest_first else item_score
            leaders = sorted(ranked_now, key=lambda i: -ranked_now[i])[:FEEDBACK_ITEMS]
            moved = self._feedback_vector(qvec, leaders, dense.chunk_of)
            if moved is not None:
                fed_back = self._dense_items(moved, filters, depth, exact_memo, FEEDBACK_PROBE_SHARE)
                item_score = self._with_proximity(fuse([fed_back.items, fts_items], FUSION_WEIGHTS[mode]), near)
        if as_of and not words:
            # Nothing to be relevant to ("What is the latest news?"): the newest items inside the
            # filters answer, whatever the model finds close to the words "latest news".
            ranked = self.reader.newest(filters, depth)
            lowest = min(item_score.values(), default=0.0)
            item_score = {i: item_score.get(i, lowest) for i in ranked}
        else:
            if as_of and not newest_first:
                item_score = self._with_recency(item_score, as_of, dates)
            ranked = sorted(item_score, key=lambda i: -item_score[i])
        result = SearchResult(passages=[], item_ids=ranked, best_dense=best_dense, query_terms=words,
                              idf=self.idf(words), by_recency=bool(as_of),
                              unknown_terms=side.unknown, query_vector=qvec)
        if ranked:
            stories = self._stories(ranked, k, group, side.items_ahead)
            if as_of and newest_first:
                # Undated stories last; ties keep their relevance order.
                stories.sort(key=lambda s: s[0].date or "", reverse=True)
                leaders = [leader.id for leader, _ in stories]
                shown = set(leaders)
                result.item_ids = leaders + [i for i in ranked if i not in shown]
            result.passages = self._passages(stories, item_score, qvec, result.idf, side.chunks_ahead)
        return result

    def _with_proximity(self, item_score: dict[str, float], near: list[tuple[str, float]]) -> dict[str, float]:
        """``item_score`` with PROXIMITY_WEIGHT added for each item of ``near``: those that hold
        all the searched words close together ("Federal Reserve chairman Paul Volcker" for "Who
        is the chairman of the Federal Reserve?", in a story about the yen)."""
        if not near:
            return item_score
        lowest = min(item_score.values(), default=0.0)
        out = dict(item_score)
        for item_id, _ in near:
            out[item_id] = out.get(item_id, lowest) + PROXIMITY_WEIGHT
        return out

    def _with_recency(self, item_score: dict[str, float], as_of: str,
                      dates: dict[str, str | None] | None = None) -> dict[str, float]:
        """Fused scores less each item's age penalty; an undated item takes the largest penalty
        among the candidates, as an item missing from a list takes its lowest score. ``dates``
        holds item dates already read (a search ranks by recency twice with dense feedback),
        and gains those read now."""
        dates = {} if dates is None else dates
        unread = [i for i in item_score if i not in dates]
        if unread:
            dates.update(self.reader.item_dates(unread))
        end = dt.date.fromisoformat(as_of)
        penalty = {}
        for item_id in item_score:
            date = dates.get(item_id)
            if date:
                age = max((end - dt.date.fromisoformat(date[:10])).days, 0)
                penalty[item_id] = RECENCY_WEIGHT * math.log1p(age / RECENCY_SCALE_DAYS)
        worst = max(penalty.values(), default=0.0)
        return {i: s - penalty.get(i, worst) for i, s in item_score.items()}

    def _encoded_beside_full_text(self, text: str, qvec: np.ndarray | None, mode: str, filters: Filters,
                                  depth: int, k: int, prepare: Callable[[Item], object] | None = None,
                                  ) -> tuple[np.ndarray | None, FullTextSide, IndexHits | None]:
        """The question's vector and its full-text side (see _full_text_side), the second found on
        another core while the first is encoded when there is one to spare: ONNX Runtime and
        SQLite both let go of the GIL, so the full-text queries cost a question nothing but the
        hand-over, and while the encoding lasts that core reads ahead the best ``k`` full-text
        items and their chunks, and ``prepare``s them. This thread's reader is used by one
        thread at a time: this one waits for the other before it reads again. What the index
        alone finds of the dense search (_dense_from_index: no reader) is searched before that
        wait and comes third (else None): on a large archive full text takes longer than the
        encoding."""
        if qvec is not None or mode == "fts" or _SIDE is None:
            side = self._full_text_side(text, mode, filters, depth)
            return self._query_vector(text, qvec, mode), side, None
        encoded = threading.Event()
        job = _SIDE.submit(self._full_text_side, text, mode, filters, depth, k, encoded, prepare)
        from_index = None
        try:
            qvec = self._query_vector(text, qvec, mode)
            encoded.set()  # the other core stops reading ahead
            if qvec is not None:
                from_index = self._dense_from_index(qvec, filters, depth)
        finally:
            encoded.set()
            started = not job.cancel()  # a busy pool has not started it: this thread does it below
            if started:
                _wait_through_interrupts(job)
        side = job.result() if started else self._full_text_side(text, mode, filters, depth)
        return qvec, side, from_index

    def _full_text_side(self, text: str, mode: str, filters: Filters, depth: int, ahead: int = 0,
                        encoded: threading.Event | None = None,
                        prepare: Callable[[Item], object] | None = None) -> FullTextSide:
        """The question's words as the archive spells them, the full-text list ({item_id: -bm25}),
        for a short question the items holding all its searched words close together and, until
        ``encoded`` is set, the best ``ahead`` full-text items and their chunks read ahead (and
        each item ``prepare``d)."""
        words = [self._as_spelled(w) for w in terms(text)]
        # "govt" is searched as "government" too (words.SHORT_FORMS)
        words += [w for short in words if short in SHORT_FORMS for w in SHORT_FORMS[short].split()
                  if w not in STOP_WORDS and w not in words]
        # A word no item holds is searched as the words news writes for it that items hold
        # (words.ALIKE_WORDS): "denounce the wrecking of the burial sites" as "condemn the
        # destruction of the graves".
        written_for = {w: self._written_for(w) for w in words if self._df(w) == 0}
        words += list(dict.fromkeys(w for other in written_for.values() for w in other if w not in words))
        unknown = [w for w, other in written_for.items() if not other]
        # The words full text searches, and the items the filters keep, serve both of its queries.
        searched = self.select_words(words) if mode != "dense" else []
        keep = self._kept(filters) if searched else None
        fts_items = dict(self.reader.full_text(searched, filters, depth, COLUMN_WEIGHTS, keep=keep)) if searched else {}
        near: list[tuple[str, float]] = []
        if mode == "hybrid" and PROXIMITY_WEIGHT and 2 <= len(searched) <= NEAR_MAX_WORDS:
            near = self.reader.near(searched, NEAR_WORDS, filters, depth, COLUMN_WEIGHTS, keep=keep)
        chunks_ahead: dict[str, list[ChunkRow]] = {}
        items_ahead: dict[str, Item] = {}
        if encoded is not None and fts_items:
            # The best full-text items are most often among those cited: they, their chunks and
            # the share of the question's words each chunk holds are ready when the vector is.
            idf = self.idf(words)
            for item_id in list(fts_items)[:ahead]:
                # Let go of the GIL between items: the encoding thread needs it the moment the
                # model returns, and would otherwise wait out the interpreter's switch interval.
                time.sleep(0)
                if encoded.is_set() or not ASKING.spare():
                    break
                item = self.reader.items([item_id], chunked=True).get(item_id)
                if item is None:  # imported again since the index was built: not cited
                    continue
                items_ahead[item_id] = item
                chunks_ahead[item_id] = self._chunks_with_word_share([item_id], self.embedder.name, idf)
                if prepare is not None:
                    try:
                        prepare(item)
                    except Exception as e:  # noqa: BLE001 - the answer does the work itself if it cites the item
                        log.warning("reading %s ahead failed (%s); the answer reads it itself", item_id, e)
        return FullTextSide(words, unknown, fts_items, near, chunks_ahead, items_ahead)

    def _query_vector(self, text: str, qvec: np.ndarray | None, mode: str) -> np.ndarray | None:
        """The question's float32 vector: ``qvec`` when given, else encoded when ``mode`` needs it."""
        if qvec is None and mode in ("hybrid", "dense"):
            qvec = self.embedder.encode_query(text)
        return None if qvec is None else np.asarray(qvec, dtype=np.float32)

    def _dense_items(self, qvec: np.ndarray, filters: Filters, depth: int, exact_memo: dict | None = None,
                     probe_share: float = 1.0, from_index: IndexHits | None = None) -> DenseList:
        """The dense list by item, an item scoring as its best chunk; the options: see dense."""
        hits = self.dense(qvec, filters, depth, exact_memo, probe_share, from_index)
        chunk_item = self.reader.chunk_items([c for c, _ in hits])
        items: dict[str, float] = {}
        chunk_of: dict[str, int] = {}
        for cid, cos in hits:
            if cid in chunk_item and chunk_item[cid] not in items:
                items[chunk_item[cid]], chunk_of[chunk_item[cid]] = cos, cid
        # The best hit whose chunk the archive still holds: one of an item removed since the
        # index was built is no evidence that the archive answers.
        best = next((cos for cid, cos in hits if cid in chunk_item), -1.0)
        return DenseList(items, chunk_of, best)

    def _feedback_vector(self, qvec: np.ndarray, item_ids: list[str],
                         chunk_of: dict[str, int]) -> np.ndarray | None:
        """The question's vector plus FEEDBACK_WEIGHT x the mean of each item's best-matching
        chunk vector, normalised; None when the embedding cache has none of them. An item the
        dense list found brings the chunk it found; one that full text alone found, its best."""
        found = self.reader.vectors_of_chunks([chunk_of[i] for i in item_ids if i in chunk_of], self.embedder.name)
        best = [np.frombuffer(v, dtype=np.float32) for v in found.values()]
        others = [i for i in item_ids if i not in chunk_of]
        if others:
            by_item: dict[str, np.ndarray] = {}
            for _, item_id, _, _, _, vector in self.reader.chunks_of(others, self.embedder.name):
                if vector is not None:
                    v = np.frombuffer(vector, dtype=np.float32)
                    if item_id not in by_item or v @ qvec > by_item[item_id] @ qvec:
                        by_item[item_id] = v
            best.extend(by_item.values())
        if not best:
            return None
        moved = qvec + FEEDBACK_WEIGHT * np.mean(best, axis=0)
        return (moved / np.linalg.norm(moved)).astype(np.float32)

    def _stories(self, ranked: list[str], k: int, group: bool,
                 items_ahead: dict[str, Item] | None = None) -> list[tuple[Item, list[Item]]]:
        """Up to ``k`` stories from the ranked item ids, best first: (leader, near-identical
        copies); only items whose chunks follow their current text count (``items_ahead``: some
        of them, already read)."""
        items_ahead = items_ahead or {}
        stories: list[tuple[Item, frozenset[int], list[Item]]] = []
        # Read candidates a batch at a time until k stories are found: copies of one story
        # fold into it, so a heavily syndicated story may need more than k items.
        batch = k * STORY_BATCH if group else k
        limit = k * STORY_SCAN if group else k
        for b in range(0, min(len(ranked), limit), batch):
            pool = ranked[b:b + batch]
            unread = [i for i in pool if i not in items_ahead]
            items = {i: items_ahead[i] for i in pool if i in items_ahead}
            if unread:
                items.update(self.reader.items(unread, chunked=True))
            for item in (items[i] for i in pool if i in items):
                sig = _shingles(item) if group else set()
                story = next((s for s in stories if group and same_story(sig, s[1])), None)
                if story is not None:
                    story[2].append(item)  # a copy of a story already found
                elif len(stories) < k:
                    stories.append((item, sig, []))
            if len(stories) >= k:
                break
        return [(leader, copies) for leader, _, copies in stories]

    def _passages(self, stories: list[tuple[Item, list[Item]]], item_score: dict[str, float],
                  qvec: np.ndarray | None, idf: dict[str, float],
                  chunks_ahead: dict[str, list[ChunkRow]] | None = None) -> list[Passage]:
        """Each story leader's best passages, in story order, scored as the leader's item."""
        best_chunks = self._best_chunks([leader.id for leader, _ in stories], qvec, idf, chunks_ahead)
        return [Passage(chunk_id=cid, item=leader, start=start, end=end, score=item_score[leader.id],
                        dense_score=cos, also_in=copies)
                for leader, copies in stories for cid, start, end, cos in best_chunks.get(leader.id, [])]

    def idf(self, words: list[str]) -> dict[str, float]:
        """Stem of each word -> log(1 + items / (1 + items holding it)): rare words weigh most."""
        n = self._item_count()
        return {stem(w): math.log(1 + n / (1 + self._df(w))) for w in words}

    def _best_chunks(self, item_ids: list[str], qvec: np.ndarray | None, idf: dict[str, float],
                     chunks_ahead: dict[str, list[ChunkRow]] | None = None,
                     ) -> dict[str, list[tuple[int, int, int, float | None]]]:
        """Each item's ``per_item`` best chunks: item_id -> [(chunk_id, start, end, cosine)].

        Every chunk of the few cited items is scored, by its cosine to the question (from the
        embedding cache) plus PASSAGE_WORD_WEIGHT x the share of the question's words it holds,
        weighted by their rarity: an item found by full text alone gets the passage that names them.
        ``chunks_ahead``: items whose chunks were already read, with those shares (read while the
        question was encoded: they hold vectors, so only when there is a ``qvec``).
        """
        if not item_ids:
            return {}
        ahead = chunks_ahead if qvec is not None and chunks_ahead else {}
        rows = [row for item_id in item_ids for row in ahead.get(item_id, ())]
        unread = [item_id for item_id in item_ids if item_id not in ahead]
        if unread:  # full text alone needs no vectors
            rows += self._chunks_with_word_share(unread, None if qvec is None else self.embedder.name, idf)
        scored: dict[str, list[tuple[float, int, int, int, float | None]]] = {}
        for cid, item_id, start, end, vector, share in rows:
            cos = None
            if qvec is not None and vector is not None:
                cos = float(np.frombuffer(vector, dtype=np.float32) @ qvec)
            scored.setdefault(item_id, []).append(((cos or 0.0) + PASSAGE_WORD_WEIGHT * share, cid, start, end, cos))
        return {item_id: [(cid, start, end, cos) for _, cid, start, end, cos in sorted(chunks, reverse=True)[: self.per_item]]
                for item_id, chunks in scored.items()}

    def _chunks_with_word_share(self, item_ids: list[str], model: str | None,
                                idf: dict[str, float]) -> list[ChunkRow]:
        """Every chunk of ``item_ids`` with ``model``'s cached vector (None without a model) and
        the share of the question's words it holds, each weighing its ``idf``."""
        total_idf = sum(idf.values()) or 1.0
        rows = []
        for cid, item_id, start, end, text, vector in self.reader.chunks_of(item_ids, model):
            lowered = text.lower()
            share = sum(v for s, v in idf.items() if starts_a_word(lowered, s)) / total_idf
            rows.append(ChunkRow(cid, item_id, start, end, vector, share))
        return rows


def _wait_through_interrupts(job: futures.Future) -> None:
    """Wait for ``job`` even when Ctrl-C interrupts the wait: it uses this thread's reader, which
    the unwinding stack may close."""
    try:
        futures.wait([job])
    except BaseException:
        futures.wait([job])
        raise


def starts_a_word(text: str, prefix: str) -> bool:
    """Whether ``prefix`` starts a word of ``text`` (both lower-cased): "execut" in "... executed".

    str.find, not a regex: this runs for every chunk of every cited item, and one regex pass
    over each chunk was a sixth of `ask`'s time on TIME. Nor is each chunk's text prepared once
    and kept (its letters and digits marked, every stem then found with one `in`): a question
    about chunks not yet seen paid three times as much (docs/performance.md, session 20).
    """
    at = text.find(prefix)
    while at >= 0:
        if at == 0 or not text[at - 1].isalnum() and text[at - 1] != "_":
            return True
        at = text.find(prefix, at + 1)
    return False


def fuse(lists: list[dict[str, float]], weights: tuple[float, ...]) -> dict[str, float]:
    """Fuse scored lists into one score per item: the weighted sum of each list's z-scores.

    Each list's scores (cosines, BM25) are standardised over the list itself, so the two scales
    meet; an item missing from a list gets that list's lowest. Weighted z-scores beat
    reciprocal rank fusion on the same two lists (nDCG@10 TIME 0.768 against 0.756, RealTime
    QA 0.651 against 0.621): ranks throw away how far ahead the best hits are.
    """
    fused = {item_id: 0.0 for scores in lists for item_id in scores}
    for scores, weight in zip(lists, weights):
        if not scores or weight == 0:
            continue
        values = np.fromiter(scores.values(), dtype=np.float64, count=len(scores))
        sd = values.std()
        z = (values - values.mean()) / sd if sd > 0 else np.zeros_like(values)
        z_of = dict(zip(scores, z.tolist()))
        lowest = float(z.min())
        for item_id in fused:
            fused[item_id] += weight * z_of.get(item_id, lowest)
    return fused
