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
import os
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

import numpy as np

from . import disk, settings
from .chunk import Chunk, bundled_limit, chunk_item, chunker_config
from .errors import DatelineError
from .faiss_index import (COMPRESSED, buildable_kind, choose_index_type, index_kind, is_ivf, make_index,
                          probe_questions, remove_ids, trained_index, training_sample, tune)
from .facets import Facets
from .files import write_atomically
from .generations import (LiveIndex, current_generation, generation_ids, generations_on_disk, incompatibility,
                          index_root, load_generation, publish, write_generation)
from .sql import batched, placeholders
from .store import Archive

if TYPE_CHECKING:
    import faiss

    from .embed import Embedder
    from .ray_embed import RayOptions

log = logging.getLogger(__name__)

_CHUNK_BATCH = 500  # items per chunking transaction
_EMBED_BLOCK = 1024  # chunks per embedding transaction (and progress step)
_IVF_RETRAIN = 4.0  # retrain an IVF index once it holds this many times what it was trained on
# Vectors read from the cache, written to the exact vectors file and added to a compressed index
# at a time: 96 MB at 384 dimensions, however big the archive.
_STREAM_BLOCK = 1 << 16


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
    embed_path: str = ""  # how the chunks were embedded and why: "torch-bf16 on cpu (bf16 2.44x fp32 ...)"
    repaired: str = ""  # what was wrong with index/CURRENT, which this run replaced ("it was damaged")
    index_note: str = ""  # how the index was cut down to the archive's size (too few vectors to train)

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
        if self.embed_path:
            text += f"; embedded with {self.embed_path}"
        if self.full:  # every vector comes into the new index, from the cache unless just embedded
            text += f"; full rebuild ({self.reason}): the index made anew from the vectors of all {self.chunks} chunks"
        if self.index_note:
            text += f"; {self.index_note}"
        if self.repaired:
            text += f"; index/CURRENT now names this generation ({self.repaired})"
        return text + f". {self.seconds:.1f}s."

    def to_dict(self) -> dict:
        return asdict(self)


def _open_lock(data_dir: Path) -> IO[str]:
    """Open ``index/.lock`` (made with its folder if need be); a DatelineError when the index
    folder cannot be written."""
    root = index_root(data_dir)
    try:
        root.mkdir(parents=True, exist_ok=True)
        return open(root / ".lock", "a")
    except OSError as e:
        raise (disk.os_error(e, root, then="the index was left as it was") or e) from e


def check_writable(data_dir: str | Path) -> None:
    """Raise a DatelineError now, before the model loads, when a build could not write its index."""
    if not (Path(data_dir) / Archive.FILENAME).exists():  # the build says there is nothing to index
        return
    _open_lock(Path(data_dir)).close()
    root = index_root(data_dir)
    try:  # the lock file may be writable in a folder that is not: a generation is a new folder
        tempfile.TemporaryFile(dir=root).close()
    except OSError as e:
        raise (disk.os_error(e, root, then="the index was left as it was") or e) from e


