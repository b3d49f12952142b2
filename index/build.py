"""Incremental (re)build: what changed -> chunk -> embed what the cache lacks -> publish.

A build is a sync of three derived layers to the items table, each safe to interrupt:

1. chunks: items whose ``content_hash`` differs from ``chunked_hash`` (new or changed) are
   re-chunked, one transaction per batch; unchanged chunk rows keep their ids, so their vectors
   stay valid. Chunks of deleted items go with them (foreign key cascade).
2. embeddings: every chunk text the cache lacks for this model is embedded and stored, one
   transaction per batch, so a killed build keeps what it paid for.
3. index: the live generation's ids are diffed with the chunk ids; stale vectors are removed,
   new ones added from the cache, and the result is published as a new generation.

Because step 3 diffs against the archive rather than replaying a log, a build killed anywhere
is finished by the next run, and the previous generation stays live meanwhile.
"""
from __future__ import annotations

import fcntl
import json
import logging
import sys
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from . import settings
from .chunk import Chunk, bundled_limit, chunk_item, chunker_config
from .errors import DatelineError
from .facets import Facets
from .files import write_atomically
from .store import Archive
from .vectors import (choose_index_type, current_generation, incompatibility, index_kind, index_root,
                      load_generation, make_index, probe_questions, publish, tune, write_generation)

if TYPE_CHECKING:
    from .embed import Embedder

log = logging.getLogger(__name__)

_CHUNK_BATCH = 500  # items per chunking transaction
_EMBED_BLOCK = 1024  # chunks per embedding transaction (and progress step)
_IVF_RETRAIN = 4.0  # retrain an IVF index once it holds this many times what it was trained on


@dataclass
class BuildReport:
    """What one ``build_index`` run did."""

    generation: str | None = None  # the live generation after the run
    published: bool = False  # False when the index was already up to date
    full: bool = False  # the index was rebuilt from scratch (from the embedding cache)
    reason: str = ""  # why a full rebuild happened
    index_type: str = ""
    items: int = 0  # items in the archive
    items_chunked: int = 0  # new or changed items (re)chunked this run
    chunks: int = 0  # chunks in the archive = vectors in the index
    chunks_added: int = 0  # vectors added to the index
    chunks_removed: int = 0  # vectors of deleted or changed chunks removed from the index
    chunks_reused: int = 0  # added vectors taken from the embedding cache
    embedded: int = 0  # chunks embedded by the model this run
    recall_at_10: float = 1.0  # measured against exact search (1.0 for flat)
    seconds: float = 0.0
    embed_seconds: float = 0.0

    def summary(self) -> str:
        """Return the one-paragraph summary the CLI prints."""
        if not self.published:
            return (f"index is up to date: generation {self.generation}, {self.chunks} chunks of "
                    f"{self.items} items ({self.seconds:.1f}s)")
        rate = f" ({self.embedded / self.embed_seconds:.1f} chunks/s)" if self.embed_seconds > 0 and self.embedded else ""
        text = (f"published generation {self.generation}: {self.index_type} index, {self.chunks} chunks of "
                f"{self.items} items. {self.items_chunked} items chunked; {self.chunks_added} chunks added "
                f"({self.embedded} embedded{rate}, {self.chunks_reused} reused from the cache), "
                f"{self.chunks_removed} removed")
        if self.index_type != "flat":
            text += f"; recall@10 {self.recall_at_10:.3f}"
        if self.full:
            text += f"; full rebuild ({self.reason})"
        return text + f". {self.seconds:.1f}s."

    def to_dict(self) -> dict:
        return asdict(self)


@contextmanager
def _build_lock(data_dir: Path):
    """Hold ``index/.lock`` for the build; a second concurrent build is refused, not queued."""
    root = index_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatelineError(f"another `dateline index` is running on {data_dir}; wait for it to finish",
                                code="busy", status=409) from None
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _chunker_marker(data_dir: Path) -> Path:
    # Which chunker settings the chunks table follows; written only after a complete re-chunk.
    return index_root(data_dir) / "chunker.json"


