"""Query latency: p50 and p99 of a warm in-process `Engine.ask` (retrieval plus answer) at scale.

An indexed base archive (e.g. the full Reuters corpus built by benchmarks/build.py) is copied
until it holds the wanted number of chunks: each copy's items get new ids and dates moved on by
whole weeks, its chunks keep their text (so full-text posting lists grow like a real archive's),
and its vectors are the base vectors plus small noise (cosine about 0.95 to the original), so
the FAISS index sees distinct points with the real topical structure. The index is built the
way `dateline index` builds it (`choose_index_type`, `make_index`, `tune`) and published.

Questions are real ones (TIME queries and RealTime QA questions); a quarter carry a date filter
and a tenth a place filter, as chat users send them. Timings include query encoding.

    nice .venv/bin/python benchmarks/query.py --base /tmp/bench/data --work /tmp/qbench \\
        --time PATH/time-collection --realtimeqa PATH/realtimeqa \\
        --sizes 100000,1000000 [--queries 300] [--out results.json] [--keep] [--reuse]

Goals (issue 4): p50 <= 25 ms at 100k chunks, <= 40 ms at 1M; p99 <= 100 ms.
"""
from __future__ import annotations

import argparse
import json
import logging
import shutil
import sqlite3
import time
from pathlib import Path

import numpy as np


from corpora import add_corpus  # noqa: E402
from dateline.index.embed import load_embedder  # noqa: E402
from dateline.index.facets import Facets  # noqa: E402
from dateline.index.store import Archive  # noqa: E402
from dateline.index.faiss_index import choose_index_type, make_index, probe_questions, tune  # noqa: E402
from dateline.index.generations import current_generation, load_generation, publish, write_generation  # noqa: E402
from dateline.qa.engine import Engine  # noqa: E402
from dateline.qa.query import Filters  # noqa: E402

log = logging.getLogger("benchmarks.query")


def real_questions(time_dir: Path, realtimeqa_dir: Path, limit: int) -> list[str]:
    """TIME queries and RealTime QA questions, interleaved."""
    import re
    text = (time_dir / "TIME.QUE").read_text(encoding="latin-1")
    time_q = [" ".join(q.replace("*STOP", "").split()).lower() for q in re.split(r"\*FIND\s+\d+", text) if q.strip()]
    rt_q = []
    for path in sorted((realtimeqa_dir / "qa").glob("*.jsonl")):
        rt_q += [json.loads(line)["question_sentence"] for line in path.read_text("utf-8").splitlines() if line.strip()]
    out = [q for pair in zip(rt_q, time_q + rt_q[len(time_q):]) for q in pair if q]
    return out[:limit]


