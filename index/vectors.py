"""FAISS index files: build, add, remove, tune, save, load and publish generations.

An index generation is a directory ``<data>/index/<generation>/`` holding ``vectors.faiss``,
``ids.npy`` (the chunk ids it contains, sorted) and ``manifest.json`` (model, dimension, chunker
settings, index type and search parameters, counts, checksums). ``<data>/index/CURRENT`` names
the live generation and is swapped with ``os.replace`` only after the generation is complete,
so a reader never sees a half-written index and a killed build leaves the old one live.

Vector ids are ``chunks.id`` (int64, never reused). Every index is id-mapped inner product over
unit vectors, i.e. cosine similarity.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import math
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from . import settings
from .chunk import chunker_config
from .errors import DatelineError
from .facets import FILENAME as FACETS_FILE
from .facets import Facets
from .files import write_atomically

if TYPE_CHECKING:
    import faiss

    from .embed import Embedder

log = logging.getLogger(__name__)

MANIFEST_FORMAT = 1
VERIFIED_FILE = "verified.json"  # in a generation: its files' stamps when they last matched their checksums
INDEX_TYPES = ("auto", "flat", "ivf", "hnsw")
RECALL_TARGET = 0.95  # recall@10 against exact search that approximate indexes are tuned to
_TUNE_MARGIN = 0.02  # tune a little above the target: the tuning queries are a sample
_OFF_TOPIC_MARGIN = 0.025  # the same for the half of the question probes least like the archive
_TUNE_QUERIES = 256


def index_root(data_dir: str | Path) -> Path:
    """Return the folder of index generations in ``data_dir``."""
    return Path(data_dir) / "index"


def current_generation(data_dir: str | Path) -> str | None:
    """Return the live generation named by ``index/CURRENT``, or None when none is published.

    Cheap (one small file read): servers call it to notice a new publish.
    """
    try:
        name = (index_root(data_dir) / "CURRENT").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name or None


def new_generation_name() -> str:
    """Return a fresh, sortable generation name (UTC time with microseconds)."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


def choose_index_type(n: int, requested: str | None = None) -> str:
    """Return the index type for ``n`` vectors: the ``index_type`` setting, "auto" decided by size.

    The ``ivf_threshold`` setting (default 50,000) comes from benchmarks/search.py: exact search
    costs 0.09-0.16 us per vector per query here (9-16 ms at 100k), so it stays under ~8 ms
    below 50k, while the answer budget (25 ms at 100k, 40 ms at 1M) needs IVF above. IVF pays
    off more the larger the index: tuned for real questions it probes 40% of its lists at 10k
    (no faster than exact), a fifth at 100k and a sixth at 1M.
    """
    requested = requested or settings.get("index_type")
    if requested not in INDEX_TYPES:
        raise DatelineError(f"unknown index type {requested!r}: choose one of {', '.join(INDEX_TYPES)} "
                            f"({settings.setting('index_type').env})")
    if requested != "auto":
        return requested
    return "ivf" if n >= settings.get("ivf_threshold") else "flat"


def _check_vectors(vectors: np.ndarray, dim: int | None = None) -> np.ndarray:
    if not isinstance(vectors, np.ndarray) or vectors.dtype != np.float32:
        raise TypeError(f"vectors must be a float32 numpy array, got {getattr(vectors, 'dtype', type(vectors))}")
    if vectors.ndim != 2 or (dim is not None and vectors.shape[1] != dim):
        raise TypeError(f"vectors must have shape (n, {dim or 'dim'}), got {vectors.shape}")
    return np.ascontiguousarray(vectors)


