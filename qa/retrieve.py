"""Hybrid search: FAISS nearest chunks fused with SQLite FTS5 BM25, filtered and grouped by story.

Dense search finds paraphrases; full text finds the names, numbers and rare words an embedding
blurs. Each list is first reduced to items (an item ranks where its best chunk ranks), then the
two item rankings are fused by reciprocal rank fusion, which needs no score calibration between
cosine similarities and BM25. Near-identical items (syndicated copies, a headline filed twice
under two places) are grouped into one story that is cited once and names every copy.
"""
from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass, field

import numpy as np

from index.item import Item

from .query import Filters

log = logging.getLogger(__name__)

MODES = ("hybrid", "dense", "fts")
MAX_FTS_WORDS = 8  # full text searches at most this many of the question's rarest words
COMMON_SHARE = 0.1  # ... and none that occurs in more than this share of the chunks
FTS_ROW_BUDGET = 15000  # ... and, after the rarest, no more words than match this many chunks in all

# Words that carry no topic: English function words plus the question words people type.
STOP_WORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had
has have having he her here hers herself him himself his how i if in into is it its itself just
me more most my myself no nor not now of off on once only or other our ours ourselves out over
own same she should so some such than that the their theirs them themselves then there these
they this those through to too under until up very was we were what when where which while who
whom why will with would you your yours yourself yourselves tell say said says know
happen happened happening anything something news report reported reports article articles
many much one ever whose
""".split())

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)


def terms(text: str) -> list[str]:
    """Lower-cased content words of ``text`` in order, without stop words or repeats."""
    seen: dict[str, None] = {}
    for w in _WORD.findall(text.lower()):
        w = w.replace("’", "'")
        if w.endswith("'s"):
            w = w[:-2]
        if (len(w) > 1 or w.isdigit()) and w not in STOP_WORDS:
            seen.setdefault(w, None)
    return list(seen)


@dataclass
class Passage:
    """One cited span: a chunk of an item's body (or a title-only item's title) and its scores."""

    chunk_id: int
    item: Item
    start: int  # character offsets into item.body; 0, 0 for a title-only item
    end: int
    score: float  # fused score of the item (reciprocal rank fusion); higher is better
    dense_score: float | None = None  # cosine of the question and this chunk, when dense search saw it
    also_in: list[Item] = field(default_factory=list)  # near-identical copies grouped with it

    @property
    def text(self) -> str:
        """The passage's own text: the body span, or the title of a title-only item."""
        return self.item.body[self.start:self.end] if self.item.body else self.item.title

    def to_dict(self) -> dict:
        """The JSON form used by ``/api/search``."""
        it = self.item
        from index.dates import display_date
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


def filter_sql(filters: Filters, alias: str = "i") -> tuple[str, list]:
    """SQL conditions on the items table for ``filters``: (" AND ..." text, parameters)."""
    sql, args = "", []
    if filters.date_from:
        sql += f" AND {alias}.date >= ?"
        args.append(filters.date_from)
    if filters.date_to:
        sql += f" AND {alias}.date <= ?"
        args.append(filters.date_to)
    if filters.source:
        sql += f" AND {alias}.source = ? COLLATE NOCASE"
        args.append(filters.source)
    if filters.place:
        # "Salvador" matches the dateline "Salvador, Brazil" too: the range of datelines that
        # start "Salvador," (a comma sorts just before "-"), which the items_dateline index serves.
        sql += (f" AND ({alias}.dateline = ? COLLATE NOCASE OR ({alias}.dateline >= ? COLLATE NOCASE"
                f" AND {alias}.dateline < ? COLLATE NOCASE))")
        args += [filters.place, filters.place + ",", filters.place + "-"]
    return sql, args


def _shingles(item: Item) -> set[str]:
    """Word 3-grams of an item's title (less a leading "Place:") and the start of its body."""
    title = re.sub(r"^[^:]{1,40}:\s*", "", item.title)
    words = _WORD.findall((title + " " + item.body[:800]).lower())
    if len(words) < 3:
        return {" ".join(words)}
    return {" ".join(words[i:i + 3]) for i in range(len(words) - 2)}


def same_story(a: set[str], b: set[str], threshold: float = 0.6) -> bool:
    """Whether two shingle sets are near-identical (Jaccard similarity at least ``threshold``)."""
    if not a or not b:
        return False
    return len(a & b) / len(a | b) >= threshold