def _read_marker(data_dir: Path) -> dict | None:
    try:
        return json.loads(_chunker_marker(data_dir).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _write_marker(data_dir: Path, config: dict) -> None:
    write_atomically(_chunker_marker(data_dir), lambda p: p.write_text(json.dumps(config, sort_keys=True), encoding="utf-8"))


def _store_chunks(archive: Archive, item_id: str, content_hash: str, chunks: list[Chunk]) -> tuple[int, int]:
    """Replace an item's chunk rows by ``chunks``, keeping identical rows (and their ids)."""
    c = archive.conn
    old = {(r["seq"], r["start"], r["end"], r["hash"]): r["id"]
           for r in c.execute("SELECT id, seq, start, end, hash FROM chunks WHERE item_id = ?", (item_id,))}
    new_keys = {(ch.seq, ch.start, ch.end, ch.hash) for ch in chunks}
    stale = [row_id for key, row_id in old.items() if key not in new_keys]
    for row_id in stale:
        c.execute("DELETE FROM chunks WHERE id = ?", (row_id,))
    added = 0
    for ch in chunks:
        if (ch.seq, ch.start, ch.end, ch.hash) not in old:
            c.execute("INSERT INTO chunks(item_id, seq, start, end, text, n_tokens, hash) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?)",
                      (item_id, ch.seq, ch.start, ch.end, ch.text, ch.n_tokens, ch.hash))
            added += 1
    c.execute("UPDATE items SET chunked_hash = ? WHERE id = ?", (content_hash, item_id))
    return added, len(stale)


def chunk_archive(archive: Archive, *, everything: bool = False, max_tokens: int | None = None,
                  overlap: int | None = None, limit=None) -> int:
    """Chunk new and changed items (all items when ``everything``); return how many were chunked."""
    c = archive.conn
    # Chunks whose item is gone (deleted by a connection without foreign keys) go too.
    c.execute("DELETE FROM chunks WHERE item_id NOT IN (SELECT id FROM items)")
    where = "" if everything else " WHERE chunked_hash IS NULL OR chunked_hash != content_hash"
    todo = [r[0] for r in c.execute(f"SELECT id FROM items{where} ORDER BY id")]
    for b in range(0, len(todo), _CHUNK_BATCH):
        items = archive.get_items(todo[b:b + _CHUNK_BATCH])
        # Chunk outside the write transaction so readers and importers are not held up.
        chunked = [(item, chunk_item(item, max_tokens, overlap, limit=limit)) for item in items.values()]
        c.execute("BEGIN IMMEDIATE")
        try:
            for item, chunks in chunked:
                _store_chunks(archive, item.id, item.content_hash, chunks)
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise
    return len(todo)


def embed_missing(archive: Archive, embedder: "Embedder", *, progress: bool = False,
                  batch_size: int | None = None) -> tuple[int, float]:
    """Embed every chunk text the cache lacks for this model; return (count, seconds)."""
    c = archive.conn
    # Hashes and lengths only: the texts are read a block at a time, so a build of millions of
    # chunks does not hold them all (about 1.2 KB each) in memory.
    rows = c.execute(
        "SELECT hash, length(min(text)) FROM chunks c WHERE NOT EXISTS (SELECT 1 FROM embeddings e "
        "WHERE e.hash = c.hash AND e.model = ?) GROUP BY hash", (embedder.name,)).fetchall()
    if not rows:
        return 0, 0.0
    # Similar lengths in one batch waste less padding.
    rows.sort(key=lambda r: r[1])
    getattr(embedder, "model", None)  # load the model (seconds) before the clock starts: the rate is the embedding's
    batch_size = batch_size or settings.get("embed_batch")
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(rows), unit="chunk", desc="embedding", file=sys.stderr, smoothing=0.1, disable=None,
                   bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} chunks "
                              "[{elapsed}<{remaining}, {rate_fmt}]")
    started = time.perf_counter()
    embedded = 0
    try:
        for b in range(0, len(rows), _EMBED_BLOCK):
            hashes = [r[0] for r in rows[b:b + _EMBED_BLOCK]]
            text_of: dict[str, str] = {}
            for i in range(0, len(hashes), 500):  # SQLite before 3.32 binds at most 999 values
                part = hashes[i:i + 500]
                text_of.update(c.execute(f"SELECT hash, min(text) FROM chunks WHERE hash IN ({', '.join('?' * len(part))})"
                                         " GROUP BY hash", part).fetchall())
            hashes = [h for h in hashes if h in text_of]  # a chunk deleted since: nothing to embed
            vectors = embedder.encode([text_of[h] for h in hashes], batch_size=batch_size)
            c.execute("BEGIN IMMEDIATE")
            try:
                c.executemany("INSERT OR REPLACE INTO embeddings(hash, model, vector) VALUES (?, ?, ?)",
                              [(h, embedder.name, v.tobytes()) for h, v in zip(hashes, vectors)])
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise
            embedded += len(hashes)
            if bar is not None:
                bar.update(len(vectors))
    finally:
        if bar is not None:
            bar.close()
    return embedded, time.perf_counter() - started