@contextmanager
def _build_lock(data_dir: Path):
    """Hold ``index/.lock`` for the build; a second concurrent build is refused, not queued."""
    with _open_lock(data_dir) as f:
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
    """Return the chunker settings the chunks table follows, or None when unknown."""
    try:
        return json.loads(_chunker_marker(data_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # missing or damaged: the chunks are redone
        return None


def _write_marker(data_dir: Path, config: dict) -> None:
    """Record that the chunks table now follows the chunker settings ``config``."""
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
    for batch in batched(todo, _CHUNK_BATCH):
        items = archive.get_items(batch)
        # Chunk outside the write transaction so readers and importers are not held up.
        chunked = [(item, chunk_item(item, max_tokens, overlap, limit=limit)) for item in items.values()]
        with archive.write():
            for item, chunks in chunked:
                _store_chunks(archive, item.id, item.content_hash, chunks)
    return len(todo)


def _texts_of(archive: Archive, hashes: list[str]) -> dict[str, str]:
    """Return the chunk text of each of ``hashes`` still in the archive."""
    text_of: dict[str, str] = {}
    for part in batched(hashes):
        text_of.update(archive.conn.execute(f"SELECT hash, min(text) FROM chunks WHERE hash IN ({placeholders(part)})"
                                            " GROUP BY hash", part).fetchall())
    return text_of


def _progress_bar(total: int):
    """Return a tqdm bar on stderr for embedding ``total`` chunks (hidden when not a terminal)."""
    from tqdm import tqdm

    return tqdm(total=total, unit="chunk", desc="embedding", file=sys.stderr, smoothing=0.1, disable=None,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} chunks "
                           "[{elapsed}<{remaining}, {rate_fmt}]")


def store_vectors(archive: Archive, model: str, hashes: list[str], vectors: np.ndarray) -> None:
    """Commit one batch of vectors into the embedding cache, in one transaction."""
    with archive.write() as c:
        c.executemany("INSERT OR REPLACE INTO embeddings(hash, model, vector) VALUES (?, ?, ?)",
                      [(h, model, v.tobytes()) for h, v in zip(hashes, vectors)])


def _missing_blocks(archive: Archive, rows: list[tuple[str, int]]):
    """Yield (hashes, texts) of ``rows``' chunks, a block at a time, read as they are needed."""
    for block in batched(rows, _EMBED_BLOCK):
        text_of = _texts_of(archive, [r[0] for r in block])
        hashes = [r[0] for r in block if r[0] in text_of]  # a chunk deleted since: nothing to embed
        yield hashes, [text_of[h] for h in hashes]


def embed_missing(archive: Archive, embedder: "Embedder", *, progress: bool = False,
                  batch_size: int | None = None,
                  on_progress: Callable[[int, int], None] | None = None,
                  ray: "RayOptions | None" = None) -> tuple[int, float]:
    """Embed every chunk text the cache lacks for this model; return (count, seconds).

    ``on_progress(done, total)`` hears of each block of chunks once it is stored (a job's
    progress: index/jobs.py), outside the block's transaction. With ``ray`` the texts are
    embedded by a Ray Data pipeline (index/ray_embed.py) instead of ``embedder``; this process
    still reads them and commits the vectors, so both paths fill the cache the same way.
    """
    # Hashes and lengths only: the texts are read a block at a time, so a build of millions of
    # chunks does not hold them all (about 1.2 KB each) in memory.
    rows = archive.conn.execute(
        "SELECT hash, length(min(text)) FROM chunks c WHERE NOT EXISTS (SELECT 1 FROM embeddings e "
        "WHERE e.hash = c.hash AND e.model = ?) GROUP BY hash", (embedder.name,)).fetchall()
    if not rows:
        return 0, 0.0
    # Similar lengths in one batch waste less padding.
    rows.sort(key=lambda r: r[1])
    with ExitStack() as stack:
        if ray is None:
            getattr(embedder, "model", None)  # load the model (seconds) before the clock starts: the rate is the embedding's
            batch_size = batch_size or settings.get("embed_batch")
            done = ((hashes, embedder.encode(texts, batch_size=batch_size))
                    for hashes, texts in _missing_blocks(archive, rows))
        else:
            from .ray_embed import RaySession

            # Joined (or started, for `local`) before the clock, as the model is loaded above;
            # the actors' start and model loads are in the clock: a user pays them per build.
            session = stack.enter_context(RaySession(ray))
            done = session.embed(_missing_blocks(archive, rows), embedder.name)
        bar = stack.enter_context(_progress_bar(len(rows))) if progress else None
        started = time.perf_counter()
        embedded = 0
        for hashes, vectors in done:
            store_vectors(archive, embedder.name, hashes, vectors)
            embedded += len(hashes)
            if bar is not None:
                bar.update(len(hashes))
            if on_progress is not None:
                on_progress(embedded, len(rows))
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
    for batch in batched([int(i) for i in ids]):
        found += c.execute(sql + f" WHERE c.id IN ({placeholders(batch)})", (model, *batch)).fetchall()
    found.sort(key=lambda r: r[0])
    out_ids = np.fromiter((r[0] for r in found), dtype=np.int64, count=len(found))
    vectors = np.frombuffer(b"".join(r[1] for r in found), dtype=np.float32).reshape(len(found), dim)
    return out_ids, np.ascontiguousarray(vectors)


def build_index(data_dir: str | Path, *, embedder: "Embedder | None" = None, full: bool = False,
                progress: bool = False, index_type: str | None = None,
                on_progress: Callable[[int, int], None] | None = None,
                ray: "RayOptions | None" = None) -> BuildReport:
    """Bring the index of ``data_dir`` up to date with its archive and publish it.

    Only new or changed items are chunked and only chunks missing from the embedding cache are
    embedded; the live generation is patched (stale vectors removed, new ones added) unless
    ``full``, a model or chunker change, or an index type change calls for a rebuild from the
    cache. Nothing is published when nothing changed. ``index_type`` overrides the setting.
    ``on_progress(done, total)`` hears how many of the chunks to embed are done, block by block.
    ``ray`` embeds them on a Ray cluster instead of in this process (index/ray_embed.py).

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
        with (_build_lock(data_dir),
              disk.explained(archive.path, folder=index_root(data_dir), then="the live index was left as it was")):
            _build(archive, data_dir, embedder, config, full, progress, index_type, report, on_progress, ray)
        report.seconds = time.perf_counter() - started
        log.info("%s", report.summary())
        return report
    finally:
        archive.close()


def _build(archive: Archive, data_dir: Path, embedder: "Embedder", config: dict, full: bool,
           progress: bool, index_type: str | None, report: BuildReport,
           on_progress: Callable[[int, int], None] | None = None, ray: "RayOptions | None" = None) -> None:
    """Run the three steps of a build (chunks, embeddings, index), filling in ``report``."""
    _sync_chunks(archive, data_dir, embedder, config, full, report)
    report.embedded, report.embed_seconds = embed_missing(archive, embedder, progress=progress,
                                                          on_progress=on_progress, ray=ray)
    if report.embedded and ray is not None:  # the workers chose their paths, not this process
        report.embed_path = ray.describe()
    elif report.embedded and hasattr(embedder, "bulk_path"):
        report.embed_path = str(embedder.bulk_path())
    # Server workers and `dateline ask` encode questions with the ONNX export: made by the build,
    # they never load torch (seconds and about 300 MB each).
    embedder.prepare_queries()
    new = _sync_index(archive, data_dir, embedder, config, full, index_type, report)
    if new is not None:
        _publish_index(archive, data_dir, embedder, config, new, report)
    elif report.repaired:  # the index is up to date, but the pointer named nothing usable
        publish(data_dir, report.generation)
        report.published = True


def _live_generation(data_dir: Path, report: BuildReport) -> str | None:
    """Return the generation to build on: the live one, or the newest complete one where
    ``index/CURRENT`` is damaged or names a generation that is gone (``report.repaired`` then
    says so, and the build publishes a fresh pointer whatever else it does)."""
    try:
        name = current_generation(data_dir)
    except DatelineError as e:
        log.info("%s", e.message)
        report.repaired = "it was damaged"
    else:
        if name is None or (index_root(data_dir) / name / "manifest.json").is_file():
            return name
        report.repaired = f"it named generation {name}, which is missing"
    newest = next(iter(generations_on_disk(data_dir)), None)
    log.info("index/CURRENT: %s; building on %s", report.repaired, newest or "nothing")
    return newest


def _sync_chunks(archive: Archive, data_dir: Path, embedder: "Embedder", config: dict, full: bool,
                 report: BuildReport) -> None:
    """Chunk new and changed items, or every item when ``full`` or the chunker settings changed."""
    rechunk_all = full or _read_marker(data_dir) != config
    report.items_chunked = chunk_archive(archive, everything=rechunk_all, max_tokens=config["max_tokens"],
                                         overlap=config["overlap"],
                                         limit=embedder.token_limit or bundled_limit())
    if rechunk_all:
        _write_marker(data_dir, config)


@dataclass
class _NewIndex:
    """An index holding the archive's chunks, not yet published."""

    index: "faiss.Index"
    ids: np.ndarray  # the chunk ids it holds, sorted
    trained_on: int  # vectors an IVF index was trained on (0 for other kinds)
    vectors: np.ndarray | None = None  # every vector, when the index was made from them
    facets: Facets | None = None  # the filter columns of ``ids``
    exact_path: Path | None = None  # a compressed index's exact vectors (.npy, rows aligned to ``ids``), to move in


def _sync_index(archive: Archive, data_dir: Path, embedder: "Embedder", config: dict, full: bool,
                index_type: str | None, report: BuildReport) -> _NewIndex | None:
    """Patch the live generation's index, or make a new one, to hold the archive's chunks.

    Returns None when the live generation already holds exactly those chunks. The archive is
    read in one snapshot, so the ids, vectors and filter columns describe the same chunks.
    """
    with archive.snapshot() as c:
        report.items = archive.count_items()
        chunk_ids = np.array([r[0] for r in c.execute("SELECT id FROM chunks ORDER BY id")], dtype=np.int64)
        report.chunks = len(chunk_ids)
        kind = report.index_type = choose_index_type(len(chunk_ids), index_type)
        live_name = _live_generation(data_dir, report)
        base = _patchable(data_dir, live_name, embedder, config, full, kind, len(chunk_ids), report)
        if base is None:
            new = _rebuild(archive, data_dir, embedder, kind, live_name, report)
        else:
            new = _patch(archive, embedder, base, chunk_ids, report)
            if new is None:
                report.generation = live_name
                report.recall_at_10 = base.manifest.get("search", {}).get("recall_at_10", 1.0)
                return None
        new.facets = Facets.read(c, new.ids)  # in the same snapshot as the ids
    if len(new.ids) != len(chunk_ids):
        log.warning("%d chunks have no cached vector (deleted while building?)", len(chunk_ids) - len(new.ids))
    return new


def _patchable(data_dir: Path, live_name: str | None, embedder: "Embedder", config: dict, full: bool,
               kind: str, n_chunks: int, report: BuildReport) -> LiveIndex | None:
    """Return the live generation when it can be patched; else None, with the reason for a full
    rebuild in ``report.reason``."""
    if full:
        report.reason = "--full"
        return None
    if live_name is None:
        report.reason = "no index yet"
        return None
    try:
        base = load_generation(data_dir, live_name)
    except DatelineError as e:
        report.reason = f"live generation unreadable: {e.message}"
        return None
    reason = _rebuild_reason(base, embedder, config, kind, n_chunks)
    if reason:
        report.reason = reason
        return None
    return base


def _rebuild_reason(base: LiveIndex, embedder: "Embedder", config: dict, kind: str, n_chunks: int) -> str | None:
    """Return why the live generation ``base`` cannot be patched into a ``kind`` index, or None."""
    reason = incompatibility(base.manifest, embedder, config)
    if reason is None and index_kind(base.index) != kind:
        reason = f"index type changes from {index_kind(base.index)} to {kind}"
    if reason is None and kind == "hnsw":
        reason = "hnsw indexes cannot remove vectors, so they are rebuilt"
    if reason is None and kind in COMPRESSED and base.stored is None:
        reason = "the live generation lacks the exact vectors its searches re-score from"
    if reason is None and is_ivf(kind) and n_chunks > _IVF_RETRAIN * base.manifest.get("trained_on", n_chunks):
        reason = "the archive outgrew the IVF training sample"
    return reason


def _patch(archive: Archive, embedder: "Embedder", base: LiveIndex, chunk_ids: np.ndarray,
           report: BuildReport) -> _NewIndex | None:
    """Remove stale vectors from the live index and add new ones from the cache; None when
    nothing changed."""
    to_remove = np.setdiff1d(base.ids, chunk_ids, assume_unique=True)
    to_add = np.setdiff1d(chunk_ids, base.ids, assume_unique=True)
    if not len(to_remove) and not len(to_add):
        return None
    index = base.index
    if base.mapped:  # loaded without mmap above: a mapped index crashes when edited
        raise RuntimeError("the live generation was loaded memory-mapped and cannot be edited")
    if len(to_remove):
        remove_ids(index, to_remove)
    add_ids, add_vectors = _vectors_for(archive, embedder.name, embedder.dim, to_add)
    if len(add_ids):
        index.add_with_ids(add_vectors, add_ids)
    report.chunks_removed = len(to_remove)
    report.chunks_added = len(add_ids)
    ids = np.union1d(np.setdiff1d(base.ids, to_remove, assume_unique=True), add_ids)
    new = _NewIndex(index, ids, trained_on=base.manifest.get("trained_on", 0))
    if base.stored is not None:  # a compressed index: its exact vectors must follow the ids
        new.exact_path = _exact_vectors_path(base.path.parent)
        try:
            _merge_exact_vectors(new.exact_path, base, ids, add_ids, add_vectors)
        except BaseException:
            new.exact_path.unlink(missing_ok=True)  # half a file is of no use, and on a full disk in the way
            raise
        new.vectors = np.load(new.exact_path, mmap_mode="r")
    return new


def _exact_vectors_path(root: Path) -> Path:
    """Return where a build writes the exact vectors of a compressed index before they move into
    the generation (``publish`` removes ``.tmp`` leftovers of killed builds)."""
    return root / f"exact-vectors-{os.getpid()}.tmp"


def _write_rows(path: Path, n: int, dim: int, blocks) -> None:
    """Write ``blocks`` ((m, dim) float32 arrays, ``n`` rows in all) to ``path`` as one .npy
    file, with plain writes: a full disk then raises OSError (ENOSPC), where writing through a
    memory map would kill the build with SIGBUS."""
    written = 0
    with open(path, "wb") as f:
        np.lib.format.write_array_header_1_0(f, {"descr": np.lib.format.dtype_to_descr(np.dtype(np.float32)),
                                                 "fortran_order": False, "shape": (n, dim)})
        for block in blocks:
            f.write(np.ascontiguousarray(block, dtype=np.float32).tobytes())
            written += len(block)
    if written != n:
        raise RuntimeError(f"wrote {written} of {n} exact vectors: the archive changed during the build")


def _merge_exact_vectors(path: Path, base: LiveIndex, ids: np.ndarray, add_ids: np.ndarray,
                         add_vectors: np.ndarray) -> None:
    """Write the exact vectors of ``ids`` to ``path``, a block at a time: kept chunks' rows from
    the live generation's file, added ones from ``add_vectors`` (rows of sorted ``add_ids``)."""
    def blocks():
        for start in range(0, len(ids), _STREAM_BLOCK):
            block = ids[start:start + _STREAM_BLOCK]
            at = np.minimum(np.searchsorted(base.ids, block), max(len(base.ids) - 1, 0))
            kept = base.ids[at] == block if len(base.ids) else np.zeros(len(block), dtype=bool)
            rows = np.empty((len(block), base.dim), dtype=np.float32)
            rows[kept] = base.stored[at[kept]]
            rows[~kept] = add_vectors[np.searchsorted(add_ids, block[~kept])]
            yield rows

    _write_rows(path, len(ids), base.dim, blocks())


def _write_exact_vectors(archive: Archive, model: str, dim: int, path: Path) -> np.ndarray:
    """Write every cached vector of the archive's chunks to ``path`` (float32 .npy, rows in
    chunk id order) a block at a time; return their ids. Call inside the build's snapshot."""
    c = archive.conn
    join = "FROM chunks c JOIN embeddings e ON e.hash = c.hash AND e.model = ?"
    n = c.execute(f"SELECT count(*) {join}", (model,)).fetchone()[0]
    ids = np.zeros(n, dtype=np.int64)
    filled = 0

    def blocks():
        nonlocal filled
        rows = c.execute(f"SELECT c.id, e.vector {join} ORDER BY c.id", (model,))
        while block := rows.fetchmany(_STREAM_BLOCK)[:n - filled]:
            ids[filled:filled + len(block)] = [r[0] for r in block]
            filled += len(block)
            yield np.frombuffer(b"".join(r[1] for r in block), dtype=np.float32).reshape(-1, dim)

    _write_rows(path, n, dim, blocks())
    return ids


def _rebuild_compressed(archive: Archive, data_dir: Path, embedder: "Embedder", kind: str) -> _NewIndex:
    """Make a compressed (``kind``) index of every cached vector with bounded memory: the
    vectors stream from the cache into the exact vectors file, the index trains on a sample of
    that file and takes the vectors in batches from it."""
    path = _exact_vectors_path(index_root(data_dir))
    try:
        ids = _write_exact_vectors(archive, embedder.name, embedder.dim, path)
        stored = np.load(path, mmap_mode="r")
        index = trained_index(kind, embedder.dim, training_sample(kind, stored), len(ids))
        for start in range(0, len(ids), _STREAM_BLOCK):
            index.add_with_ids(np.ascontiguousarray(stored[start:start + _STREAM_BLOCK]),
                               ids[start:start + _STREAM_BLOCK])
    except BaseException:
        path.unlink(missing_ok=True)  # at 10M chunks 15 GB: not left for the next publish to find
        raise
    return _NewIndex(index, ids, trained_on=len(ids), vectors=stored, exact_path=path)


def _rebuild(archive: Archive, data_dir: Path, embedder: "Embedder", kind: str, live_name: str | None,
             report: BuildReport) -> _NewIndex:
    """Make a ``kind`` index of every cached vector of the archive's chunks."""
    report.full = True
    if kind in COMPRESSED:
        kind, report.index_note = buildable_kind(kind, archive.conn.execute(
            "SELECT count(*) FROM chunks c JOIN embeddings e ON e.hash = c.hash AND e.model = ?",
            (embedder.name,)).fetchone()[0])
        report.index_type = kind
    if kind in COMPRESSED:
        log.info("building a %s index, streaming the vectors", kind)
        new = _rebuild_compressed(archive, data_dir, embedder, kind)
    else:
        ids, vectors = _vectors_for(archive, embedder.name, embedder.dim, None)
        log.info("building a %s index of %d vectors", kind, len(ids))
        index = make_index(kind, embedder.dim, vectors, ids)
        new = _NewIndex(index, ids, trained_on=len(ids) if is_ivf(kind) else 0, vectors=vectors)
    old_ids = generation_ids(data_dir, live_name)
    report.chunks_added = len(np.setdiff1d(new.ids, old_ids))
    report.chunks_removed = len(np.setdiff1d(old_ids, new.ids))
    return new


def _search_params(archive: Archive, embedder: "Embedder", new: _NewIndex) -> dict:
    """Return the manifest's ``search`` entry: tuned search parameters and measured recall."""
    # Search parameters are re-tuned on every publish: the data moved, so may the right nprobe.
    if index_kind(new.index) == "flat":
        return {"recall_at_10": 1.0}
    vectors = new.vectors if new.vectors is not None else _vectors_for(archive, embedder.name, embedder.dim, None)[1]
    # Tuned on real questions too: chunk-like probes alone overestimate recall (docs/performance.md).
    return tune(new.index, vectors, new.ids, questions=probe_questions(embedder))


def _publish_index(archive: Archive, data_dir: Path, embedder: "Embedder", config: dict, new: _NewIndex,
                   report: BuildReport) -> None:
    """Tune ``new``, write it as a generation and make that generation live."""
    report.chunks_reused = max(0, report.chunks_added - report.embedded)
    search = _search_params(archive, embedder, new)
    report.recall_at_10 = search["recall_at_10"]
    manifest = {
        "model": embedder.name,
        "dim": embedder.dim,
        "chunker": config,
        "index_type": index_kind(new.index),
        "metric": "inner_product",
        "search": search,
        "trained_on": new.trained_on,
        "counts": {"items": report.items, "chunks": int(len(new.ids))},
        "previous": None if report.repaired else current_generation(data_dir),
    }
    try:
        generation = write_generation(data_dir, new.index, new.ids, manifest, facets=new.facets,
                                      exact_vectors=new.exact_path)
    finally:
        if new.exact_path is not None:
            new.exact_path.unlink(missing_ok=True)  # moved into the generation, or of no use
    publish(data_dir, generation)
    report.generation = generation
    report.published = True
