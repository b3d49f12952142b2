"""Search latency and recall: exact (flat) against IVF, HNSW and the compressed IVF types.

Base vectors are the real Reuters chunk embeddings cached by benchmarks/build.py: a sample of
them for 10k; for larger sizes, synthetic vectors that fill the space between real neighbours
(a random point on the segment from a real vector to one of its 10 nearest real vectors, plus
noise), which keeps the archive's topical structure without making tight copies.

Approximate indexes are tuned as `dateline index` tunes them (`vectors.tune` with the bundled
probe questions), then judged on queries the tuning never saw:

- ``questions``: the 329 RealTime QA questions (2022) and the 83 TIME queries (1963), none of
  them among the probes, encoded with `encode_query`. Against Reuters 1987 most are off-topic:
  a low best cosine, neighbours spread over many IVF lists: the hard, realistic case.
- ``held_out_chunks``: real chunk vectors left out of the base (questions the archive answers).

recall@10 is against exact search on the same vectors; latency is one query per call on one
FAISS thread, as a server sees it. ``chunk_probes_only`` shows what tuning without questions
(the earlier behaviour) picks and what recall that gives on the questions.

    nice .venv/bin/python benchmarks/search.py --data /tmp/bench/data --time PATH/time-collection \\
        --realtimeqa PATH/realtimeqa [--sizes 10000,100000,1000000]

HNSW is built only up to --hnsw-max (default 100k): at 1M its build (M=32, efConstruction=80)
takes tens of minutes on this machine's two shared cores, and IVF already meets the goals there.

The compressed types (``--kinds ...,ivf-sq8,ivf-pq``) are built as `dateline index` builds
them at any size: trained on a sample, vectors added in batches from a file, candidates
re-scored from that file (memory-mapped). Every size's vectors are written to a float32 .npy
file under --work a block at a time, and exact neighbours are computed a block at a time, so
10M vectors (15 GB) are never held in memory; an index type whose index holds the vectors
(flat, ivf, hnsw) is built only up to --in-memory-max. Per type: build seconds, index bytes
per chunk (serialized), the peak of the process's private memory (RssAnon, sampled; the
mapped vectors file is page cache, not counted) above what it was before the build, recall@10
and p50/p99 latency (re-scoring included):

    OMP_WAIT_POLICY=PASSIVE nice .venv/bin/python benchmarks/search.py --data DIR --time ... \
        --realtimeqa ... --sizes 1000000 --kinds flat,ivf,ivf-sq8,ivf-pq --work /tmp/bench-search
    nice .venv/bin/python benchmarks/search.py ... --sizes 10000000 --kinds ivf-pq,ivf-sq8

OMP_WAIT_POLICY=PASSIVE: on two cores busy with other jobs, FAISS's spinning OpenMP threads made
the exact search of 712 queries over 1M vectors take 210 s instead of about 20 s.
"""
from __future__ import annotations

import argparse
import gc
import json
import re
import sqlite3
import threading
import time
from pathlib import Path

import numpy as np

from corpora import add_corpus
from dateline.index.embed import load_embedder
from dateline.index.faiss_index import (COMPRESSED, exact_neighbours, index_kind, make_index, probe_questions,
                                        recall_at, rescored_search, trained_index, training_sample, tune)

_ADD_BLOCK = 1 << 16  # vectors added to an index at a time, as index/build.py adds them


