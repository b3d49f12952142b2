"""FAISS indexes: choose a type, make one, tune its search parameters, search it.

Every index is id-mapped inner product over unit vectors, i.e. cosine similarity. Vector ids
are ``chunks.id`` (int64, never reused). How an index is written, checked, published and loaded
is generations.py's job.
"""
from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from . import settings
from .errors import DatelineError

if TYPE_CHECKING:
    import faiss

    from .embed import Embedder

log = logging.getLogger(__name__)

INDEX_TYPES = ("auto", "flat", "ivf", "hnsw")
RECALL_TARGET = 0.95  # recall@10 against exact search that approximate indexes are tuned to
_TUNE_MARGIN = 0.02  # tune a little above the target: the tuning queries are a sample
_OFF_TOPIC_MARGIN = 0.025  # the same for the half of the question probes least like the archive
_TUNE_QUERIES = 256  # chunk-like probes per tuning: a sample, hence _TUNE_MARGIN
# Noise added to a sampled chunk vector (both unit length) to make a chunk-like probe: it leaves
# the probe at a cosine of about 1 / sqrt(1 + 0.75^2) = 0.8 with its source.
_PROBE_NOISE = 0.75
# Below this many question probes, the off-topic half is too small a sample to tune on alone.
_OFF_TOPIC_MIN_QUESTIONS = 20

# Fewer chunks than this make a one-list IVF index: exact search with extra steps, so use flat.
_IVF_MIN_CHUNKS = 64
# ~2 sqrt(n) lists balances list scans against the centroid scan, and keeps k-means training
# affordable on two cores (1M vectors: 2000 lists; docs/performance.md).
_IVF_LISTS_PER_SQRT_N = 2
_IVF_MAX_LISTS = 65536  # a cap that 2 sqrt(n) reaches only beyond a billion vectors
_KMEANS_MIN_POINTS = 39  # per list: FAISS warns when k-means has fewer training points than this
# k-means needs ~40 points per list to place centroids well; more only costs time, so the
# training sample is capped at this many per list.
_KMEANS_SAMPLE_POINTS = 64
# HNSW graph: links per node and build-time search width. The usual FAISS choices, not tuned
# here: HNSW is an option, IVF the auto choice (at 1M the build takes tens of minutes).
_HNSW_LINKS = 32
_HNSW_EF_CONSTRUCTION = 80

# The search widths ``tune`` tries, cheapest first.
_NPROBES = (1, 2, 3, 4, 6, 8, 10, 12, 16, 20, 24, 32, 40, 48, 64, 80, 96, 128, 160, 192, 256, 320,
            384, 512, 640, 768, 1024, 1536, 2048, 4096)
_EF_SEARCH = (16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 3072)


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


def check_vectors(vectors: np.ndarray, dim: int | None = None) -> np.ndarray:
    """Return ``vectors`` as a contiguous (n, dim) float32 array; TypeError for anything else."""
    if not isinstance(vectors, np.ndarray) or vectors.dtype != np.float32:
        raise TypeError(f"vectors must be a float32 numpy array, got {getattr(vectors, 'dtype', type(vectors))}")
    if vectors.ndim != 2 or (dim is not None and vectors.shape[1] != dim):
        raise TypeError(f"vectors must have shape (n, {dim or 'dim'}), got {vectors.shape}")
    return np.ascontiguousarray(vectors)


