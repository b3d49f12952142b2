"""Search latency and recall: exact (flat) against IVF and HNSW at 10k, 100k and 1M chunks.

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
"""
from __future__ import annotations

import argparse
import gc
import json
import re
import sqlite3
import time
from pathlib import Path

import numpy as np

from corpora import add_corpus
from dateline.index.embed import load_embedder
from dateline.index.faiss_index import exact_neighbours, make_index, probe_questions, recall_at, tune


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


def latency(index, queries: np.ndarray, k: int = 10, limit: int = 300) -> dict:
    """Return p50/p99 ms of single-query searches."""
    queries = queries[:limit]
    for q in queries[:10]:
        index.search(q[None], k)
    times = []
    for q in queries:
        t = time.perf_counter()
        index.search(q[None], k)
        times.append(time.perf_counter() - t)
    return {"p50_ms": round(float(np.percentile(times, 50)) * 1e3, 3),
            "p99_ms": round(float(np.percentile(times, 99)) * 1e3, 3)}


def grow(real: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    """Return ``n`` unit vectors: a sample of real ones when enough, else synthetic ones between
    real neighbours (see the module docstring)."""
    rng = np.random.default_rng(seed)
    if n <= len(real):
        return real[np.sort(rng.choice(len(real), n, replace=False))]
    import faiss

    flat = faiss.IndexFlatIP(real.shape[1])
    flat.add(real)
    _, nn = flat.search(real, 11)
    out = np.empty((n, real.shape[1]), dtype=np.float32)
    out[:len(real)] = real
    for b in range(len(real), n, 100_000):
        m = min(100_000, n - b)
        src = rng.integers(0, len(real), m)
        dst = nn[src, rng.integers(1, 11, m)]
        a = rng.random((m, 1), dtype=np.float32)
        block = a * real[src] + (1 - a) * real[dst]
        block += rng.standard_normal(block.shape, dtype=np.float32) * (0.1 / np.sqrt(real.shape[1]))
        out[b:b + m] = block / np.linalg.norm(block, axis=1, keepdims=True)
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
