"""FAISS indexes: choose a type, make one, tune its search parameters, search it.

Every index is id-mapped inner product over unit vectors, i.e. cosine similarity. Vector ids
are ``chunks.id`` (int64, never reused). How an index is written, checked, published and loaded
is generations.py's job.

The compressed types (ivf-sq8, ivf-pq) hold codes, not vectors: their search gathers more
candidates than asked for and re-scores them exactly from the stored vectors (a float32 file
beside the index, memory-mapped, rows aligned to the sorted ids), so that recall stays at the
target while the index itself is 4x (sq8) or 24x (pq) smaller than the vectors.
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

INDEX_TYPES = ("auto", "flat", "ivf", "ivf-sq8", "ivf-pq", "hnsw")
COMPRESSED = ("ivf-sq8", "ivf-pq")  # types whose search re-scores candidates from stored vectors
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
# ivf-pq: 64 sub-quantizers of 6 dimensions each for 384-dimensional vectors, 8 bits each:
# 64 bytes a vector (24x smaller than float32), 10M vectors in 0.7 GB with their ids. Measured
# on off-topic questions (docs/performance.md): 48 bytes needed 2-4 times the candidates to
# re-score, 96 bytes no more than 64 but 1 GB at 10M. Dimensions that 64 does not divide get
# the largest divisor of theirs up to 64.
_PQ_SUBVECTORS = 64
_PQ_BITS = 8
# Codebooks of fewer entries (down to 4 bits) when the archive is too small to train 256.
_PQ_MIN_BITS = 4
# Candidates a compressed search re-scores exactly, tried by ``tune`` cheapest first: each costs
# one stored row read (1.5 KB at 384 dimensions), about a microsecond from the page cache: less
# than widening nprobe, which ``tune`` therefore widens only where 2048 candidates fall short.
_RERANK = (16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048)
_EXACT_BLOCK = 1 << 18  # stored rows scored at a time by exact search (384 MB at 384 dimensions)

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
    (no faster than exact), a fifth at 100k and a sixth at 1M. ``ivf_sq8_threshold`` (2M) and
    ``ivf_pq_threshold`` (5M) switch to the compressed types where IVF's vectors (1.5 KB a
    chunk) would crowd memory: at 1M ivf-sq8 matched IVF's recall at half its latency in a
    quarter of the memory, ivf-pq in a twentieth at IVF's latency (docs/performance.md).
    """
    requested = requested or settings.get("index_type")
    if requested not in INDEX_TYPES:
        raise DatelineError(f"unknown index type {requested!r}: choose one of {', '.join(INDEX_TYPES)} "
                            f"({settings.setting('index_type').env})")
    if requested != "auto":
        return requested
    if n >= settings.get("ivf_pq_threshold"):
        return "ivf-pq"
    if n >= settings.get("ivf_sq8_threshold"):
        return "ivf-sq8"
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


def _pq_bits(n: int) -> int:
    """Return the bits per ivf-pq code that ``n`` training vectors can train (4 to 8)."""
    fits = int(math.log2(max(n, 1) / _KMEANS_MIN_POINTS)) if n > _KMEANS_MIN_POINTS else 0
    return max(_PQ_MIN_BITS, min(_PQ_BITS, fits))


def _pq_subvectors(dim: int) -> int:
    """Return how many sub-quantizers an ivf-pq index of ``dim`` dimensions uses."""
    return max(m for m in range(1, _PQ_SUBVECTORS + 1) if dim % m == 0)


def buildable_kind(kind: str, n: int) -> tuple[str, str]:
    """Return the index type to build for ``n`` vectors when ``kind`` is asked for, and a note
    saying how training was cut down to size ("" when it was not).

    A compressed type needs as many vectors as IVF to train its lists; below that it falls back
    to flat (exact search, the right choice for so few). ivf-pq with fewer than ~10k vectors
    trains smaller codebooks: 256 entries need 39 training points each.
    """
    if kind in COMPRESSED and n < _IVF_MIN_CHUNKS:
        return "flat", (f"{n} chunks are too few to train a {kind} index ({_IVF_MIN_CHUNKS} needed): "
                        "built a flat (exact) index instead")
    if kind == "ivf-pq" and _pq_bits(n) < _PQ_BITS:
        bits = _pq_bits(n)
        return kind, (f"{n} chunks are too few to train 256-entry ivf-pq codebooks "
                      f"({_KMEANS_MIN_POINTS << _PQ_BITS} needed): trained {1 << bits}-entry ones "
                      f"({bits} bits a code), the exact re-scoring keeps recall")
    return kind, ""