def _vectors_for(archive: Archive, model: str, dim: int, ids: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Read cached vectors for chunk ``ids`` (all chunks when None), sorted by id."""
    c = archive.conn
    sql = ("SELECT c.id, e.vector FROM chunks c JOIN embeddings e ON e.hash = c.hash AND e.model = ?")
    if ids is None:
        # Every vector (a full rebuild, or tuning): filled into one array as they are read, which
        # holds them once, where a list of rows joined into an array held them twice over.
        n = c.execute("SELECT count(*) FROM chunks c JOIN embeddings e ON e.hash = c.hash AND e.model = ?",
                      (model,)).fetchone()[0]
        out_ids, vectors = np.zeros(n, dtype=np.int64), np.zeros((n, dim), dtype=np.float32)
        filled = 0
        for chunk_id, vector in c.execute(sql + " ORDER BY c.id", (model,)):
            if filled == n:
                break  # rows added since the count wait for the next build
            out_ids[filled] = chunk_id
            vectors[filled] = np.frombuffer(vector, dtype=np.float32)
            filled += 1
        return out_ids[:filled], vectors[:filled]
    found: list[tuple[int, bytes]] = []
    ids_list = [int(i) for i in ids]
    for b in range(0, len(ids_list), 500):
        batch = ids_list[b:b + 500]
        found += c.execute(sql + f" WHERE c.id IN ({', '.join('?' * len(batch))})", (model, *batch)).fetchall()
    found.sort(key=lambda r: r[0])
    out_ids = np.fromiter((r[0] for r in found), dtype=np.int64, count=len(found))
    vectors = np.frombuffer(b"".join(r[1] for r in found), dtype=np.float32).reshape(len(found), dim)
    return out_ids, np.ascontiguousarray(vectors)


def _generation_ids(data_dir: Path, generation: str | None) -> np.ndarray:
    """Return the chunk ids a generation holds (empty when there is none or it is unreadable)."""
    try:
        with open(index_root(data_dir) / str(generation) / "ids.npy", "rb") as f:
            return np.load(f)
    except (OSError, ValueError):
        return np.zeros(0, dtype=np.int64)


def build_index(data_dir: str | Path, *, embedder: "Embedder | None" = None, full: bool = False,
                progress: bool = False, index_type: str | None = None) -> BuildReport:
    """Bring the index of ``data_dir`` up to date with its archive and publish it.

    Only new or changed items are chunked and only chunks missing from the embedding cache are
    embedded; the live generation is patched (stale vectors removed, new ones added) unless
    ``full``, a model or chunker change, or an index type change calls for a rebuild from the
    cache. Nothing is published when nothing changed. ``index_type`` overrides the setting.

    >>> report = build_index("./dateline-data", progress=True)
    >>> print(report.summary())
    published generation 20240101T000000000000Z: flat index, 52 chunks of 34 items. ...
    """
    from .embed import load_embedder

    started = time.perf_counter()
    data_dir = Path(data_dir)
    archive = Archive.open(data_dir, create=False)
    try:
        embedder = embedder or load_embedder()
        config = chunker_config()
        report = BuildReport()
        with _build_lock(data_dir):
            _build(archive, data_dir, embedder, config, full, progress, index_type, report)
        report.seconds = time.perf_counter() - started
        log.info("%s", report.summary())
        return report
    finally:
        archive.close()


def _build(archive: Archive, data_dir: Path, embedder: "Embedder", config: dict, full: bool,
           progress: bool, index_type: str | None, report: BuildReport) -> None:
    c = archive.conn
    # 1. chunks
    rechunk_all = full or _read_marker(data_dir) != config
    report.items_chunked = chunk_archive(archive, everything=rechunk_all, max_tokens=config["max_tokens"],
                                         overlap=config["overlap"],
                                         limit=embedder.token_limit or bundled_limit())
    if rechunk_all:
        _write_marker(data_dir, config)

    # 2. embeddings
    report.embedded, report.embed_seconds = embed_missing(archive, embedder, progress=progress)
    # Server workers and `dateline ask` encode questions with the ONNX export: made by the build,
    # they never load torch (seconds and about 300 MB each).
    embedder.prepare_queries()

    # 3. index: diff the live generation against the chunks, in one read snapshot.
    c.execute("BEGIN")
    try:
        report.items = c.execute("SELECT count(*) FROM items").fetchone()[0]
        chunk_ids = np.array([r[0] for r in c.execute("SELECT id FROM chunks ORDER BY id")], dtype=np.int64)
        report.chunks = len(chunk_ids)
        kind = choose_index_type(len(chunk_ids), index_type)
        report.index_type = kind

        base = None
        live_name = current_generation(data_dir)
        if full:
            report.reason = "--full"
        elif live_name is None:
            report.reason = "no index yet"
        else:
            try:
                base = load_generation(data_dir, live_name)
            except DatelineError as e:
                report.reason = f"live generation unreadable: {e.message}"
            if base is not None:
                reason = incompatibility(base.manifest, embedder, config)
                if reason is None and index_kind(base.index) != kind:
                    reason = f"index type changes from {index_kind(base.index)} to {kind}"
                if reason is None and kind == "hnsw":
                    reason = "hnsw indexes cannot remove vectors, so they are rebuilt"
                if reason is None and kind == "ivf" and \
                        len(chunk_ids) > _IVF_RETRAIN * base.manifest.get("trained_on", len(chunk_ids)):
                    reason = "the archive outgrew the IVF training sample"
                if reason:
                    report.reason, base = reason, None

        if base is not None:
            to_remove = np.setdiff1d(base.ids, chunk_ids, assume_unique=True)
            to_add = np.setdiff1d(chunk_ids, base.ids, assume_unique=True)
            if not len(to_remove) and not len(to_add):
                c.execute("COMMIT")
                report.generation = live_name
                report.recall_at_10 = base.manifest.get("search", {}).get("recall_at_10", 1.0)
                return
            index = base.index
            if base.mapped:  # loaded without mmap above: a mapped index crashes when edited
                raise RuntimeError("the live generation was loaded memory-mapped and cannot be edited")
            if len(to_remove):
                import faiss

                removed = index.remove_ids(faiss.IDSelectorBatch(to_remove))
                if removed != len(to_remove):
                    raise RuntimeError(f"removed {removed} of {len(to_remove)} stale vectors")
            add_ids, add_vectors = _vectors_for(archive, embedder.name, embedder.dim, to_add)
            if len(add_ids):
                index.add_with_ids(add_vectors, add_ids)
            ids = np.union1d(np.setdiff1d(base.ids, to_remove, assume_unique=True), add_ids)
            trained_on = base.manifest.get("trained_on", 0)
            report.chunks_removed = len(to_remove)
            report.chunks_added = len(add_ids)
        else:
            report.full = True
            ids, vectors = _vectors_for(archive, embedder.name, embedder.dim, None)
            log.info("building a %s index of %d vectors", kind, len(ids))
            index = make_index(kind, embedder.dim, vectors, ids)
            trained_on = len(ids) if kind == "ivf" else 0
            old_ids = _generation_ids(data_dir, live_name)
            report.chunks_added = len(np.setdiff1d(ids, old_ids))
            report.chunks_removed = len(np.setdiff1d(old_ids, ids))
        facets = Facets.read(c, ids)  # in the same snapshot as the ids
        c.execute("COMMIT")
    except BaseException:
        if c.in_transaction:
            c.execute("ROLLBACK")
        raise

    if len(ids) != len(chunk_ids):
        log.warning("%d chunks have no cached vector (deleted while building?)", len(chunk_ids) - len(ids))
    report.chunks_reused = max(0, report.chunks_added - report.embedded)
    # Search parameters are re-tuned on every publish: the data moved, so may the right nprobe.
    if index_kind(index) == "flat":
        search = {"recall_at_10": 1.0}
    else:
        _, all_vectors = (ids, vectors) if report.full else _vectors_for(archive, embedder.name, embedder.dim, None)
        # Tuned on real questions too: chunk-like probes alone overestimate recall (README).
        search = tune(index, all_vectors, ids, questions=probe_questions(embedder))
    report.recall_at_10 = search["recall_at_10"]
    manifest = {
        "model": embedder.name,
        "dim": embedder.dim,
        "chunker": config,
        "index_type": index_kind(index),
        "metric": "inner_product",
        "search": search,
        "trained_on": trained_on,
        "counts": {"items": report.items, "chunks": int(len(ids))},
        "previous": current_generation(data_dir),
    }
    generation = write_generation(data_dir, index, ids, manifest, facets=facets)
    publish(data_dir, generation)
    report.generation = generation
    report.published = True