def test_questions(time_dir: Path, realtimeqa_dir: Path) -> list[str]:
    """Real questions: the RealTime QA question sentences and the TIME collection queries.

    None of them is among the bundled probe questions, so they judge the tuning fairly.
    """
    questions = []
    for path in sorted((realtimeqa_dir / "qa").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                questions.append(" ".join(json.loads(line)["question_sentence"].split()))
    text = (time_dir / "TIME.QUE").read_text(encoding="latin-1")
    for query in re.split(r"\*FIND\s+\d+", text):
        query = " ".join(query.replace("*STOP", "").split()).lower()
        if query:
            questions.append(query)
    return questions


def latency(index, queries: np.ndarray, k: int = 10, limit: int = 300, searcher=None) -> dict:
    """Return p50/p99 ms of single-query searches (``searcher(queries, k)``: the index's own)."""
    searcher = searcher or index.search
    queries = queries[:limit]
    for q in queries[:10]:
        searcher(q[None], k)
    times = []
    for q in queries:
        t = time.perf_counter()
        searcher(q[None], k)
        times.append(time.perf_counter() - t)
    return {"p50_ms": round(float(np.percentile(times, 50)) * 1e3, 3),
            "p99_ms": round(float(np.percentile(times, 99)) * 1e3, 3)}


def _grown_blocks(real: np.ndarray, n: int, seed: int = 0, block: int = 100_000):
    """Yield ``n`` unit vectors a block at a time: a sample of real ones when enough, else the
    real ones then synthetic ones between real neighbours (see the module docstring)."""
    rng = np.random.default_rng(seed)
    if n <= len(real):
        yield real[np.sort(rng.choice(len(real), n, replace=False))]
        return
    import faiss

    flat = faiss.IndexFlatIP(real.shape[1])
    flat.add(real)
    _, nn = flat.search(real, 11)
    yield real
    for b in range(len(real), n, block):
        m = min(block, n - b)
        src = rng.integers(0, len(real), m)
        dst = nn[src, rng.integers(1, 11, m)]
        a = rng.random((m, 1), dtype=np.float32)
        part = a * real[src] + (1 - a) * real[dst]
        part += rng.standard_normal(part.shape, dtype=np.float32) * (0.1 / np.sqrt(real.shape[1]))
        yield part / np.linalg.norm(part, axis=1, keepdims=True)


def grow(real: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    """Return ``n`` unit vectors in memory (see ``_grown_blocks``)."""
    return np.concatenate(list(_grown_blocks(real, n, seed))).astype(np.float32)


def grow_to_file(real: np.ndarray, n: int, path: Path, seed: int = 0) -> np.ndarray:
    """Write ``n`` unit vectors (``_grown_blocks``) to ``path``, a float32 .npy file, a block at
    a time; return it mapped read-only. An existing file of the right shape is reused."""
    if path.exists():
        mapped = np.load(path, mmap_mode="r")
        if mapped.shape == (n, real.shape[1]):
            return mapped
    partial = path.with_suffix(".partial")  # renamed when complete: a killed run's file is not reused
    out = np.lib.format.open_memmap(partial, mode="w+", dtype=np.float32, shape=(n, real.shape[1]))
    filled = 0
    for part in _grown_blocks(real, n, seed):
        out[filled:filled + len(part)] = part
        filled += len(part)
    out.flush()
    del out
    partial.replace(path)
    return np.load(path, mmap_mode="r")


class PeakMemory:
    """Sample the process's private memory (RssAnon) in a thread; ``peak_mb`` is the most seen
    above what it was at the start. Mapped file pages (the vectors file) are not counted."""

    def __init__(self, every: float = 0.05):
        self.every, self.peak = every, 0
        self._stop = threading.Event()
        self.start_kb = self._anon_kb()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @staticmethod
    def _anon_kb() -> int:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
        return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._anon_kb())
            time.sleep(self.every)

    def stop(self) -> float:
        """Stop sampling; return the peak in MB above the start."""
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._anon_kb())
        return round((self.peak - self.start_kb) / 1024, 1)


def _index_bytes(index) -> int:
    """Return the size of ``index`` serialized (what a generation's vectors.faiss holds)."""
    import faiss

    return int(faiss.serialize_index(index).nbytes)