def _ivf_lists(n: int) -> int:
    """Return how many IVF lists to train for ``n`` vectors."""
    return max(1, min(_IVF_MAX_LISTS, int(_IVF_LISTS_PER_SQRT_N * math.sqrt(n)), n // _KMEANS_MIN_POINTS or 1))


def _make_ivf(dim: int, vectors: np.ndarray) -> "faiss.Index":
    """Return an empty ``IVFFlat`` inner-product index trained on (a sample of) ``vectors``."""
    import faiss

    n = len(vectors)
    if n < _IVF_MIN_CHUNKS:
        raise DatelineError(f"an IVF index needs at least {_IVF_MIN_CHUNKS} chunks to train, the archive has {n}: "
                            f"use index type flat ({settings.setting('index_type').env}=flat)")
    nlist = _ivf_lists(n)
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
    index.own_fields = True
    quantizer.this.disown()  # the IVF index now owns (and frees) its quantizer
    sample = vectors
    if n > _KMEANS_SAMPLE_POINTS * nlist:
        rng = np.random.default_rng(0)
        sample = vectors[np.sort(rng.choice(n, _KMEANS_SAMPLE_POINTS * nlist, replace=False))]
    index.train(sample)
    return index


def make_index(kind: str, dim: int, vectors: np.ndarray, ids: np.ndarray) -> "faiss.Index":
    """Build an index of ``kind`` (flat, ivf or hnsw) holding ``vectors`` under ``ids``.

    flat: ``IDMap(FlatIP)``, exact; supports removal. ivf: ``IVFFlat`` with inner product,
    trained on (a sample of) the vectors; ids are native, removal is supported. hnsw:
    ``IDMap(HNSWFlat)``; no removal, so every build re-adds all vectors from the cache.
    """
    import faiss

    vectors = check_vectors(vectors, dim)
    ids = np.ascontiguousarray(ids, dtype=np.int64)
    if kind == "flat":
        index = faiss.IndexIDMap(faiss.IndexFlatIP(dim))
    elif kind == "ivf":
        index = _make_ivf(dim, vectors)
    elif kind == "hnsw":
        index = faiss.IndexIDMap(faiss.IndexHNSWFlat(dim, _HNSW_LINKS, faiss.METRIC_INNER_PRODUCT))
        faiss.downcast_index(index.index).hnsw.efConstruction = _HNSW_EF_CONSTRUCTION
    else:
        raise DatelineError(f"unknown index type {kind!r}")
    if len(vectors):
        index.add_with_ids(vectors, ids)
    return index


def remove_ids(index: "faiss.Index", ids: np.ndarray) -> None:
    """Remove the vectors of ``ids`` from ``index`` (flat or ivf); RuntimeError if any is missing."""
    import faiss

    removed = index.remove_ids(faiss.IDSelectorBatch(ids))
    if removed != len(ids):
        raise RuntimeError(f"removed {removed} of {len(ids)} stale vectors")


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


def search(index: "faiss.Index", queries: np.ndarray, k: int,
           keep: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Return FAISS's (scores, ids) arrays for the top ``k`` of each query row.

    ``keep``, a boolean array indexed by chunk id, limits the search to the ids set in it, with
    the index's own search width. Unfilled slots have id -1.
    """
    import faiss

    if keep is None:
        return index.search(queries, k)
    # A bitmap over chunk ids (bit i set = chunk i kept): built in one pass, checked in O(1).
    bits = np.packbits(keep, bitorder="little")
    selector = faiss.IDSelectorBitmap(len(bits), faiss.swig_ptr(bits))  # size in bytes
    kind = index_kind(index)
    if kind == "ivf":
        params = faiss.SearchParametersIVF(sel=selector, nprobe=faiss.extract_index_ivf(index).nprobe)
    elif kind == "hnsw":
        params = faiss.SearchParametersHNSW(sel=selector, efSearch=faiss.downcast_index(index.index).hnsw.efSearch)
    else:
        params = faiss.SearchParameters(sel=selector)
    # FAISS holds raw pointers to ``bits`` and ``selector``: both live until this returns.
    return index.search(queries, k, params=params)


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
    queries = picks + _PROBE_NOISE * noise
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


def _exact(vectors: np.ndarray, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the exact (scores, positions in ``vectors``) of each query's top ``k``."""
    import faiss

    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    return flat.search(queries, k)


def exact_neighbours(vectors: np.ndarray, ids: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """Return the ids of the exact top ``k`` by inner product, one row per query."""
    _, pos = _exact(vectors, queries, k)
    return np.where(pos >= 0, ids[np.maximum(pos, 0)], -1)


def _best_scores(vectors: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Return each query's best inner product with ``vectors`` (how much the archive is about it)."""
    return _exact(vectors, queries, 1)[0][:, 0]


def recall_at(found: np.ndarray, truth: np.ndarray) -> float:
    """Return the mean share of each query's true ids that were found (recall@k)."""
    hits = sum(len(set(f[f >= 0]) & set(t[t >= 0])) for f, t in zip(found, truth))
    total = sum(int((t >= 0).sum()) for t in truth)
    return hits / total if total else 1.0


def _probe_sets(vectors: np.ndarray, questions: np.ndarray | None,
                target: float) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Return the probe sets ``tune`` measures (name -> queries) and the recall each must reach."""
    probe_sets = {"near_chunks": tuning_queries(vectors)}
    wanted = {"near_chunks": target + _TUNE_MARGIN}
    if questions is not None and len(questions):
        questions = check_vectors(questions, vectors.shape[1])
        probe_sets["questions"] = questions
        wanted["questions"] = target + _TUNE_MARGIN
        if len(questions) >= _OFF_TOPIC_MIN_QUESTIONS:
            # Questions the archive does not answer are the hardest (their top 10 spread over
            # many lists), and users ask more of them than any probe set holds: the half of the
            # probes least like the archive must clear a wider margin. Measured on 412 fresh
            # real questions: at 100k all probes at 0.97 chose nprobe 64 and gave 0.91, this
            # half at 0.975 chose 128 and gave 0.96; at 1M, 320 and 0.98. (At 0.98 the 1M
            # tuning stalled on a few probes and went to half the lists.)
            best = _best_scores(vectors, questions)
            probe_sets["off_topic"] = questions[best <= np.median(best)]
            wanted["off_topic"] = target + _OFF_TOPIC_MARGIN
    return probe_sets, wanted


def _search_widths(index: "faiss.Index", kind: str) -> tuple[str, list[int]]:
    """Return the search parameter ``tune`` widens for ``kind`` and its values, cheapest first."""
    if kind == "ivf":
        import faiss

        nlist = faiss.extract_index_ivf(index).nlist
        return "nprobe", [v for v in _NPROBES if v < nlist] + [nlist]
    return "ef_search", list(_EF_SEARCH)


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
    probe_sets, wanted = _probe_sets(vectors, questions, target)
    truths = {name: exact_neighbours(vectors, ids, q, k) for name, q in probe_sets.items()}
    name, values = _search_widths(index, kind)
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