class Retriever:
    """Search one archive connection and one live FAISS index with one embedder.

    >>> r = Retriever(archive.conn, live, embedder)
    >>> result = r.search("oil prices", Filters(place="London"), k=5)
    >>> result.passages[0].item.dateline
    'London'
    """

    def __init__(self, conn: sqlite3.Connection, live, embedder, *, depth: int = 50,
                 rrf_k: int = 60, per_item: int = 2, exact_limit: int = 5000,
                 df_cache: dict[str, int] | None = None):
        self.conn = conn
        self.live = live
        self.embedder = embedder
        self.depth = depth  # candidates read from each list
        self.rrf_k = rrf_k
        self.per_item = per_item
        # Below this many chunks inside the filters, dense search scores them all exactly
        # from the embedding cache instead of hoping FAISS's global top hits fall inside.
        self.exact_limit = exact_limit
        # Chunk frequencies of query words; the Engine shares one dict between questions and
        # empties it when the archive changes.
        self.df_cache = df_cache if df_cache is not None else {}

    # -- the two lists ------------------------------------------------------------------

    def dense(self, qvec: np.ndarray, filters: Filters, depth: int) -> list[tuple[int, float]]:
        """Nearest chunks to ``qvec`` inside ``filters``: [(chunk_id, cosine)], best first."""
        if self.live is None or self.live.ntotal == 0:
            return []
        if not filters.active:
            return [(int(c), float(s)) for c, s in self.live.search(qvec[None, :], depth)[0] if c >= 0]
        cond, args = filter_sql(filters)
        # Count no further than the exact-search limit: a filter keeping most of a big archive
        # would otherwise cost a scan of every chunk it keeps.
        n = self.conn.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM chunks c JOIN items i ON i.id = c.item_id WHERE 1{cond} LIMIT ?)",
            [*args, self.exact_limit + 1]).fetchone()[0]
        if n == 0:
            return []
        if n <= self.exact_limit:
            rows = self.conn.execute(
                f"SELECT c.id, e.vector FROM chunks c JOIN items i ON i.id = c.item_id"
                f" JOIN embeddings e ON e.hash = c.hash AND e.model = ? WHERE 1{cond}",
                [self.embedder.name, *args]).fetchall()
            if len(rows) == n:
                ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
                mat = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(n, -1)
                scores = mat @ qvec
                top = np.argsort(-scores)[:depth]
                return [(int(ids[i]), float(scores[i])) for i in top]
            log.info("embedding cache lacks %d of %d filtered chunks; searching FAISS instead",
                     n - len(rows), n)
        # Over-fetch in proportion to how much of the index the filters keep (n is a lower
        # bound here, so this errs on fetching more), then filter.
        total = max(1, self.live.ntotal)
        want = int(min(total, max(depth * 4, depth * total / n * 2), 4096))
        hits = [(int(c), float(s)) for c, s in self.live.search(qvec[None, :], want)[0] if c >= 0]
        keep = self._inside(filters, [c for c, _ in hits])
        return [(c, s) for c, s in hits if c in keep][:depth]

    def _inside(self, filters: Filters, chunk_ids: list[int]) -> set[int]:
        if not chunk_ids:
            return set()
        cond, args = filter_sql(filters)
        rows = self.conn.execute(
            f"SELECT c.id FROM chunks c JOIN items i ON i.id = c.item_id"
            f" WHERE c.id IN ({','.join('?' * len(chunk_ids))}){cond}", [*chunk_ids, *args])
        return {r[0] for r in rows}

    def _df(self, word: str) -> int:
        """How many chunks contain ``word`` (porter-stemmed by FTS5, like the search)."""
        df = self.df_cache.get(word)
        if df is None:
            # Counting stops past the budget: a word that common is left out anyway (or, when
            # every word is, ties are broken by length), and counting it fully costs a scan.
            df = self.conn.execute(
                "SELECT count(*) FROM (SELECT 1 FROM chunks_fts WHERE chunks_fts MATCH ? LIMIT ?)",
                ('"' + word.replace('"', '""') + '"', FTS_ROW_BUDGET + 1)).fetchone()[0]
            self.df_cache[word] = df
        return df

    def select_words(self, words: list[str]) -> list[str]:
        """The words worth a full-text search: the MAX_FTS_WORDS rarest present, none in over
        COMMON_SHARE of the chunks, together matching at most FTS_ROW_BUDGET chunks (the rarest
        word is always kept).

        FTS5 scores every chunk that matches any word, so a word in a third of the archive makes
        the query slow while its BM25 weight (IDF) is near zero.
        """
        if not words:
            return []
        total = max(self.live.ntotal if self.live is not None else 0, 1)
        dfs = {w: self._df(w) for w in words}
        present = sorted((w for w in words if dfs[w] > 0), key=lambda w: (dfs[w], -len(w)))
        keep, rows = [], 0
        for w in present:
            # Scoring costs about a microsecond per matching chunk: rarest words first, within
            # a budget of matches (it binds only on big archives; the rarest word always goes).
            if len(keep) == MAX_FTS_WORDS or (keep and rows + dfs[w] > FTS_ROW_BUDGET):
                break
            if dfs[w] <= COMMON_SHARE * total:
                keep.append(w)
                rows += dfs[w]
        return keep or present[:1]

    def fts(self, words: list[str], filters: Filters, depth: int) -> list[tuple[int, float]]:
        """Best BM25 chunks for any of ``words`` inside ``filters``: [(chunk_id, -bm25)], best first."""
        words = self.select_words(words)
        if not words:
            return []
        match = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
        cond, args = filter_sql(filters)
        if cond:
            sql = (f"SELECT f.rowid, bm25(chunks_fts) AS s FROM chunks_fts f JOIN chunks c ON c.id = f.rowid"
                   f" JOIN items i ON i.id = c.item_id WHERE chunks_fts MATCH ?{cond} ORDER BY s LIMIT ?")
        else:
            sql = "SELECT rowid, bm25(chunks_fts) AS s FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY s LIMIT ?"
        try:
            rows = self.conn.execute(sql, [match, *args, depth]).fetchall()
        except sqlite3.OperationalError as e:  # a query FTS5 cannot parse is a miss, not an error
            log.warning("full-text query %r failed: %s", match, e)
            return []
        return [(int(r[0]), -float(r[1])) for r in rows]

    # -- fusion -------------------------------------------------------------------------

    def search(self, text: str, filters: Filters | None = None, *, k: int = 10, mode: str = "hybrid",
               qvec: np.ndarray | None = None, depth: int | None = None, group: bool = True) -> SearchResult:
        """Search ``text`` inside ``filters``; return up to ``k`` stories' passages, best first.

        ``mode`` is "hybrid" (both lists fused), "dense" or "fts". ``group`` merges
        near-identical items into one story.
        """
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        filters = filters or Filters()
        depth = depth or max(self.depth, k * 3)
        words = terms(text)
        dense_hits: list[tuple[int, float]] = []
        if mode in ("hybrid", "dense"):
            if qvec is None:
                qvec = self.embedder.encode_query(text)
            dense_hits = self.dense(np.asarray(qvec, dtype=np.float32), filters, depth)
        fts_hits = self.fts(words, filters, depth) if mode in ("hybrid", "fts") else []
        best_dense = dense_hits[0][1] if dense_hits else -1.0

        chunk_rows = self._chunks({c for c, _ in dense_hits} | {c for c, _ in fts_hits})
        dense_of = {c: s for c, s in dense_hits}
        item_score: dict[str, float] = {}
        chunk_score: dict[int, float] = {}
        for hits in (dense_hits, fts_hits):
            rank_of_item: dict[str, int] = {}
            for rank, (cid, _) in enumerate(h for h in hits if h[0] in chunk_rows):
                item_id = chunk_rows[cid][0]
                chunk_score[cid] = chunk_score.get(cid, 0.0) + 1.0 / (self.rrf_k + rank + 1)
                if item_id not in rank_of_item:
                    rank_of_item[item_id] = len(rank_of_item)
            for item_id, r in rank_of_item.items():
                item_score[item_id] = item_score.get(item_id, 0.0) + 1.0 / (self.rrf_k + r + 1)
        ranked = sorted(item_score, key=lambda i: -item_score[i])
        result = SearchResult(passages=[], item_ids=ranked, best_dense=best_dense, query_terms=words)
        if not ranked:
            return result

        chunks_of: dict[str, list[int]] = {}
        for cid in sorted(chunk_score, key=lambda c: -chunk_score[c]):
            chunks_of.setdefault(chunk_rows[cid][0], []).append(cid)
        stories: list[tuple[Item, set[str], list[Item]]] = []
        # Read candidates a batch at a time until k stories are found: copies of one story
        # fold into it, so a heavily syndicated story may need more than k items.
        batch = k * 2 if group else k
        limit = k * 6 if group else k
        for b in range(0, min(len(ranked), limit), batch):
            pool = ranked[b:b + batch]
            items = self._items(pool)
            for item_id in pool:
                item = items.get(item_id)
                if item is None:
                    continue
                sig = _shingles(item) if group else set()
                for leader, leader_sig, copies in stories:
                    if group and same_story(sig, leader_sig):
                        copies.append(item)
                        break
                else:
                    if len(stories) < k:
                        stories.append((item, sig, []))
            if len(stories) >= k:
                break
        for leader, _, copies in stories:
            for cid in chunks_of[leader.id][: self.per_item]:
                _, start, end = chunk_rows[cid]
                result.passages.append(Passage(
                    chunk_id=cid, item=leader, start=start, end=end, score=item_score[leader.id],
                    dense_score=dense_of.get(cid), also_in=copies))
        return result

    def _chunks(self, ids: set[int]) -> dict[int, tuple[str, int, int]]:
        """chunk id -> (item_id, start, end); ids no longer in the archive are left out."""
        out: dict[int, tuple[str, int, int]] = {}
        ids_l = list(ids)
        for i in range(0, len(ids_l), 500):
            batch = ids_l[i:i + 500]
            for r in self.conn.execute(
                    f"SELECT id, item_id, start, end FROM chunks WHERE id IN ({','.join('?' * len(batch))})", batch):
                out[r[0]] = (r[1], r[2], r[3])
        return out

    def _items(self, ids: list[str]) -> dict[str, Item]:
        from index.store import Archive
        found: dict[str, Item] = {}
        for i in range(0, len(ids), 500):
            batch = ids[i:i + 500]
            for row in self.conn.execute(f"SELECT * FROM items WHERE id IN ({','.join('?' * len(batch))})", batch):
                found[row["id"]] = Archive.item_from_row(row)
        return found
