"""Read-only queries of the archive for answering questions: the SQL that qa/ and web/ need.

``Archive`` (index/store.py) writes; an ``ArchiveReader`` over the same connection reads, so
that nothing outside index/ writes SQL. Each method is one query (or one query per batch of
ids), named for what it returns.
"""
from __future__ import annotations

import json
import logging
import re
import sqlite3
from collections.abc import Collection
from typing import Protocol

import numpy as np

from .disk import REPAIR_ARCHIVE
from .errors import DatelineError
from .item import FIELDS, Item
from .sql import batched, placeholders

log = logging.getLogger(__name__)


class FilterLike(Protocol):
    """The filters a question applies (``qa.query.Filters``): None or "" filters nothing."""

    date_from: str | None
    date_to: str | None
    source: str | None
    place: str | None


def filter_sql(filters: FilterLike, alias: str = "i") -> tuple[str, list]:
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


def item_from_row(row: sqlite3.Row) -> Item:
    """Rebuild an Item from its stored row."""
    data = {f: row[f] for f in FIELDS}
    data["year_inferred"] = bool(data["year_inferred"])
    data["title_derived"] = bool(data["title_derived"])
    try:
        data["metadata"] = json.loads(data["metadata"])
    except ValueError as e:  # bytes changed on disk: the row no longer holds what was written
        raise DatelineError(f"archive.sqlite is damaged (item {data['id']!r} has unreadable metadata: {e}): "
                            f"{REPAIR_ARCHIVE}", code="damaged_archive", status=503) from None
    return Item(**data)


def fts_phrase(word: str) -> str:
    """``word`` as an FTS5 string, so that no word is read as query syntax."""
    return '"' + word.replace('"', '""') + '"'


