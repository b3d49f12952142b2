"""What a newsroom's hourly update costs: one `dateline watch` cycle that imports and indexes 1%
more items on top of an archive of Reuters-21578 articles.

    .venv/bin/python benchmarks/hourly_update.py --reuters PATH/reuters21578 [--base 5000] [--percent 1]

The first ``--base`` articles (in file order) go into a watched folder as one JSONL export and a
first cycle imports and indexes them (the base build, timed apart). Then the next ``--percent``
of that many articles are dropped into the folder as a second file and one cycle is timed:
finding the file, importing it, and the incremental build (chunk, embed, patch and publish the
index), with the model already loaded, as in a running `dateline watch`. A last cycle with
nothing new gives the cost of an idle hour. The real bundled model; CPU only.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import tempfile
import time
from pathlib import Path

from corpora import add_corpus
from dateline.index.embed import load_embedder
from dateline.index.ingest import parse_file
from dateline.index.watch import Watcher

SETTLED_S = 60  # the files are written as finished a minute ago, so the cycle takes them at once


def articles(reuters: Path, count: int) -> list[dict]:
    """The first ``count`` Reuters articles with a body, as interchange records."""
    records = []
    for path in sorted(reuters.glob("reut2-*.sgm")):
        _, parsed = parse_file(path)
        records += [item.to_record() for item in parsed.items if item.body.strip()]
        if len(records) >= count:
            break
    if len(records) < count:
        raise SystemExit(f"{reuters} holds only {len(records)} articles with a body; ask for fewer")
    return records[:count]


def drop(folder: Path, name: str, records: list[dict]) -> None:
    """Write ``records`` as a JSONL file in the watched folder."""
    path = folder / name
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    settled = time.time() - SETTLED_S
    os.utime(path, (settled, settled))


def timed_cycle(watcher: Watcher, what: str) -> None:
    """Run one cycle and print its time, split into import and index."""
    report = watcher.cycle()
    if report.error:
        raise SystemExit(f"{what}: the cycle failed: {report.error}")
    index = report.index or {}
    build_s = index.get("seconds", 0.0)
    totals = report.summary.totals
    print(f"{what}: {report.seconds:.2f} s  (import + scan {report.seconds - build_s:.2f} s: {totals['added']} added; "
          f"index {build_s:.2f} s: {index.get('items_chunked', 0)} items chunked, {index.get('embedded', 0)} chunks "
          f"embedded in {index.get('embed_seconds', 0.0):.2f} s, {index.get('chunks', '-')} chunks in the index)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_corpus(parser, "reuters")
    parser.add_argument("--base", type=int, default=5000, help="articles in the archive before the update")
    parser.add_argument("--percent", type=float, default=1.0, help="the update, in percent of --base")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    extra = max(1, round(args.base * args.percent / 100))
    records = articles(args.reuters, args.base + extra)
    embedder = load_embedder()  # loaded once, as a running watch has it
    print(f"base {args.base} articles, update {extra} articles ({args.percent:g}%); model {embedder.name} "
          f"({embedder.backend}), {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        folder, data = Path(tmp) / "incoming", Path(tmp) / "data"
        folder.mkdir()
        watcher = Watcher(data, folders=[folder], embedder=embedder)
        drop(folder, "base.jsonl", records[:args.base])
        timed_cycle(watcher, "base build")
        drop(folder, "update.jsonl", records[args.base:])
        timed_cycle(watcher, "hourly update")
        timed_cycle(watcher, "idle cycle")


if __name__ == "__main__":
    main()