def _ivf_lists(n: int) -> int:
    # ~2 sqrt(n) lists balances list scans against the centroid scan, and keeps k-means
    # training affordable on two cores (1M vectors: 2000 lists).
    return max(1, min(65536, int(2 * math.sqrt(n)), n // 39 or 1))


def make_index(kind: str, dim: int, vectors: np.ndarray, ids: np.ndarray) -> "faiss.Index":
    """Build an index of ``kind`` (flat, ivf or hnsw) holding ``vectors`` under ``ids``.

    flat: ``IDMap(FlatIP)``, exact; supports removal. ivf: ``IVFFlat`` with inner product,
    trained on (a sample of) the vectors; ids are native, removal is supported. hnsw:
    ``IDMap(HNSWFlat)``; no removal, so every build re-adds all vectors from the cache.
    """
    import faiss

    vectors = _check_vectors(vectors, dim)
    ids = np.ascontiguousarray(ids, dtype=np.int64)
    n = len(vectors)
    if kind == "flat":
        index = faiss.IndexIDMap(faiss.IndexFlatIP(dim))
    elif kind == "ivf":
        if n < 64:
            raise DatelineError(f"an IVF index needs at least 64 chunks to train, the archive has {n}: "
                                f"use index type flat ({settings.setting('index_type').env}=flat)")
        nlist = _ivf_lists(n)
        quantizer = faiss.IndexFlatIP(dim)
        index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
        index.own_fields = True
        quantizer.this.disown()  # the IVF index now owns (and frees) its quantizer
        # k-means needs ~40 points per list to place centroids well; more only costs time.
        sample = vectors
        if n > 64 * nlist:
            rng = np.random.default_rng(0)
            sample = vectors[np.sort(rng.choice(n, 64 * nlist, replace=False))]
        index.train(sample)
    elif kind == "hnsw":
        index = faiss.IndexIDMap(faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT))
        faiss.downcast_index(index.index).hnsw.efConstruction = 80
    else:
        raise DatelineError(f"unknown index type {kind!r}")
    if n:
        index.add_with_ids(vectors, ids)
    return index


def index_kind(index: "faiss.Index") -> str:
    """Return flat, ivf or hnsw for an index made by ``make_index``."""
    import faiss

    inner = faiss.downcast_index(index.index) if isinstance(index, faiss.IndexIDMap) else index
    if isinstance(inner, faiss.IndexHNSWFlat):
        return "hnsw"
    if isinstance(inner, faiss.IndexIVF):
        return "ivf"
    return "flat"


def set_search_params(index: "faiss.Index", params: dict) -> None:
    """Apply tuned search parameters (``nprobe`` for IVF, ``ef_search`` for HNSW)."""
    import faiss

    kind = index_kind(index)
    if kind == "ivf" and "nprobe" in params:
        faiss.extract_index_ivf(index).nprobe = int(params["nprobe"])
    elif kind == "hnsw" and "ef_search" in params:
        faiss.downcast_index(index.index).hnsw.efSearch = int(params["ef_search"])


def tuning_queries(vectors: np.ndarray, n: int = _TUNE_QUERIES, seed: int = 0) -> np.ndarray:
    """Return query-like vectors: sampled chunk vectors moved off themselves and renormalized.

    A chunk's own vector is an easy query (it sits at its list's centre); noise brings each
    sample to a cosine of about 0.8 with its source. These probes stay close to the archive's
    topics, so on their own they overestimate recall for real questions: ``tune`` also uses
    ``probe_questions``.
    """
    rng = np.random.default_rng(seed)
    picks = vectors[rng.choice(len(vectors), min(n, len(vectors)), replace=False)]
    noise = rng.standard_normal(picks.shape).astype(np.float32)
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    queries = picks + 0.75 * noise
    return (queries / np.linalg.norm(queries, axis=1, keepdims=True)).astype(np.float32)


def probe_question_texts() -> list[str]:
    """Return the bundled probe questions (news questions on many topics, written for dateline).

    Real questions sit between an archive's chunks, and those about things the archive does not
    hold have a low best cosine and spread their top 10 over many IVF lists: they need a wider
    search than chunk-like probes (IVF at 100k: nprobe 2 gave recall@10 0.96 on chunk probes,
    0.43 on questions).
    """
    path = Path(__file__).with_name("probe_questions.txt")
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def probe_questions(embedder: "Embedder") -> np.ndarray:
    """Return the bundled probe questions encoded as ``embedder`` encodes questions (n, dim)."""
    return np.stack([embedder.encode_query(q) for q in probe_question_texts()]).astype(np.float32)


def exact_neighbours(vectors: np.ndarray, ids: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """Return the ids of the exact top ``k`` by inner product, one row per query."""
    import faiss

    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    _, pos = flat.search(queries, k)
    return np.where(pos >= 0, ids[np.maximum(pos, 0)], -1)


def _best_scores(vectors: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Return each query's best inner product with ``vectors`` (how much the archive is about it)."""
    import faiss

    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    return flat.search(queries, 1)[0][:, 0]


def recall_at(found: np.ndarray, truth: np.ndarray) -> float:
    """Return the mean share of each query's true ids that were found (recall@k)."""
    hits = sum(len(set(f[f >= 0]) & set(t[t >= 0])) for f, t in zip(found, truth))
    total = sum(int((t >= 0).sum()) for t in truth)
    return hits / total if total else 1.0


_NPROBES = (1, 2, 3, 4, 6, 8, 10, 12, 16, 20, 24, 32, 40, 48, 64, 80, 96, 128, 160, 192, 256, 320,
            384, 512, 640, 768, 1024, 1536, 2048, 4096)
_EF_SEARCH = (16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 3072)


def tune(index: "faiss.Index", vectors: np.ndarray, ids: np.ndarray, k: int = 10,
         target: float = RECALL_TARGET, questions: np.ndarray | None = None) -> dict:
    """Find the cheapest search setting whose recall@``k`` against exact search meets ``target``
    on every probe set.

    Probe sets: chunk vectors moved by noise (``tuning_queries``); ``questions`` (question
    vectors, e.g. ``probe_questions(embedder)``, the set that decides in practice); and
    ``off_topic``, the half of ``questions`` with the lowest best score against ``vectors``.
    Each must reach ``target`` plus a margin (wider for off_topic), since the probes are a
    sample. Without ``questions`` the result overestimates recall for real questions.

    Returns the parameters with the measured recall (the lowest over the probe sets), e.g.
    ``{"nprobe": 48, "recall_at_10": 0.972, "recall_by_probe": {...}, "probes": {...}}``;
    flat indexes return ``{"recall_at_10": 1.0}``. The build stores this as the manifest's
    ``search`` entry, and ``load_generation`` applies it.
    """
    kind = index_kind(index)
    if kind == "flat" or len(vectors) == 0:
        return {f"recall_at_{k}": 1.0}
    probe_sets = {"near_chunks": tuning_queries(vectors)}
    wanted = {"near_chunks": target + _TUNE_MARGIN}
    if questions is not None and len(questions):
        questions = _check_vectors(questions, vectors.shape[1])
        probe_sets["questions"] = questions
        wanted["questions"] = target + _TUNE_MARGIN
        if len(questions) >= 20:
            # Questions the archive does not answer are the hardest (their top 10 spread over
            # many lists), and users ask more of them than any probe set holds: the half of the
            # probes least like the archive must clear a wider margin. Measured on 412 fresh
            # real questions: at 100k all probes at 0.97 chose nprobe 64 and gave 0.91, this
            # half at 0.975 chose 128 and gave 0.96; at 1M, 320 and 0.98. (At 0.98 the 1M
            # tuning stalled on a few probes and went to half the lists.)
            best = _best_scores(vectors, questions)
            probe_sets["off_topic"] = questions[best <= np.median(best)]
            wanted["off_topic"] = target + _OFF_TOPIC_MARGIN
    truths = {name: exact_neighbours(vectors, ids, q, k) for name, q in probe_sets.items()}
    if kind == "ivf":
        import faiss

        nlist = faiss.extract_index_ivf(index).nlist
        name, values = "nprobe", [v for v in _NPROBES if v < nlist] + [nlist]
    else:
        name, values = "ef_search", list(_EF_SEARCH)
    for value in values:
        set_search_params(index, {name: value})
        recalls = {}
        for probe, queries in probe_sets.items():
            _, found = index.search(queries, k)
            recalls[probe] = round(recall_at(found, truths[probe]), 4)
        if all(recalls[probe] >= wanted[probe] for probe in probe_sets):
            break
    recall = min(recalls.values())
    log.info("tuned %s index: %s=%d gives recall@%d %s", kind, name, value, k, recalls)
    if recall < target:
        log.warning("recall@%d %.3f stays under %.2f at the largest %s", k, recall, target, name)
    return {name: value, f"recall_at_{k}": recall, "recall_by_probe": recalls,
            "probes": {probe: len(q) for probe, q in probe_sets.items()}}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def _stamp(path: Path) -> list[int]:
    """What changes when a file is written, replaced or copied: size, times, inode."""
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def _write_verified(folder: Path, stamps: dict[str, tuple[str, list[int]]]) -> None:
    """Record that the files of ``folder`` matched their checksums with these stamps (name ->
    (checksum, stamp taken before hashing)), so that later loads skip hashing them. Best
    effort: where it cannot be written, loads just hash again."""
    record = {name: {"checksum": checksum, "stamp": stamp} for name, (checksum, stamp) in stamps.items()}
    try:
        write_atomically(folder / VERIFIED_FILE, lambda p: p.write_text(json.dumps(record), encoding="utf-8"))
    except OSError as e:
        log.info("cannot record verified checksums in %s: %s", folder, e)


def _verify(folder: Path, checksums: dict[str, str]) -> str | None:
    """The first file of ``folder`` that does not match its checksum, or None.

    A file whose stamp (size, times, inode) is what it was when last found matching is not
    hashed again: at 1M chunks hashing costs about a second per server worker per publish. Any
    write, replacement or copy changes the stamp, and the file is hashed again.
    """
    try:
        verified = json.loads((folder / VERIFIED_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        verified = {}
    stamps, hashed = {}, False
    for name, expected in checksums.items():
        before = _stamp(folder / name)
        stamps[name] = (expected, before)
        seen = verified.get(name) if isinstance(verified, dict) else None
        if isinstance(seen, dict) and seen.get("checksum") == expected and seen.get("stamp") == before:
            continue
        hashed = True
        if "sha256:" + _sha256(folder / name) != expected:
            return name
        if _stamp(folder / name) != before:  # written while being hashed: check it again next time
            stamps.pop(name)
    if hashed:
        _write_verified(folder, stamps)
    return None


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _save_ids(path: Path, ids: np.ndarray) -> None:
    with open(path, "wb") as f:
        np.save(f, ids)


def write_generation(data_dir: str | Path, index: "faiss.Index", ids: np.ndarray,
                     manifest: dict, facets: Facets | None = None) -> str:
    """Write a complete generation directory (not yet live); return its name.

    ``manifest`` gets the generation name, counts and the files' checksums added; ``facets``,
    the filter columns of the same chunks, are written beside the index.
    """
    import faiss

    root = index_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    generation = new_generation_name()
    folder = root / generation
    folder.mkdir()
    ids = np.sort(np.asarray(ids, dtype=np.int64))
    if len(ids) != index.ntotal:
        raise RuntimeError(f"index holds {index.ntotal} vectors but {len(ids)} ids were given")
    write_atomically(folder / "vectors.faiss", lambda p: faiss.write_index(index, str(p)), durable=True)
    write_atomically(folder / "ids.npy", lambda p: _save_ids(p, ids), durable=True)
    files = ["vectors.faiss", "ids.npy"]
    if facets is not None:
        if not np.array_equal(facets.ids, ids):
            raise RuntimeError("the filter columns describe other chunks than the index holds")
        write_atomically(folder / FACETS_FILE, facets.save, durable=True)
        files.append(FACETS_FILE)
    manifest = dict(manifest, format=MANIFEST_FORMAT, generation=generation,
                    created_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
    manifest.setdefault("counts", {})["vectors"] = int(index.ntotal)
    manifest["checksums"] = {name: "sha256:" + _sha256(folder / name) for name in files}
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    write_atomically(folder / "manifest.json", lambda p: p.write_text(text, encoding="utf-8"), durable=True)
    # Just hashed: readers need not hash these files again while their stamps hold.
    _write_verified(folder, {name: (checksum, _stamp(folder / name)) for name, checksum in manifest["checksums"].items()})
    _fsync_dir(folder)
    return generation


def publish(data_dir: str | Path, generation: str) -> None:
    """Make ``generation`` live by atomically replacing ``index/CURRENT``, then drop old ones.

    The generation that was live stays on disk (a reader may be about to open it); older ones
    and leftovers of killed builds are removed. Call with the build lock held.
    """
    root = index_root(data_dir)
    if not (root / generation / "manifest.json").is_file():
        raise RuntimeError(f"generation {generation} is incomplete")
    previous = current_generation(data_dir)
    write_atomically(root / "CURRENT", lambda p: p.write_text(generation + "\n", encoding="utf-8"), durable=True)
    _fsync_dir(root)
    log.info("published index generation %s (previous %s)", generation, previous)
    keep = {generation, previous}
    for path in root.iterdir():
        if path.is_dir() and path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)
        elif path.name.endswith(".tmp"):
            path.unlink(missing_ok=True)


@dataclass
class LiveIndex:
    """A loaded index generation.

    >>> from dateline.index.embed import load_embedder
    >>> embedder = load_embedder()
    >>> live = open_live("./dateline-data", embedder)
    >>> live.search(embedder.encode_query("oil prices")[None, :], k=5)[0][:1]
    [(1234, 0.71)]
    """

    generation: str
    manifest: dict
    index: "faiss.Index"
    ids: np.ndarray = field(repr=False)  # sorted chunk ids held by the index
    path: Path | None = None
    facets: Facets | None = field(default=None, repr=False)  # filter columns of the same chunks
    mapped: bool = False  # read-only, mapped from its file: adding or removing vectors would crash

    @property
    def ntotal(self) -> int:
        """Return how many vectors the index holds."""
        return int(self.index.ntotal)

    @property
    def dim(self) -> int:
        return int(self.index.d)

    def search(self, queries: np.ndarray, k: int, among: np.ndarray | None = None) -> list[list[tuple[int, float]]]:
        """Return, per query row, up to ``k`` (chunk_id, inner-product score) pairs, best first.

        ``queries`` is an (n, dim) float32 array of unit vectors (``Embedder.encode_query(q)[None]``
        for one). ``among``, a boolean mask over ``ids``, restricts the search to those chunks.
        Slots the index could not fill (id -1) are dropped.
        """
        queries = _check_vectors(queries, self.dim)
        if not isinstance(k, (int, np.integer)) or k < 1:
            raise DatelineError(f"k must be a positive integer, got {k!r}")
        if self.ntotal == 0 or len(queries) == 0:
            return [[] for _ in range(len(queries))]
        k = int(min(k, self.ntotal))
        scores, found = self.index.search(queries, k) if among is None else self._search_among(queries, k, among)
        return [[(int(i), float(s)) for i, s in zip(row_ids, row_scores) if i >= 0]
                for row_ids, row_scores in zip(found, scores)]

    def _search_among(self, queries: np.ndarray, k: int, among: np.ndarray):
        import faiss

        # A bitmap over chunk ids (bit i set = chunk i kept): built in one pass, checked in O(1).
        keep = np.zeros(int(self.ids[-1]) + 1, dtype=bool)
        keep[self.ids[among]] = True
        bits = np.packbits(keep, bitorder="little")
        selector = faiss.IDSelectorBitmap(len(bits), faiss.swig_ptr(bits))  # size in bytes
        kind = index_kind(self.index)
        if kind == "ivf":
            params = faiss.SearchParametersIVF(sel=selector, nprobe=faiss.extract_index_ivf(self.index).nprobe)
        elif kind == "hnsw":
            params = faiss.SearchParametersHNSW(sel=selector, efSearch=faiss.downcast_index(self.index.index).hnsw.efSearch)
        else:
            params = faiss.SearchParameters(sel=selector)
        # FAISS holds raw pointers to ``bits`` and ``selector``: both live until this returns.
        return self.index.search(queries, k, params=params)


def load_generation(data_dir: str | Path, generation: str, *, verify: bool = True,
                    mmap: bool = False) -> LiveIndex:
    """Load one generation from disk, checking its files against the manifest's checksums.

    ``mmap`` maps the vectors (and an IVF index's lists) from the file instead of copying them
    into the process: read-only, but shared through the page cache by every process that
    serves the generation (at 1M chunks, 26 MB private memory per process instead of 1.5 GB;
    see benchmarks/load.py). The build loads without it, since it edits its copy.
    """
    import faiss

    folder = index_root(data_dir) / generation
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DatelineError(f"index generation {generation} is missing from {index_root(data_dir)}: "
                            f"run `dateline index --data {data_dir}`", code="no_index", status=503) from None
    except json.JSONDecodeError as e:
        raise DatelineError(f"index generation {generation}: unreadable manifest ({e}): "
                            f"run `dateline index --full --data {data_dir}`", code="bad_index", status=503) from e
    if verify:
        damaged = _verify(folder, manifest.get("checksums", {}))
        if damaged:
            raise DatelineError(f"index generation {generation}: {damaged} does not match its checksum: "
                                f"run `dateline index --full --data {data_dir}`",
                                code="bad_index", status=503)
    # A published generation's files never change (a new one is written beside it), and on
    # POSIX a mapped file that a later publish removes stays readable until it is unmapped.
    index = faiss.read_index(str(folder / "vectors.faiss"), faiss.IO_FLAG_MMAP_IFC if mmap else 0)
    set_search_params(index, manifest.get("search", {}))
    with open(folder / "ids.npy", "rb") as f:
        ids = np.load(f)
    # Generations written before the filter columns existed (or with an older layout of them)
    # search filtered without them.
    facets = None
    if (folder / FACETS_FILE).is_file():
        try:
            facets = Facets.load(folder / FACETS_FILE)
        except (KeyError, ValueError, OSError) as e:
            log.warning("index generation %s: filter columns unreadable (%s); filtering in SQLite", generation, e)
    return LiveIndex(generation=generation, manifest=manifest, index=index, ids=ids, path=folder, facets=facets,
                     mapped=mmap)


def incompatibility(manifest: dict, embedder: "Embedder | None", chunker: dict | None = None) -> str | None:
    """Return why an index with ``manifest`` does not fit the running model and chunker, or None."""
    chunker = chunker or chunker_config()
    if manifest.get("format") != MANIFEST_FORMAT:
        return f"it has manifest format {manifest.get('format')}, this version reads {MANIFEST_FORMAT}"
    if embedder is not None:
        if manifest.get("model") != embedder.name:
            return f"it was built with model {manifest.get('model')}, the running model is {embedder.name}"
        if manifest.get("dim") != embedder.dim:
            return f"its vectors have dimension {manifest.get('dim')}, the running model's {embedder.dim}"
    if manifest.get("chunker") != chunker:
        return f"it was built with chunker settings {manifest.get('chunker')}, the running ones are {chunker}"
    return None


def open_live(data_dir: str | Path, embedder: "Embedder | None" = None, *,
              generation: str | None = None) -> LiveIndex:
    """Load the live (or the named) generation and check it fits ``embedder`` and the chunker.

    Raises DatelineError ``no_index`` (503) when nothing is published, and one that says what
    to run when the manifest's model, dimension or chunker settings differ from the running ones.
    """
    for attempt in range(3):
        name = generation or current_generation(data_dir)
        if name is None:
            raise DatelineError(f"no search index in {data_dir}: run `dateline index --data {data_dir}`",
                                code="no_index", status=503)
        try:
            live = load_generation(data_dir, name, mmap=True)
            break
        except DatelineError as e:
            # A publish may have swapped CURRENT and removed this generation since we read it.
            if generation is not None or e.code != "no_index" or attempt == 2:
                raise
    reason = incompatibility(live.manifest, embedder)
    if reason:
        raise DatelineError(
            f"the index in {data_dir} does not match the running settings: {reason}. "
            f"Run `dateline index --data {data_dir}` to rebuild it (embeddings already cached are "
            "reused), or restore the settings it was built with.", code="index_mismatch", status=503)
    return live
