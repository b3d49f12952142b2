"""Search latency and recall: exact (flat) against IVF and HNSW at 10k, 100k and 1M chunks.

Base vectors are the real Reuters chunk embeddings cached by benchmarks/build.py (sampled for
10k; for larger sizes, real vectors plus small noise, which keeps their topical structure).
Queries are real questions (TIME collection queries and RealTimeQA questions) encoded with
`encode_query`; recall@10 is measured against exact search on the same vectors. Latency is one
query per call, as a server sees it.

    nice .venv/bin/python benchmarks/search.py --data /tmp/bench/data [--sizes 10000,100000,1000000]
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

from index.embed import load_embedder
from index.vectors import exact_neighbours, make_index, recall_at, tune, tuning_queries

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def real_questions(limit: int) -> list[str]:
    """Questions from the TIME collection and RealTimeQA."""
    text = (SHARED / "time-collection" / "TIME.QUE").read_text(encoding="latin-1")
    questions = [" ".join(q.split()).lower() for q in re.split(r"\*FIND\s+\d+", text) if q.strip()]
    for path in sorted((SHARED / "realtimeqa" / "qa").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                questions.append(json.loads(line)["question_sentence"])
    return [q.replace("*stop", "").strip() for q in questions if q.strip()][:limit]


def latency(index, queries: np.ndarray, k: int = 10) -> dict:
    """Return p50/p99 ms of single-query searches."""
    for q in queries[:20]:
        index.search(q[None], k)
    times = []
    for q in queries:
        t = time.perf_counter()
        index.search(q[None], k)
        times.append(time.perf_counter() - t)
    return {"p50_ms": round(float(np.percentile(times, 50)) * 1e3, 3),
            "p99_ms": round(float(np.percentile(times, 99)) * 1e3, 3)}


def grow(real: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    """Return ``n`` unit vectors: real ones when enough, else real ones moved by small noise."""
    rng = np.random.default_rng(seed)
    if n <= len(real):
        return real[rng.choice(len(real), n, replace=False)]
    out = np.empty((n, real.shape[1]), dtype=np.float32)
    for b in range(0, n, 100_000):
        m = min(100_000, n - b)
        block = real[rng.integers(0, len(real), m)] + rng.standard_normal((m, real.shape[1]), dtype=np.float32) * (0.3 / np.sqrt(real.shape[1]))
        out[b:b + m] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def measure(vectors: np.ndarray, questions: np.ndarray, kinds: list[str]) -> dict:
    ids = np.arange(len(vectors), dtype=np.int64)
    truth_q = exact_neighbours(vectors, ids, questions, 10)
    synthetic_q = tuning_queries(vectors, 200, seed=7)
    truth_s = exact_neighbours(vectors, ids, synthetic_q, 10)
    out = {}
    for kind in kinds:
        t = time.perf_counter()
        index = make_index(kind, vectors.shape[1], vectors, ids)
        build_s = time.perf_counter() - t
        params = tune(index, vectors, ids)
        _, found_q = index.search(questions, 10)
        _, found_s = index.search(synthetic_q, 10)
        out[kind] = {"build_s": round(build_s, 1), "params": params,
                     "recall_at_10_questions": round(recall_at(found_q, truth_q), 4),
                     "recall_at_10_held_out_queries": round(recall_at(found_s, truth_s), 4),
                     **latency(index, questions)}
        print(f"  {kind}: {out[kind]}", flush=True)
        del index
        gc.collect()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="a data dir indexed by benchmarks/build.py")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--hnsw-max", type=int, default=100_000, help="largest size to build HNSW at")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--threads", type=int, default=1,
                        help="FAISS threads per query (1: OpenMP spin-waits wreck latency on a busy 2-core box)")
    args = parser.parse_args()
    import faiss

    faiss.omp_set_num_threads(args.threads)
    embedder = load_embedder()
    conn = sqlite3.connect(args.data / "archive.sqlite")
    blobs = [r[0] for r in conn.execute("SELECT vector FROM embeddings WHERE model = ?", (embedder.name,))]
    conn.close()
    real = np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), embedder.dim)
    questions = np.stack([embedder.encode_query(q) for q in real_questions(300)])
    figures = {"real_vectors": len(real), "questions": len(questions), "faiss_threads": args.threads}
    print(f"real Reuters vectors: {len(real)}; questions: {len(questions)}", flush=True)
    print(f"size {len(real)} (all real vectors)", flush=True)
    figures[f"real_{len(real)}"] = measure(real, questions, ["flat", "ivf", "hnsw"])
    for n in [int(s) for s in args.sizes.split(",")]:
        print(f"size {n}", flush=True)
        vectors = grow(real, n)
        kinds = ["flat", "ivf"] + (["hnsw"] if n <= args.hnsw_max else [])
        figures[str(n)] = measure(vectors, questions, kinds)
        del vectors
        gc.collect()
    print(json.dumps(figures, indent=2))
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
