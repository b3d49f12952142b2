"""Build throughput on the full Reuters-21578 corpus: the default embedding path against the plain
sentence-transformers fp32 `encode` in the same run, a full build, a 1% incremental build, a
`--full` rebuild from the cache, and memory per chunk.

Goals (issue 3): default path >= 2x plain `encode` with mean cosine >= 0.99 to the fp32 vectors;
adding 1% new items costs <= 5% of a full build.

    nice .venv/bin/python benchmarks/build.py [--work DIR] [--sample 768] [--out results.json]

The work directory keeps the indexed archive for benchmarks/search.py (--data DIR/data).
"""
from __future__ import annotations

import argparse
import json
import logging
import random
import resource
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from index.build import build_index
from index.chunk import chunk_item
from index.embed import load_embedder
from index.ingest import parse_file
from index.store import Archive

REUTERS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "reuters21578"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def encode_speed(embedder, texts: list[str]) -> dict:
    """Time the plain fp32 `encode` against each fast path on the same texts; compare vectors."""
    model = embedder.model
    model.encode(texts[:32], show_progress_bar=False)  # warm-up
    t = time.perf_counter()
    reference = model.encode(texts, normalize_embeddings=True, show_progress_bar=False)  # plain ST defaults
    plain_s = time.perf_counter() - t
    out = {"texts": len(texts), "plain_fp32_encode": {"chunks_per_s": round(len(texts) / plain_s, 1)}}
    for backend in ("torch-bf16", "onnx"):
        embedder.encode(texts[:32], backend=backend)
        t = time.perf_counter()
        vectors = embedder.encode(texts, backend=backend)
        seconds = time.perf_counter() - t
        cos = (vectors * reference).sum(axis=1)
        out[backend] = {"chunks_per_s": round(len(texts) / seconds, 1),
                        "speedup": round(plain_s / seconds, 2),
                        "mean_cosine": round(float(cos.mean()), 6), "min_cosine": round(float(cos.min()), 6)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuters", type=Path, default=REUTERS)
    parser.add_argument("--work", type=Path, help="keep the archive here (default: a temporary folder)")
    parser.add_argument("--sample", type=int, default=768, help="chunks in the encode speed comparison")
    parser.add_argument("--holdout", type=float, default=0.01, help="share of items imported after the full build")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    work = args.work or Path(tempfile.mkdtemp(prefix="dateline-bench-"))
    data = work / "data"
    shutil.rmtree(data, ignore_errors=True)
    figures: dict = {}

    items = []
    for path in sorted(args.reuters.glob("reut2-*.sgm")):
        items += parse_file(path)[1].items
    random.Random(0).shuffle(items)
    n_hold = max(1, int(len(items) * args.holdout))
    held, kept = items[:n_hold], items[n_hold:]
    archive = Archive.open(data)
    archive.import_items("reuters", "reuters", kept, [])
    archive.close()

    embedder = load_embedder()
    figures["embedder"] = {"name": embedder.name, "default_backend": embedder.backend}
    # 1. Encode speed on real chunks, and on the longest ones (close to the model's 256 limit).
    chunks = [c.text for item in kept[:3000] for c in chunk_item(item)]
    rng = random.Random(1)
    figures["encode_real_chunks"] = encode_speed(embedder, rng.sample(chunks, min(args.sample, len(chunks))))
    longest = sorted(chunks, key=len)[-min(args.sample // 2, len(chunks)):]
    figures["encode_longest_chunks"] = encode_speed(embedder, longest)
    figures["encode_longest_chunks"]["mean_word_pieces"] = round(float(np.mean(
        [embedder.token_limit.count(t) for t in longest])), 1)
    print(json.dumps(figures, indent=2), flush=True)

    # 2. Full build from nothing (default path), 3. 1% incremental, 4. --full from the cache.
    rss0 = _rss_mb()
    full = build_index(data, embedder=embedder, progress=True)
    figures["full_build"] = {**full.to_dict(), "chunks_per_s": round(full.chunks / full.seconds, 1),
                             "embed_chunks_per_s": round(full.embedded / max(full.embed_seconds, 1e-9), 1),
                             "peak_rss_growth_mb": round(_rss_mb() - rss0, 1)}
    archive = Archive.open(data)
    archive.import_items("holdout", "reuters", held, [])
    archive.close()
    inc = build_index(data, embedder=embedder)
    figures["incremental_1pct"] = {**inc.to_dict(), "items_added": len(held),
                                   "share_of_full_build": round(inc.seconds / full.seconds, 4)}
    cached = build_index(data, embedder=embedder, full=True)
    figures["full_from_cache"] = cached.to_dict()
    gen = data / "index" / cached.generation
    db = data / "archive.sqlite"
    figures["memory_per_chunk_bytes"] = {
        "index_file": round((gen / "vectors.faiss").stat().st_size / cached.chunks),
        "archive_incl_chunks_fts_and_cache": round(db.stat().st_size / cached.chunks),
        "vector": embedder.dim * 4,
    }
    print(json.dumps(figures, indent=2))
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"archive kept in {data}")


if __name__ == "__main__":
    main()