def _training_size(kind: str, n: int) -> int:
    """Return how many vectors to train a ``kind`` index for ``n`` vectors on."""
    wanted = _KMEANS_SAMPLE_POINTS * _ivf_lists(n)
    if kind == "ivf-pq":  # each sub-quantizer's codebook wants ~64 points per entry too
        wanted = max(wanted, _KMEANS_SAMPLE_POINTS << _pq_bits(n))
    return min(n, wanted)


def training_sample(kind: str, vectors: np.ndarray, seed: int = 0) -> np.ndarray:
    """Return the rows of ``vectors`` (an array or a memory map) a ``kind`` index trains on,
    read in storage order: a random sample when there are more than training needs."""
    n = len(vectors)
    size = _training_size(kind, n)
    if size >= n:
        return np.ascontiguousarray(vectors, dtype=np.float32)
    rows = np.sort(np.random.default_rng(seed).choice(n, size, replace=False))
    return np.ascontiguousarray(vectors[rows], dtype=np.float32)


def trained_index(kind: str, dim: int, sample: np.ndarray, n: int) -> "faiss.Index":
    """Return an empty ``kind`` index (ivf, ivf-sq8 or ivf-pq) sized for ``n`` vectors and
    trained on ``sample`` (``training_sample``): add the vectors to it in batches."""
    import faiss

    if n < _IVF_MIN_CHUNKS:
        raise DatelineError(f"an IVF index needs at least {_IVF_MIN_CHUNKS} chunks to train, the archive has {n}: "
                            f"use index type flat ({settings.setting('index_type').env}=flat)")
    sample = check_vectors(sample, dim)
    nlist = _ivf_lists(n)
    quantizer = faiss.IndexFlatIP(dim)
    if kind == "ivf":
        index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
    elif kind == "ivf-sq8":
        index = faiss.IndexIVFScalarQuantizer(quantizer, dim, nlist, faiss.ScalarQuantizer.QT_8bit,
                                              faiss.METRIC_INNER_PRODUCT)
    elif kind == "ivf-pq":
        index = faiss.IndexIVFPQ(quantizer, dim, nlist, _pq_subvectors(dim), _pq_bits(n), faiss.METRIC_INNER_PRODUCT)
        # Small codebooks trained on what a small archive has (buildable_kind's note says so):
        # without this each sub-quantizer prints FAISS's warning about too few points.
        index.pq.cp.min_points_per_centroid = min(_KMEANS_MIN_POINTS, len(sample) >> _pq_bits(n))
    else:
        raise DatelineError(f"unknown IVF index type {kind!r}")
    index.own_fields = True
    quantizer.this.disown()  # the IVF index now owns (and frees) its quantizer
    index.train(sample)
    return index


def make_index(kind: str, dim: int, vectors: np.ndarray, ids: np.ndarray) -> "faiss.Index":
    """Build an index of ``kind`` (flat, ivf, ivf-sq8, ivf-pq or hnsw) holding ``vectors`` under ``ids``.

    flat: ``IDMap(FlatIP)``, exact; supports removal. ivf: ``IVFFlat`` with inner product,
    trained on (a sample of) the vectors; ids are native, removal is supported. ivf-sq8 and
    ivf-pq: the same lists holding 8-bit scalar or product-quantized codes; search them with
    ``rescored_search`` (too few vectors: see ``buildable_kind``). hnsw: ``IDMap(HNSWFlat)``; no
    removal, so every build re-adds all vectors from the cache. For millions of vectors, train
    ``trained_index`` on ``training_sample`` and add batches instead (index/build.py does).
    """
    import faiss

    vectors = check_vectors(vectors, dim)
    ids = np.ascontiguousarray(ids, dtype=np.int64)
    kind = buildable_kind(kind, len(vectors))[0]
    if kind == "flat":
        index = faiss.IndexIDMap(faiss.IndexFlatIP(dim))
    elif kind in ("ivf", *COMPRESSED):
        index = trained_index(kind, dim, training_sample(kind, vectors), len(vectors))
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
    """Return flat, ivf, ivf-sq8, ivf-pq or hnsw for an index made by ``make_index``."""
    import faiss

    inner = faiss.downcast_index(index.index) if isinstance(index, faiss.IndexIDMap) else index
    if isinstance(inner, faiss.IndexHNSWFlat):
        return "hnsw"
    if isinstance(inner, faiss.IndexIVFPQ):
        return "ivf-pq"
    if isinstance(inner, faiss.IndexIVFScalarQuantizer):
        return "ivf-sq8"
    if isinstance(inner, faiss.IndexIVF):
        return "ivf"
    return "flat"