class ArchiveReader:
    """Read items, chunks, vectors and full text from an archive connection; never writes.

    >>> reader = Archive.open("./dateline-data").reader()
    >>> reader.item_count()
    0
    """

    def __init__(self, conn: sqlite3.Connection, *, mmap_bytes: int = 0, cache_kib: int = 0):
        """Read through ``conn``, sizing its page mapping and page cache when they are given."""
        self.conn = conn
        if mmap_bytes:
            conn.execute(f"PRAGMA mmap_size = {int(mmap_bytes)}")
        if cache_kib:
            conn.execute(f"PRAGMA cache_size = -{int(cache_kib)}")  # negative: KiB, not pages

    # -- items ---------------------------------------------------------------------------

    def item(self, item_id: str) -> Item | None:
        """The item with this id, or None."""
        row = self.conn.execute("SELECT * FROM items WHERE id = ?", (str(item_id),)).fetchone()
        return item_from_row(row) if row else None

    def items(self, ids: list[str], *, chunked: bool = False) -> dict[str, Item]:
        """Items by id; with ``chunked``, only those whose chunks follow their current text."""
        # An item imported again since the last `dateline index` may have chunk offsets that do
        # not fit its new body: a reader of chunks waits for the build.
        extra = " AND chunked_hash = content_hash" if chunked else ""
        found: dict[str, Item] = {}
        for batch in batched(ids):
            for row in self.conn.execute(f"SELECT * FROM items WHERE id IN ({placeholders(batch)}){extra}", batch):
                found[row["id"]] = item_from_row(row)
        return found

    def newest(self, filters: FilterLike, n: int) -> list[str]:
        """The ids of the ``n`` newest dated items inside ``filters`` whose chunks follow their
        current text, newest first (the items_date index serves it)."""
        cond, args = filter_sql(filters)
        return [r[0] for r in self.conn.execute(
            f"SELECT i.id FROM items i WHERE i.date IS NOT NULL AND i.chunked_hash = i.content_hash{cond}"
            " ORDER BY i.date DESC LIMIT ?", [*args, n])]

    def item_dates(self, ids: list[str]) -> dict[str, str | None]:
        """Each item's ISO date (None when undated), by id."""
        found: dict[str, str | None] = {}
        for batch in batched(ids):
            found.update(self.conn.execute(f"SELECT id, date FROM items WHERE id IN ({placeholders(batch)})", batch))
        return found

    def item_ids_for_urls(self, urls: Collection[str]) -> set[str]:
        """Ids of the items whose url is one of ``urls``."""
        found: set[str] = set()
        for batch in batched(list(urls)):
            rows = self.conn.execute(f"SELECT id FROM items WHERE url IN ({placeholders(batch)})", batch)
            found |= {r[0] for r in rows}
        return found

    def item_count(self) -> int:
        """How many items the archive holds."""
        return self.conn.execute("SELECT count(*) FROM items").fetchone()[0]

    def item_count_bound(self) -> int:
        """The largest item rowid: at least the item count, from one index look-up."""
        # Rows of removed items make it an overestimate.
        return self.conn.execute("SELECT coalesce(max(rowid), 0) FROM items").fetchone()[0]

    # -- facts ---------------------------------------------------------------------------

    def change_key(self) -> tuple:
        """(last import, last item rowid, newest date): changes with each import, from index look-ups."""
        return tuple(self.conn.execute("SELECT (SELECT max(id) FROM imports), (SELECT max(rowid) FROM items),"
                                       " (SELECT max(date) FROM items)").fetchone())

    def dates(self) -> list[str]:
        """Distinct item dates, oldest first."""
        return [r[0] for r in self.conn.execute("SELECT DISTINCT date FROM items WHERE date IS NOT NULL ORDER BY date")]

    def sources(self) -> list[str]:
        """Distinct non-empty sources."""
        return [r[0] for r in self.conn.execute("SELECT DISTINCT source FROM items WHERE source != ''")]

    def places(self) -> list[str]:
        """Distinct non-empty datelines."""
        return [r[0] for r in self.conn.execute("SELECT DISTINCT dateline FROM items WHERE dateline != ''")]

    def summary(self) -> dict:
        """Counts of items and chunks, items per source (most first), date range and undated items."""
        first, last, undated = self.conn.execute(
            "SELECT min(date), max(date), sum(date IS NULL) FROM items").fetchone()
        sources = [{"source": r[0], "items": r[1]} for r in self.conn.execute(
            "SELECT source, count(*) FROM items GROUP BY source ORDER BY count(*) DESC, source")]
        return {
            "items": self.item_count(),
            "chunks": self.conn.execute("SELECT count(*) FROM chunks").fetchone()[0],
            "sources": sources,
            "date_from": first,
            "date_to": last,
            "undated": undated or 0,
        }

    def recent_imports(self, n: int) -> list[dict]:
        """The ``n`` latest imports, newest first: path, format, when, and what each did."""
        return [
            {k: r[k] for k in ("path", "format", "finished_at", "added", "updated", "unchanged", "rejected")}
            for r in self.conn.execute("SELECT * FROM imports ORDER BY id DESC LIMIT ?", (n,))
        ]

    # -- chunks and vectors --------------------------------------------------------------

    def chunk_items(self, chunk_ids: list[int]) -> dict[int, str]:
        """chunk id -> item id; ids no longer in the archive are left out."""
        out: dict[int, str] = {}
        for batch in batched(chunk_ids):
            for r in self.conn.execute(f"SELECT id, item_id FROM chunks WHERE id IN ({placeholders(batch)})", batch):
                out[r[0]] = r[1]
        return out

    def vectors_of_chunks(self, chunk_ids: list[int], model: str) -> dict[int, bytes]:
        """chunk id -> ``model``'s float32 vector bytes from the embedding cache; chunks the
        cache lacks are left out."""
        if not chunk_ids:
            return {}
        return dict(self.conn.execute(
            f"SELECT c.id, e.vector FROM chunks c JOIN embeddings e ON e.hash = c.hash AND e.model = ?"
            f" WHERE c.id IN ({placeholders(chunk_ids)})", [model, *chunk_ids]).fetchall())

    def chunks_of(self, item_ids: list[str], model: str | None = None) -> list[tuple]:
        """Every chunk of ``item_ids``: (chunk_id, item_id, start, end, text, cached vector or None)."""
        # The vector is ``model``'s float32 bytes from the embedding cache; without a model, None.
        if model is None:
            return self.conn.execute(
                f"SELECT id, item_id, start, end, text, NULL FROM chunks WHERE item_id IN ({placeholders(item_ids)})",
                item_ids).fetchall()
        return self.conn.execute(
            f"SELECT c.id, c.item_id, c.start, c.end, c.text, e.vector FROM chunks c"
            f" LEFT JOIN embeddings e ON e.hash = c.hash AND e.model = ? WHERE c.item_id IN ({placeholders(item_ids)})",
            [model, *item_ids]).fetchall()

    def count_chunks(self, filters: FilterLike, limit: int) -> int:
        """How many chunks' items are inside ``filters``, counted no further than ``limit``."""
        cond, args = filter_sql(filters)
        return self.conn.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM chunks c JOIN items i ON i.id = c.item_id WHERE 1{cond} LIMIT ?)",
            [*args, limit]).fetchone()[0]

    def chunk_vectors(self, filters: FilterLike, model: str) -> tuple[np.ndarray, np.ndarray]:
        """The cached ``model`` vectors of the chunks inside ``filters``: (chunk ids, float32 matrix)."""
        # Chunks not in the embedding cache are left out: the caller compares the count.
        cond, args = filter_sql(filters)
        rows = self.conn.execute(
            f"SELECT c.id, e.vector FROM chunks c JOIN items i ON i.id = c.item_id"
            f" JOIN embeddings e ON e.hash = c.hash AND e.model = ? WHERE 1{cond}",
            [model, *args]).fetchall()
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        return ids, np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), -1)

    def chunks_inside(self, filters: FilterLike, chunk_ids: list[int]) -> set[int]:
        """Those of ``chunk_ids`` whose items are inside ``filters``."""
        if not chunk_ids:
            return set()
        cond, args = filter_sql(filters)
        rows = self.conn.execute(
            f"SELECT c.id FROM chunks c JOIN items i ON i.id = c.item_id"
            f" WHERE c.id IN ({placeholders(chunk_ids)}){cond}", [*chunk_ids, *args])
        return {r[0] for r in rows}

    # -- full text -----------------------------------------------------------------------

    def writes(self, word: str, looked: int = 50) -> bool:
        """Whether an item writes ``word`` itself, in any case, in its title or body, among the
        first ``looked`` items full-text search finds for it ("Qataring" is found by its stem,
        "qatar", and written by none)."""
        written = re.compile(rf"(?<![^\W_]){re.escape(word)}(?![^\W_])", re.I)
        rows = self.conn.execute(
            "SELECT i.title, i.body FROM (SELECT rowid FROM items_fts WHERE items_fts MATCH ? LIMIT ?) f"
            " JOIN items i ON i.rowid = f.rowid", (fts_phrase(word), looked)).fetchall()
        return any(written.search(title or "") or written.search(body or "") for title, body in rows)

    def word_count(self, word: str, limit: int) -> int:
        """How many items contain ``word`` (Porter-stemmed by FTS5), counted up to ``limit``."""
        return self.conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM items_fts WHERE items_fts MATCH ? LIMIT ?)",
            (fts_phrase(word), limit)).fetchone()[0]

    def full_text(self, words: list[str], filters: FilterLike, depth: int, weights: tuple[float, ...],
                  keep: bytes | None = None) -> list[tuple[str, float]]:
        """The best ``depth`` items for any of ``words`` inside ``filters``: [(item_id, -bm25)], best first."""
        # ``weights``: BM25 weights of the title, dateline and body columns. ``keep``: one byte
        # per item rowid (the index's filter columns), so that FTS5 scores only the items it
        # keeps instead of joining every match to the items table; the few kept are still checked.
        # A query FTS5 cannot parse finds nothing.
        return self._scored(" OR ".join(fts_phrase(w) for w in words), filters, depth, weights, keep)

    def near(self, words: list[str], within: int, filters: FilterLike, depth: int,
             weights: tuple[float, ...], keep: bytes | None = None) -> list[tuple[str, float]]:
        """The best ``depth`` items holding every one of ``words`` within ``within`` words of
        each other, inside ``filters``: [(item_id, -bm25)], best first."""
        match = "NEAR(" + " ".join(fts_phrase(w) for w in words) + f", {int(within)})"
        return self._scored(match, filters, depth, weights, keep)

    def _scored(self, match: str, filters: FilterLike, depth: int, weights: tuple[float, ...],
                keep: bytes | None) -> list[tuple[str, float]]:
        """The items an FTS5 ``match`` finds, best first by BM25 (see full_text)."""
        sql, params = self._full_text_query(match, filters, depth, weights, keep)
        try:
            rows = self.conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as e:  # a query FTS5 cannot parse is a miss, not an error
            log.warning("full-text query %r failed: %s", match, e)
            return []
        return [(r[0], -float(r[1])) for r in rows]

    def _full_text_query(self, match: str, filters: FilterLike, depth: int, weights: tuple[float, ...],
                         keep: bytes | None) -> tuple[str, list]:
        """The SQL of ``full_text`` and its parameters: rank first, then look up the ids of the few kept."""
        cond, args = filter_sql(filters)
        bm25 = f"bm25(items_fts, {', '.join(map(str, weights))})"
        if not cond:
            return (f"SELECT i.id, f.s FROM (SELECT rowid, {bm25} AS s FROM items_fts"
                    " WHERE items_fts MATCH ? ORDER BY s LIMIT ?) f JOIN items i ON i.rowid = f.rowid ORDER BY f.s",
                    [match, depth])
        if keep is None:
            return (f"SELECT i.id, {bm25} AS s FROM items_fts f JOIN items i ON i.rowid = f.rowid"
                    f" WHERE items_fts MATCH ?{cond} ORDER BY s LIMIT ?", [match, *args, depth])
        self.conn.create_function("dateline_keep", 1, lambda rowid: rowid < len(keep) and keep[rowid],
                                  deterministic=True)
        return (f"SELECT i.id, f.s FROM (SELECT rowid, {bm25} AS s FROM items_fts WHERE items_fts MATCH ?"
                f" AND dateline_keep(rowid) ORDER BY s LIMIT ?) f JOIN items i ON i.rowid = f.rowid"
                f" WHERE 1{cond} ORDER BY f.s", [match, depth, *args])
