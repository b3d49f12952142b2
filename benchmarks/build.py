"""Build throughput on the full Reuters-21578 corpus: the default embedding path against the plain
sentence-transformers fp32 `encode` in the same run, a full build, a 1% incremental build, a
`--full` rebuild from the cache, and memory per chunk.

Goals (issue 3): default path >= 2x plain `encode` with mean cosine >= 0.99 to the fp32 vectors;
adding 1% new items costs <= 5% of a full build.

    nice .venv/bin/python benchmarks/build.py --reuters PATH/reuters21578 [--work DIR] [--items N]
        [--backend torch-bf16] [--sample 1024] [--out results.json]

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

from corpora import add_corpus
from dateline.index.build import build_index
from dateline.index.chunk import chunk_item
from dateline.index.embed import load_embedder
from dateline.index.ingest import parse_file
from dateline.index.store import Archive


def _rss_mb() -> float:
    """Return the peak resident memory of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_rss_mb() -> float:
    """Return the resident memory of this process now, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def encode_speed(embedder, texts: list[str], backends: tuple[str, ...], block: int = 128) -> dict:
    """Time the plain fp32 `encode` against each bulk path on the same texts, interleaved.

    The texts are cut into blocks and every method embeds every block, in an order that rotates
    from block to block, so a change in the machine's load hits all methods alike: on a shared
    two-core box, ratios from back-to-back runs drift by 30%. Vectors are compared with the
    plain fp32 ones.
    """
    model = embedder.model

    def plain(batch):  # sentence-transformers' defaults: what a user gets without dateline
        return model.encode(batch, normalize_embeddings=True, show_progress_bar=False)

    methods = {"plain_fp32_encode": plain}
    for backend in backends:
        methods[backend] = lambda batch, b=backend: embedder.encode(batch, backend=b)
    for method in methods.values():
        method(texts[:16])  # warm-up (and ONNX export / bf16 weight copy)
    seconds = dict.fromkeys(methods, 0.0)
    vectors: dict[str, list] = {name: [] for name in methods}
    names = list(methods)
    for i, b in enumerate(range(0, len(texts), block)):
        batch = texts[b:b + block]
        for name in names[i % len(names):] + names[:i % len(names)]:
            t = time.perf_counter()
            vectors[name].append(np.asarray(methods[name](batch), dtype=np.float32))
            seconds[name] += time.perf_counter() - t
    reference = np.concatenate(vectors["plain_fp32_encode"])
    out = {"texts": len(texts), "block": block}
    for name in names:
        cos = (np.concatenate(vectors[name]) * reference).sum(axis=1)
        out[name] = {"chunks_per_s": round(len(texts) / seconds[name], 1),
                     "speedup": round(seconds["plain_fp32_encode"] / seconds[name], 2),
                     "mean_cosine": round(float(cos.mean()), 6), "min_cosine": round(float(cos.min()), 6)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_corpus(parser, "reuters")
    parser.add_argument("--work", type=Path, help="keep the archive here (default: a temporary folder)")
    parser.add_argument("--sample", type=int, default=1024, help="chunks in the encode speed comparison")
    parser.add_argument("--items", type=int, help="build from this many (shuffled) items only: a slice")
    parser.add_argument("--backends", default="torch-bf16,onnx", help="bulk paths compared with plain encode")
    parser.add_argument("--backend", help="bulk path of the builds (default: the embed_backend setting)")
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
    if args.items:
        items = items[:args.items]
    n_hold = max(1, int(len(items) * args.holdout))
    held, kept = items[:n_hold], items[n_hold:]
    archive = Archive.open(data)
    archive.import_items("reuters", "reuters", kept, [])
    archive.close()

    embedder = load_embedder(backend=args.backend)
    figures["embedder"] = {"name": embedder.name, "default_backend": embedder.backend, "items": len(items)}
    # 1. Encode speed on real chunks, and on the longest ones (close to the model's 256 limit).
    chunks = [c.text for item in kept[:3000] for c in chunk_item(item)]
    rng = random.Random(1)
    backends = tuple(b for b in args.backends.split(",") if b)
    figures["encode_real_chunks"] = encode_speed(embedder, rng.sample(chunks, min(args.sample, len(chunks))), backends)
    longest = sorted(chunks, key=len)[-min(args.sample // 2, len(chunks)):]
    rng.shuffle(longest)
    figures["encode_longest_chunks"] = encode_speed(embedder, longest, backends)
    figures["encode_longest_chunks"]["mean_word_pieces"] = round(float(np.mean(
        [embedder.token_limit.count(t) for t in longest])), 1)
    print(json.dumps(figures, indent=2), flush=True)

    # 2. Full build from nothing (default path), 3. 1% incremental, 4. --full from the cache.
    rss0 = _current_rss_mb()
    full = build_index(data, embedder=embedder, progress=True)
    figures["full_build"] = {**full.to_dict(), "chunks_per_s": round(full.chunks / full.seconds, 1),
                             "embed_chunks_per_s": round(full.embedded / max(full.embed_seconds, 1e-9), 1),
                             "rss_before_mb": round(rss0, 1), "rss_after_mb": round(_current_rss_mb(), 1),
                             "peak_rss_mb": round(_rss_mb(), 1)}
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
        "archive_incl_full_text_and_cache": round(db.stat().st_size / cached.chunks),
        "vector": embedder.dim * 4,
    }
    print(json.dumps(figures, indent=2))
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"archive kept in {data}")


if __name__ == "__main__":
    main()