def grow(base: Path, target: Path, n_chunks: int, noise: float = 0.3) -> dict:
    """Copy ``base`` into ``target`` until it holds about ``n_chunks`` chunks; build and publish its index."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    t0 = time.perf_counter()
    embedder = load_embedder()
    src = sqlite3.connect(base / Archive.FILENAME)
    base_chunks = src.execute("SELECT count(*) FROM chunks").fetchone()[0]
    copies = max(1, -(-n_chunks // base_chunks))
    src.close()
    archive = Archive.open(target)
    c = archive.conn
    c.execute("ATTACH DATABASE ? AS base", (str(base / Archive.FILENAME),))
    item_cols = [r[1] for r in c.execute("PRAGMA base.table_info(items)")]
    chunk_cols = ["item_id", "seq", "start", "end", "text", "n_tokens", "hash"]
    c.execute("BEGIN")
    for r in range(copies):
        sel = ", ".join(
            f"'c{r}-' || id" if col == "id" else
            f"CASE WHEN date IS NULL THEN NULL ELSE date(date, '+{7 * r} days') END" if col == "date" else
            "NULL" if col == "import_id" else col for col in item_cols)
        c.execute(f"INSERT INTO items({', '.join(item_cols)}) SELECT {sel} FROM base.items")
        # Stop at the wanted count: the last copy may be partial.
        left = n_chunks - r * base_chunks
        c.execute(f"INSERT INTO chunks({', '.join(chunk_cols)}) SELECT 'c{r}-' || item_id, seq, start, end, text,"
                  f" n_tokens, hash FROM base.chunks ORDER BY id LIMIT ?", (left,))
        if left < base_chunks:  # items of the partial copy that got no chunks are not indexed items
            c.execute("DELETE FROM items WHERE id LIKE ? AND id NOT IN (SELECT item_id FROM chunks WHERE item_id LIKE ?)",
                      (f"c{r}-%", f"c{r}-%"))
    c.execute("INSERT OR IGNORE INTO embeddings SELECT * FROM base.embeddings WHERE model = ?", (embedder.name,))
    c.execute("COMMIT")
    c.execute("DETACH DATABASE base")
    fill_s = time.perf_counter() - t0

    rows = c.execute("SELECT c.id, e.vector FROM chunks c JOIN embeddings e ON e.hash = c.hash AND e.model = ?"
                     " ORDER BY c.id", (embedder.name,)).fetchall()
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    vectors = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), -1).copy()
    del rows
    rng = np.random.default_rng(0)
    step = 100_000
    for i in range(base_chunks, len(vectors), step):  # the first copy keeps the real vectors
        block = vectors[i:i + step]
        jitter = rng.standard_normal(block.shape).astype(np.float32)
        jitter *= noise / np.linalg.norm(jitter, axis=1, keepdims=True)
        block += jitter
        block /= np.linalg.norm(block, axis=1, keepdims=True)
    kind = choose_index_type(len(ids))
    t1 = time.perf_counter()
    index = make_index(kind, embedder.dim, vectors, ids)
    # Tuned on the bundled question probes, as `dateline index` tunes it (index/build.py).
    search = {"recall_at_10": 1.0} if kind == "flat" else \
        tune(index, vectors, ids, questions=probe_questions(embedder))
    live_base = load_generation(base, current_generation(base), verify=False)
    manifest = dict(live_base.manifest, search=search, counts={"chunks": len(ids)},
                    trained_on=len(ids) if kind == "ivf" else 0)
    for key in ("generation", "checksums", "created_at", "format"):
        manifest.pop(key, None)
    publish(target, write_generation(target, index, ids, manifest, facets=Facets.read(c, ids)))
    archive.close()
    return {"chunks": int(len(ids)), "copies": copies, "index_type": kind, "search": search,
            "fill_s": round(fill_s, 1), "index_s": round(time.perf_counter() - t1, 1)}


def percentiles(ms: list[float]) -> dict:
    a = np.asarray(ms)
    return {"p50_ms": round(float(np.percentile(a, 50)), 2), "p90_ms": round(float(np.percentile(a, 90)), 2),
            "p99_ms": round(float(np.percentile(a, 99)), 2), "mean_ms": round(float(a.mean()), 2), "n": len(ms)}


def measure(data: Path, questions: list[str]) -> dict:
    """Time warm `ask` calls, plus encoding, dense and full-text search alone, on ``data``."""
    engine = Engine(data)
    facts = engine.facts()
    newest = facts.dates[-1] if facts.dates else None
    for q in questions[:10]:  # warm-up: model, index pages, SQLite cache
        engine.ask(q)
    places = [p for p in facts.places[:50]]
    asks, encode, dense, fts = [], [], [], []
    retriever = engine.retriever()
    from dateline.qa.words import terms
    for i, q in enumerate(questions):
        kwargs = {}
        if i % 4 == 1 and newest:
            kwargs = {"date_from": f"{newest[:4]}-01-01", "date_to": newest}
        elif i % 10 == 3 and places:
            kwargs = {"place": places[i % len(places)]}
        t = time.perf_counter()
        engine.ask(q, **kwargs)
        asks.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        qvec = engine.embedder.encode_query(q)
        encode.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        retriever.dense(qvec, Filters(), retriever.depth)
        dense.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        retriever.fts(terms(q), Filters(), retriever.depth)
        fts.append((time.perf_counter() - t) * 1000)
    return {"ask": percentiles(asks), "encode_query": percentiles(encode), "dense_search": percentiles(dense),
            "full_text_search": percentiles(fts), "embed_backend": getattr(engine.embedder, "backend", None)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--base", type=Path, required=True, help="an indexed data directory to copy from")
    p.add_argument("--work", type=Path, default=Path("/tmp/dateline-query-bench"))
    add_corpus(p, "time")
    add_corpus(p, "realtimeqa")
    p.add_argument("--sizes", default="100000,1000000", help="chunk counts, comma-separated")
    p.add_argument("--queries", type=int, default=300)
    p.add_argument("--keep", action="store_true", help="keep the grown archives")
    p.add_argument("--reuse", action="store_true",
                   help="measure archives kept by an earlier --keep run instead of growing them again "
                        "(a second pass runs with SQLite's pages in the page cache)")
    p.add_argument("--out", type=Path)
    args = p.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    questions = real_questions(args.time, args.realtimeqa, args.queries)
    results = {"questions": len(questions), "sizes": {}}
    for size in [int(s) for s in args.sizes.split(",")]:
        target = args.work / str(size)
        if args.reuse and current_generation(target) is not None:
            built = {"reused": str(target)}
        else:
            built = grow(args.base, target, size)
        log.info("grown %s", built)
        results["sizes"][str(size)] = {"build": built, **measure(target, questions)}
        log.info("%d chunks: %s", size, json.dumps(results["sizes"][str(size)]))
        if not args.keep:
            shutil.rmtree(target, ignore_errors=True)
    text = json.dumps(results, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