def is_ivf(kind: str) -> bool:
    """Whether indexes of ``kind`` are IVF (searched with ``nprobe``, trained on a sample)."""
    return kind == "ivf" or kind in COMPRESSED


def set_search_params(index: "faiss.Index", params: dict) -> None:
    """Apply tuned search parameters (``nprobe`` for IVF, ``ef_search`` for HNSW); ``rerank``,
    the candidates a compressed search re-scores, is the caller's (``rescored_search``)."""
    import faiss

    kind = index_kind(index)
    if is_ivf(kind) and "nprobe" in params:
        faiss.extract_index_ivf(index).nprobe = int(params["nprobe"])
    elif kind == "hnsw" and "ef_search" in params:
        faiss.downcast_index(index.index).hnsw.efSearch = int(params["ef_search"])


# A narrowed IVF search still probes this many lists (or all it is tuned to, when fewer): below
# it a search costs little anyway (16 of 2,000 lists at 1M chunks: under 1 ms), and a small
# archive's few lists each hold much of it (an ivf-pq test archive of 479 chunks has 12 lists).
MIN_NARROWED_PROBES = 16


def search(index: "faiss.Index", queries: np.ndarray, k: int, keep: np.ndarray | None = None,
           probe_share: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Return FAISS's (scores, ids) arrays for the top ``k`` of each query row.

    ``keep``, a boolean array indexed by chunk id, limits the search to the ids set in it, with
    the index's own search width. ``probe_share`` < 1 has an IVF index probe that share of its
    tuned lists, but no fewer than MIN_NARROWED_PROBES: for queries that sit among the chunks,
    which need fewer than a question (Retriever's feedback search). Unfilled slots have id -1.
    """
    import faiss

    kind = index_kind(index)
    narrowed = is_ivf(kind) and probe_share < 1
    if keep is None and not narrowed:
        return index.search(queries, k)
    selector = None
    if keep is not None:
        # A bitmap over chunk ids (bit i set = chunk i kept): built in one pass, checked in O(1).
        bits = np.packbits(keep, bitorder="little")
        selector = faiss.IDSelectorBitmap(len(bits), faiss.swig_ptr(bits))  # size in bytes
    if is_ivf(kind):
        nprobe = faiss.extract_index_ivf(index).nprobe
        if narrowed:
            nprobe = max(int(nprobe * probe_share), min(nprobe, MIN_NARROWED_PROBES))
        params = faiss.SearchParametersIVF(sel=selector, nprobe=nprobe)
    elif kind == "hnsw":
        params = faiss.SearchParametersHNSW(sel=selector, efSearch=faiss.downcast_index(index.index).hnsw.efSearch)
    else:
        params = faiss.SearchParameters(sel=selector)
    # FAISS holds raw pointers to ``bits`` and ``selector``: both live until this returns.
    return index.search(queries, k, params=params)


def rescored_search(index: "faiss.Index", stored: np.ndarray, ids: np.ndarray, queries: np.ndarray, k: int,
                    rerank: int, keep: np.ndarray | None = None,
                    probe_share: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Return (scores, ids) like ``search``, from the index's best ``rerank`` candidates (at
    least ``k``) re-scored exactly from ``stored`` (rows aligned to sorted ``ids``)."""
    _, candidates = search(index, queries, max(k, min(int(rerank), index.ntotal)), keep, probe_share)
    return rescore(stored, ids, queries, candidates, k)


def _candidate_scores(stored: np.ndarray, ids: np.ndarray, queries: np.ndarray,
                      candidates: np.ndarray) -> np.ndarray:
    """Return the exact score of each query's each candidate (chunk ids, -1 for none, scored
    lowest), read from ``stored``: vectors whose rows are aligned to sorted ``ids``."""
    exact = np.full(candidates.shape, -np.finfo(np.float32).max, dtype=np.float32)
    for row, (query, cands) in enumerate(zip(queries, candidates)):
        real = np.flatnonzero(cands >= 0)
        if len(real):
            # Rows read in file order: neighbouring rows share pages.
            order = real[np.argsort(cands[real], kind="stable")]
            exact[row, order] = np.asarray(stored[np.searchsorted(ids, cands[order])], dtype=np.float32) @ query
    return exact


def _best_of(exact: np.ndarray, candidates: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the (scores, ids) of the ``k`` best-scored candidates of each row, best first."""
    best = np.argsort(-exact, axis=1, kind="stable")[:, :k]
    scores, found = np.take_along_axis(exact, best, axis=1), np.take_along_axis(candidates, best, axis=1)
    return scores, np.where(found >= 0, found, -1)


def rescore(stored: np.ndarray, ids: np.ndarray, queries: np.ndarray, candidates: np.ndarray,
            k: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the exact (scores, ids) of the best ``k`` of each query's ``candidates`` (chunk
    ids, -1 for none), read from ``stored``: vectors whose rows are aligned to sorted ``ids``."""
    return _best_of(_candidate_scores(stored, ids, queries, candidates), candidates, k)


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
    """Return the exact (scores, positions in ``vectors``) of each query's top ``k``.

    ``vectors`` may be a memory map of millions of rows: they are scored a block at a time,
    so memory stays bounded, and the blocks' top ``k`` merged.
    """
    import faiss

    queries = np.ascontiguousarray(queries, dtype=np.float32)
    scores = np.full((len(queries), k), -np.finfo(np.float32).max, dtype=np.float32)
    pos = np.full((len(queries), k), -1, dtype=np.int64)
    for start in range(0, len(vectors), _EXACT_BLOCK):
        block = np.ascontiguousarray(vectors[start:start + _EXACT_BLOCK], dtype=np.float32)
        s, p = faiss.knn(queries, block, min(k, len(block)), metric=faiss.METRIC_INNER_PRODUCT)
        s = np.concatenate([scores, s], axis=1)
        p = np.concatenate([pos, np.where(p >= 0, p + start, -1)], axis=1)
        best = np.argsort(-s, axis=1, kind="stable")[:, :k]
        scores, pos = np.take_along_axis(s, best, axis=1), np.take_along_axis(p, best, axis=1)
    return scores, pos


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
    if is_ivf(kind):
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

    Compressed indexes (ivf-sq8, ivf-pq) are judged as they are searched, re-scored from
    ``vectors`` (rows aligned to sorted ``ids``; a memory map will do): for each ``nprobe``,
    cheapest first, the fewest re-scored candidates (``rerank``) that meet the target.
    """
    kind = index_kind(index)
    if kind == "flat" or len(vectors) == 0:
        return {f"recall_at_{k}": 1.0}
    probe_sets, wanted = _probe_sets(vectors, questions, target)
    truths = {name: exact_neighbours(vectors, ids, q, k) for name, q in probe_sets.items()}
    if kind in COMPRESSED:
        return _tune_rescored(index, vectors, ids, k, target, probe_sets, wanted, truths)
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


def _tune_rescored(index: "faiss.Index", vectors: np.ndarray, ids: np.ndarray, k: int, target: float,
                   probe_sets: dict[str, np.ndarray], wanted: dict[str, float],
                   truths: dict[str, np.ndarray]) -> dict:
    """Return ``tune``'s answer for a compressed index: the smallest ``nprobe`` and, with it, the
    fewest re-scored candidates whose recall meets ``wanted`` on every probe set."""
    name, values = _search_widths(index, index_kind(index))
    reranks = [r for r in _RERANK if r < index.ntotal] + [min(max(_RERANK), index.ntotal)]
    reranks = sorted({max(r, k) for r in reranks})
    for value in values:
        set_search_params(index, {name: value})
        # One search for the most candidates: the first r of them are what a search for r finds.
        scored = {}
        for probe, queries in probe_sets.items():
            _, candidates = index.search(queries, reranks[-1])
            scored[probe] = (_candidate_scores(vectors, ids, queries, candidates), candidates)
        for rerank in reranks:
            recalls = {probe: round(recall_at(_best_of(exact[:, :rerank], cands[:, :rerank], k)[1], truths[probe]), 4)
                       for probe, (exact, cands) in scored.items()}
            if all(recalls[probe] >= wanted[probe] for probe in probe_sets):
                break
        else:
            continue
        break
    recall = min(recalls.values())
    log.info("tuned %s index: %s=%d, rerank=%d gives recall@%d %s", index_kind(index), name, value, rerank, k, recalls)
    if recall < target:
        log.warning("recall@%d %.3f stays under %.2f at the largest %s", k, recall, target, name)
    return {name: value, "rerank": rerank, f"recall_at_{k}": recall, "recall_by_probe": recalls,
            "probes": {probe: len(q) for probe, q in probe_sets.items()}}
