"""Embedding on Ray against embedding in process, in the same run on the same Reuters slice, and
the driver's commit rate of vectors into the embedding cache (the ceiling for many workers).

Goal (issue 15): `--ray local` with 2 workers keeps >= 0.9x of the in-process throughput on
this machine: the overhead a user pays on one node.

    nice .venv/bin/python benchmarks/ray_embed.py --reuters PATH/reuters21578 [--items 500]
        [--workers 2] [--batch 64] [--backend torch] [--out results.json]

With ``--answers``, both copies are then indexed (flat) and asked the bundled probe questions
(index/probe_questions.txt): the share of questions whose citations are the same items, in the
same order, says whether an archive embedded on Ray answers as one embedded in process.

Both paths run ``embed_missing`` as `dateline index` does, commits included, on copies of one
chunked archive. In process, the model is loaded before the clock starts; on Ray, the local
instance is started before it, and the actors' start and model loads are inside it (a user
pays them on every build), so the figures are given with and without the time to the first
stored batch.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import logging
import random
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

import numpy as np

from corpora import add_corpus
from dateline.index.build import chunk_archive, embed_missing, store_vectors
from dateline.index.chunk import bundled_limit
from dateline.index.embed import load_embedder
from dateline.index.ingest import parse_file
from dateline.index.ray_embed import RayOptions
from dateline.index.store import Archive


def _chunked_archive(reuters: Path, items: int, data: Path) -> int:
    """Import ``items`` shuffled Reuters stories into ``data`` and chunk them; return the chunk texts."""
    stories = []
    for path in sorted(reuters.glob("reut2-*.sgm")):
        stories += parse_file(path)[1].items
    random.Random(0).shuffle(stories)
    archive = Archive.open(data)
    try:
        archive.import_items("reuters", "reuters", stories[:items], [])
        chunk_archive(archive, limit=bundled_limit())
        return archive.conn.execute("SELECT count(DISTINCT hash) FROM chunks").fetchone()[0]
    finally:
        archive.close()


def _embed(data: Path, embedder, ray: RayOptions | None, batch: int) -> dict:
    """Embed ``data``'s chunks in process or on Ray; return the rates, with and without the time
    to the first stored batch."""
    stored: list[tuple[float, int]] = []
    archive = Archive.open(data)
    try:
        wall = time.perf_counter()
        count, seconds = embed_missing(archive, embedder, ray=ray, batch_size=batch,
                                       on_progress=lambda done, total: stored.append((time.perf_counter(), done)))
        wall = time.perf_counter() - wall
    finally:
        archive.close()
    out = {"chunks": count, "seconds": round(seconds, 1), "chunks_per_s": round(count / seconds, 2),
           "wall_seconds_with_setup": round(wall, 1)}
    if len(stored) > 2:  # after the first stored batch: the actors are up and their models loaded
        (t0, n0), (t1, n1) = stored[0], stored[-1]
        out["after_first_batch_chunks_per_s"] = round((n1 - n0) / (t1 - t0), 2)
        out["first_batch_after_s"] = round(t0 - (stored[-1][0] - seconds), 1)
    return out


def _vectors(data: Path) -> dict[str, np.ndarray]:
    conn = sqlite3.connect(data / "archive.sqlite")
    try:
        return {h: np.frombuffer(v, dtype=np.float32) for h, v in conn.execute("SELECT hash, vector FROM embeddings")}
    finally:
        conn.close()


def same_answers(first: Path, second: Path) -> dict:
    """Index both archives (flat) and ask each the probe questions; return how many agree."""
    from dateline.index.build import build_index
    from dateline.index.faiss_index import probe_question_texts
    from dateline.qa.engine import Engine

    for data in (first, second):
        build_index(data, index_type="flat")
    engines = Engine(first), Engine(second)
    questions = probe_question_texts()
    differ = []
    for question in questions:
        cited = [[c.item_id for c in engine.ask(question).citations] for engine in engines]
        if cited[0] != cited[1]:
            differ.append(question)
    return {"questions": len(questions), "same_citations": len(questions) - len(differ), "differ": differ[:5]}


def commit_rate(data: Path, dim: int, rows: int, batch: int) -> float:
    """Commit ``rows`` precomputed vectors into ``data``'s cache, ``batch`` per transaction, as the
    driver does; return chunks/s."""
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((rows, dim)).astype(np.float32)
    hashes = [hashlib.sha256(f"{batch}-{i}".encode()).hexdigest() for i in range(rows)]
    archive = Archive.open(data)
    try:
        started = time.perf_counter()
        for i in range(0, rows, batch):
            store_vectors(archive, f"commit-benchmark-{batch}", hashes[i:i + batch], vectors[i:i + batch])
        return round(rows / (time.perf_counter() - started), 1)
    finally:
        archive.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_corpus(parser, "reuters")
    parser.add_argument("--items", type=int, default=500, help="shuffled Reuters stories in the slice")
    parser.add_argument("--workers", type=int, default=2, help="Ray embedding actors")
    parser.add_argument("--batch", type=int, default=64, help="chunks per batch, both paths")
    parser.add_argument("--backend", default="torch", help="bulk path of both (auto lets each Ray worker choose)")
    parser.add_argument("--commit-rows", type=int, default=20000, help="vectors committed in the commit-rate test")
    parser.add_argument("--answers", action="store_true", help="also index both copies and compare answers")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    work = Path(tempfile.mkdtemp(prefix="dateline-ray-bench-"))
    try:
        figures: dict = {"items": args.items, "chunks": _chunked_archive(args.reuters, args.items, work / "base")}
        for name in ("in_process", "ray"):
            shutil.copytree(work / "base", work / name)
        embedder = load_embedder(backend=args.backend)
        figures["backend"] = args.backend
        # Same batch size on both paths: only where the batches run differs.
        figures["in_process"] = _embed(work / "in_process", embedder, None, args.batch)
        ray = RayOptions(address="local", workers=args.workers, batch=args.batch, backend=args.backend)
        figures["ray"] = _embed(work / "ray", embedder, ray, args.batch)
        figures["ray"]["workers"] = args.workers
        figures["ray_over_in_process"] = round(figures["ray"]["chunks_per_s"] / figures["in_process"]["chunks_per_s"], 3)
        if "after_first_batch_chunks_per_s" in figures["ray"]:
            figures["ray_after_first_batch_over_in_process"] = round(
                figures["ray"]["after_first_batch_chunks_per_s"] / figures["in_process"]["chunks_per_s"], 3)
        a, b = _vectors(work / "in_process"), _vectors(work / "ray")
        cosines = [float(a[h] @ b[h]) for h in a if h in b]
        figures["vectors"] = {"same_keys": a.keys() == b.keys(), "min_cosine": round(min(cosines), 6)}
        if args.answers:
            figures["answers"] = same_answers(work / "in_process", work / "ray")
        figures["driver_commit_chunks_per_s"] = {
            f"batch_{n}": commit_rate(work / "base", embedder.dim, args.commit_rows, n) for n in (args.batch, 1024)}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = json.dumps(figures, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
