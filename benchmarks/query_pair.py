"""Two versions of dateline answering the same questions in turn: `ask` latency, paired.

The machine's speed drifts by more than a change's effect between two runs of
benchmarks/query.py, so the two versions run as two processes on one archive and answer each
question one after the other (which goes first alternates); the drift then falls on both. The
questions and filters are query.py's (TIME queries and RealTime QA questions; a quarter
date-filtered, a tenth place-filtered), each asked once per process, so the items' text is new
to both. ``--old`` is another checkout of the repository (e.g. ``git worktree add /tmp/old
7fac3d1``); the new version is this checkout.

    .venv/bin/python benchmarks/query_pair.py --data /tmp/dateline-query-bench/1000000 --old /tmp/old \\
        --time PATH/time-collection --realtimeqa PATH/realtimeqa [--queries 300]

It prints p50 / p90 / p99 of each and the median over questions of new / old time, for all
questions and for the unfiltered and filtered ones apart.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

WARM_UP = 10  # questions each process answers before timing: model, index pages, SQLite cache


def serve(data: str, checkout: str | None) -> None:
    """Worker: answer {"q", "kw"} lines from stdin with `Engine.ask`, one time in ms per line."""
    if checkout:
        # Import that checkout as `dateline` instead of the editable install.
        sys.meta_path = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
        shim = tempfile.mkdtemp(prefix="dateline-old-")
        os.symlink(Path(checkout).resolve(), Path(shim) / "dateline")
        sys.path.insert(0, shim)
    import logging
    logging.disable(logging.CRITICAL)
    from dateline.qa.engine import Engine
    engine = Engine(data)
    facts = engine.facts()
    print(json.dumps({"newest": facts.dates[-1] if facts.dates else None, "places": list(facts.places[:50])}),
          flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        t = time.perf_counter()
        engine.ask(request["q"], **request["kw"])
        print(json.dumps((time.perf_counter() - t) * 1000), flush=True)


class Worker:
    """One version's process."""

    def __init__(self, data: Path, checkout: str | None):
        cmd = [sys.executable, __file__, "--worker", "--data", str(data)] + (["--old", checkout] if checkout else [])
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.facts = json.loads(self.proc.stdout.readline())

    def ask(self, question: str, kw: dict) -> float:
        self.proc.stdin.write(json.dumps({"q": question, "kw": kw}) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


def filters_for(i: int, newest: str | None, places: list[str]) -> dict:
    """query.py's filters for the i-th question."""
    if i % 4 == 1 and newest:
        return {"date_from": f"{newest[:4]}-01-01", "date_to": newest}
    if i % 10 == 3 and places:
        return {"place": places[i % len(places)]}
    return {}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, required=True, help="an indexed data directory (e.g. grown by query.py --keep)")
    p.add_argument("--old", help="the other checkout to compare with")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--queries", type=int, default=300)
    p.add_argument("--time", type=Path, help="the TIME collection's directory")
    p.add_argument("--realtimeqa", type=Path, help="the RealTime QA directory")
    args = p.parse_args()
    if args.worker:
        serve(str(args.data), args.old)
        return
    if not (args.old and args.time and args.realtimeqa):
        p.error("--old, --time and --realtimeqa are needed")
    sys.path.insert(0, str(Path(__file__).parent))
    from query import real_questions
    # Warmed up on questions that are not timed: a timed question's items are new to both.
    questions = real_questions(args.time, args.realtimeqa, args.queries + WARM_UP)
    questions, warm_up = questions[:args.queries], questions[args.queries:]
    workers = {"old": Worker(args.data, args.old), "new": Worker(args.data, None)}
    newest, places = workers["new"].facts["newest"], workers["new"].facts["places"]
    for q in warm_up:
        for w in workers.values():
            w.ask(q, {})
    ms: dict[str, list[float]] = {name: [] for name in workers}
    filtered = []
    for i, q in enumerate(questions):
        kw = filters_for(i, newest, places)
        filtered.append(bool(kw))
        for name in (["old", "new"] if i % 2 == 0 else ["new", "old"]):
            ms[name].append(workers[name].ask(q, kw))
    for w in workers.values():
        w.close()
    for name, times in ms.items():
        print(f"{name}: p50 {np.percentile(times, 50):.1f}  p90 {np.percentile(times, 90):.1f}  "
              f"p99 {np.percentile(times, 99):.1f} ms")
    ratio = np.array(ms["new"]) / np.array(ms["old"])
    apart = np.array(filtered)
    print(f"new / old, median over questions: {np.median(ratio):.3f} (unfiltered {np.median(ratio[~apart]):.3f}, "
          f"filtered {np.median(ratio[apart]):.3f})")


if __name__ == "__main__":
    main()