def build_streamed(kind: str, vectors: np.ndarray, ids: np.ndarray):
    """Build a ``kind`` index as `dateline index` builds a compressed one: train on a sample of
    ``vectors`` (a memory map will do), then add them in batches."""
    t = time.perf_counter()
    index = trained_index(kind, vectors.shape[1], training_sample(kind, vectors), len(vectors))
    print(f"    {kind}: trained in {time.perf_counter() - t:.0f}s", flush=True)
    for start in range(0, len(vectors), _ADD_BLOCK):
        index.add_with_ids(np.ascontiguousarray(vectors[start:start + _ADD_BLOCK]), ids[start:start + _ADD_BLOCK])
        if (start // _ADD_BLOCK) % 16 == 15:  # progress of long builds, for runs cut short
            print(f"    {kind}: {start + _ADD_BLOCK} added at {time.perf_counter() - t:.0f}s", flush=True)
    return index


def measure_large(vectors: np.ndarray, probes: np.ndarray, tests: dict[str, np.ndarray], kinds: list[str],
                  threads: int = 1) -> dict:
    """Build each index kind over ``vectors`` (a memory-mapped file), tune it on ``probes`` as a
    build does, judge it on ``tests``; compressed kinds re-score from the file."""
    import faiss

    faiss.omp_set_num_threads(2)
    ids = np.arange(len(vectors), dtype=np.int64)
    t = time.perf_counter()
    truths = {name: exact_neighbours(vectors, ids, q, 10) for name, q in tests.items()}
    out: dict = {"exact_truth_s": round(time.perf_counter() - t, 1)}
    print(f"  exact neighbours: {out['exact_truth_s']}s", flush=True)
    for kind in kinds:
        gc.collect()
        memory = PeakMemory()
        t = time.perf_counter()
        if kind in COMPRESSED:
            index = build_streamed(kind, vectors, ids)
        else:
            index = make_index(kind, vectors.shape[1], np.ascontiguousarray(vectors), ids)
        row: dict = {"build_s": round(time.perf_counter() - t, 1), "peak_private_mb": memory.stop(),
                     "index_bytes_per_chunk": round(_index_bytes(index) / len(vectors), 1)}
        if kind in COMPRESSED:
            row["stored_vectors_bytes_per_chunk"] = vectors.shape[1] * 4
        params: dict = {}
        if kind != "flat":
            t = time.perf_counter()
            params = tune(index, vectors, ids, questions=probes)
            row["tune_s"] = round(time.perf_counter() - t, 1)
            row["params"] = params
        rerank = params.get("rerank")

        def searcher(queries, k, index=index, rerank=rerank):
            if rerank:
                return rescored_search(index, vectors, ids, queries, k, rerank)
            return index.search(queries, k)

        for name, queries in tests.items():
            _, found = searcher(queries, 10)
            row[f"recall_at_10_{name}"] = round(recall_at(found, truths[name]), 4)
        faiss.omp_set_num_threads(threads)
        row.update(latency(index, tests["questions"], limit=100 if kind == "flat" else 300, searcher=searcher))
        row["kind"] = index_kind(index)
        out[kind] = row
        print(f"  {kind}: {json.dumps(row)}", flush=True)
        del index, searcher
        faiss.omp_set_num_threads(2)
        gc.collect()
    return out


def measure(vectors: np.ndarray, probes: np.ndarray, tests: dict[str, np.ndarray], kinds: list[str],
            threads: int = 1) -> dict:
    """Build each index kind over ``vectors``, tune it on ``probes``, judge it on ``tests``."""
    import faiss

    faiss.omp_set_num_threads(2)  # building and tuning may use both cores
    ids = np.arange(len(vectors), dtype=np.int64)
    truths = {name: exact_neighbours(vectors, ids, q, 10) for name, q in tests.items()}
    lat_queries = tests["questions"]
    out = {}
    for kind in kinds:
        t = time.perf_counter()
        index = make_index(kind, vectors.shape[1], vectors, ids)
        build_s = time.perf_counter() - t
        row: dict = {"build_s": round(build_s, 1)}
        if kind != "flat":
            old = tune(index, vectors, ids)  # chunk-like probes only: what builds did before
            _, found = index.search(tests["questions"], 10)
            row["chunk_probes_only"] = {k: old[k] for k in old if k in ("nprobe", "ef_search")}
            row["chunk_probes_only"]["recall_at_10_questions"] = round(recall_at(found, truths["questions"]), 4)
            t = time.perf_counter()
            params = tune(index, vectors, ids, questions=probes)
            row["tune_s"] = round(time.perf_counter() - t, 1)
            row["params"] = params
        for name, queries in tests.items():
            _, found = index.search(queries, 10)
            row[f"recall_at_10_{name}"] = round(recall_at(found, truths[name]), 4)
        faiss.omp_set_num_threads(threads)
        row.update(latency(index, lat_queries, limit=100 if kind == "flat" and len(vectors) > 300_000 else 300))
        out[kind] = row
        print(f"  {kind}: {json.dumps(row)}", flush=True)
        del index
        faiss.omp_set_num_threads(2)
        gc.collect()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="a data dir indexed by benchmarks/build.py")
    add_corpus(parser, "time")
    add_corpus(parser, "realtimeqa")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--hnsw-max", type=int, default=100_000, help="largest size to build HNSW at")
    parser.add_argument("--held-out", type=int, default=300, help="real chunk vectors kept out of the base as queries")
    parser.add_argument("--kinds", default="",
                        help="index types to build (default flat,ivf and hnsw up to --hnsw-max); naming any "
                             "measures from a vectors file under --work, as for millions of vectors")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-search"),
                        help="folder for the vectors files of --kinds runs (15 GB at 10M)")
    parser.add_argument("--in-memory-max", type=int, default=2_000_000,
                        help="largest size to build flat, ivf or hnsw at in a --kinds run (they hold the vectors)")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--threads", type=int, default=1,
                        help="FAISS threads per query (1: OpenMP spin-waits wreck latency on a busy 2-core box)")
    args = parser.parse_args()
    import faiss

    embedder = load_embedder()
    conn = sqlite3.connect(args.data / "archive.sqlite")
    blobs = [r[0] for r in conn.execute("SELECT vector FROM embeddings WHERE model = ? ORDER BY hash",
                                        (embedder.name,))]
    conn.close()
    real = np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), embedder.dim)
    rng = np.random.default_rng(42)
    order = rng.permutation(len(real))
    held, real = real[order[:args.held_out]], real[order[args.held_out:]]
    probes = probe_questions(embedder)
    questions = np.stack([embedder.encode_query(q) for q in test_questions(args.time, args.realtimeqa)])
    tests = {"questions": questions, "held_out_chunks": np.ascontiguousarray(held)}
    best = (questions @ real.T).max(axis=1)
    figures = {"real_vectors": len(real), "probe_questions": len(probes), "faiss_threads": args.threads,
               "test_queries": {k: len(v) for k, v in tests.items()},
               "questions_best_cosine_to_real": {"p10": round(float(np.percentile(best, 10)), 3),
                                                 "p50": round(float(np.median(best)), 3),
                                                 "p90": round(float(np.percentile(best, 90)), 3)}}
    print(json.dumps(figures), flush=True)
    for n in [int(s) for s in args.sizes.split(",")]:
        print(f"size {n}", flush=True)
        faiss.omp_set_num_threads(2)
        if args.kinds:
            args.work.mkdir(parents=True, exist_ok=True)
            t = time.perf_counter()
            vectors = grow_to_file(real, n, args.work / f"vectors-{n}.npy")
            print(f"  vectors file ready: {time.perf_counter() - t:.1f}s", flush=True)
            kinds = [k for k in args.kinds.split(",") if k in COMPRESSED or n <= args.in_memory_max]
            figures[str(n)] = measure_large(vectors, probes, tests, kinds, args.threads)
            del vectors
            gc.collect()
            continue
        vectors = grow(real, n)
        kinds = ["flat", "ivf"] + (["hnsw"] if n <= args.hnsw_max else [])
        figures[str(n)] = measure(vectors, probes, tests, kinds, args.threads)
        del vectors
        gc.collect()
    print(json.dumps(figures, indent=2))
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
