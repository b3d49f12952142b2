"""Outside anchors for `dateline eval time`: plain BM25 (bm25s) and txtai over the same TIME set.

Both read TIME through `qa.evaluate.read_time`, so their judgments are the ones dateline is
measured against, and each is also scored with the naive reading of TIME.REL (positions in this
423-record copy, which the issue's first anchors used), to show what the correction moves.

bm25s scores whole documents with English stop words; txtai indexes whole documents with the
bundled MiniLM (its default truncation at 256 word pieces), dense and hybrid (its own BM25
fused with the vectors). Neither is a dependency of dateline: run this from a scratch
environment that has them and can import the project, e.g.

    python3 -m venv /tmp/anchors && /tmp/anchors/bin/pip install torch==2.13.0
    /tmp/anchors/bin/pip install -e . bm25s txtai
    /tmp/anchors/bin/python benchmarks/time_anchors.py --time PATH/time-collection

(torch first, pinned, so that pip takes the CPU build.) Measured 2026-11-29: bm25s 0.709 (naive
0.648), txtai dense 0.690 (0.622), hybrid 0.760 (0.682) nDCG@10, against dateline's hybrid
0.768 (0.708).

With --archive (the TIME archive that `dateline eval time PATH --work W` builds in W/time), it
also times dateline's `Engine.ask(q, top_k=10)` against txtai's hybrid and dense search (10
results) in one process: after one untimed pass of each, all 83 TIME queries are asked
--rounds times, the methods interleaved question by question in rotating order, so that load
on the machine falls on all of them alike; then one pass of `ask` runs under cProfile. The
ratios of the same run are the figures to compare, not the milliseconds. The p99 of 5 rounds is
each method's 4th-slowest call of 415, which one stall of the machine moves; 15 rounds (the
default, under two minutes) put a dozen calls above it:

    /tmp/anchors/bin/python benchmarks/time_anchors.py --time PATH/time-collection \\
        --archive W/time [--rounds 15] [--profile-lines 30] [--txtai-dir /tmp/txtai-time] \\
        [--torch-threads 1]

torch's default (a thread per core) gives txtai tails of hundreds of milliseconds on a busy
machine; --torch-threads 1 encodes its questions on one thread, as dateline does.

Repeated questions find their words' chunk counts in the engine's cache, so a second engine
whose cache is emptied before each question (words never asked before) is timed beside it.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import math
import os
import pstats
import re
import subprocess
import time
from pathlib import Path

import numpy as np

import dateline.qa.evaluate as evaluate  # noqa: E402
from corpora import add_corpus  # noqa: E402

TOP_K = 10  # results asked of each method when timing: what `dateline eval time` asks of `ask`


def ndcg10(ranking: list[str], gold: set[str]) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, r in enumerate(ranking[:10]) if r in gold)
    return dcg / sum(1 / math.log2(i + 2) for i in range(min(len(gold), 10)))


def readings(path: str) -> dict[str, evaluate.EvalSet]:
    """TIME read as dateline reads it, and with TIME.REL's positions taken as this copy's."""
    right = evaluate.read_time(path)
    corrected = evaluate._judged_positions
    evaluate._judged_positions = lambda ids: dict(enumerate(ids, 1))
    try:
        naive = evaluate.read_time(path)
    finally:
        evaluate._judged_positions = corrected
    return {"judgments as dateline reads them": right, "naive reading": naive}


def all_queries(path: Path) -> list[str]:
    """Every query in TIME.QUE (judged or not), spaced as `read_time` spaces them."""
    text = (path / "TIME.QUE").read_text("latin-1")
    return [" ".join(block.partition("\n")[2].replace("*STOP", "").split())
            for block in re.split(r"^\*FIND\s+", text, flags=re.M)[1:]]


def code_state() -> str:
    """The commit this checkout is at and how many files differ from it."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True,
                              text=True, check=True).stdout.strip()
        changed = subprocess.run(["git", "status", "--short"], cwd=root, capture_output=True,
                                 text=True, check=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no git)"
    return f"{head} with {len(changed)} uncommitted paths" if changed else head


def latency(methods: dict, questions: list[str], rounds: int) -> dict[str, list[float]]:
    """Milliseconds per call of each method, interleaved question by question, after a warm-up pass."""
    for run in methods.values():
        for q in questions:
            run(q)
    names = list(methods)
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        for i, q in enumerate(questions):
            shift = (i + r) % len(names)  # each method goes first, second, ... equally often
            for name in names[shift:] + names[:shift]:
                t0 = time.perf_counter()
                methods[name](q)
                times[name].append((time.perf_counter() - t0) * 1000)
    return times


def report_latency(times: dict[str, list[float]], reference: str) -> None:
    """Print p50/p90/p99 per method and each method's ratio to ``reference`` in this run."""
    pct = {name: np.percentile(ts, [50, 90, 99]) for name, ts in times.items()}
    ref = pct[reference]
    for name, (p50, p90, p99) in pct.items():
        ratio = "" if name == reference else f"   / {reference}: p50 {p50 / ref[0]:.2f}x  p99 {p99 / ref[2]:.2f}x"
        print(f"{name:<34} n={len(times[name]):<4} p50 {p50:6.1f}  p90 {p90:6.1f}  p99 {p99:6.1f} ms{ratio}",
              flush=True)


def profile(run, questions: list[str], lines: int) -> None:
    """Run one pass of ``run`` under cProfile and print its top entries by cumulative time."""
    prof = cProfile.Profile()
    prof.enable()
    for q in questions:
        run(q)
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out).strip_dirs().sort_stats("cumulative")
    stats.print_stats(lines)
    print(f"cProfile of {len(questions)} calls (cProfile inflates Python code):")
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip()), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_corpus(ap, "time")
    ap.add_argument("--archive", type=Path, metavar="DIR",
                    help="the TIME archive built by `dateline eval time PATH --work W` (W/time): also time `ask` against txtai")
    ap.add_argument("--txtai-dir", type=Path, metavar="DIR",
                    help="save txtai's two indexes here, and load them from here on later runs (encoding takes minutes)")
    ap.add_argument("--rounds", type=int, default=15, help="timed passes over the 83 queries (default 15)")
    ap.add_argument("--torch-threads", type=int, metavar="N",
                    help="torch threads for txtai's question encoding (default torch's: one per core); dateline's is 1")
    ap.add_argument("--profile-lines", type=int, default=30, help="cProfile entries to print (default 30)")
    args = ap.parse_args()
    if args.archive is not None and not (args.archive / "archive.sqlite").exists():
        ap.error(f"--archive {args.archive}: no archive.sqlite there; give W/time after `dateline eval time PATH --work W`")
    sets = readings(args.time)
    records = next(iter(sets.values())).records
    ids = [r["id"] for r in records]

    def report(method: str, search) -> None:
        for label, s in sets.items():
            score = sum(ndcg10(search(q.question), q.gold_ids) for q in s.questions) / len(s.questions)
            print(f"{method:<14} {label:<34} {len(s.questions)} queries  nDCG@10 {score:.3f}", flush=True)

    import bm25s
    bm = bm25s.BM25()
    bm.index(bm25s.tokenize([r["body"] for r in records], stopwords="en", show_progress=False), show_progress=False)

    def bm25_search(text: str) -> list[str]:
        found, _ = bm.retrieve(bm25s.tokenize([text], stopwords="en", show_progress=False), k=20, show_progress=False)
        return [ids[i] for i in found[0]]
    report("bm25s", bm25_search)

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from txtai import Embeddings

    from dateline.index.embed import bundled_model_dir
    if args.torch_threads:
        import torch
        torch.set_num_threads(args.torch_threads)
    txtai = {}
    for hybrid in (False, True):
        name = "hybrid" if hybrid else "dense"
        saved = args.txtai_dir / name if args.txtai_dir else None
        emb = txtai[name] = Embeddings(path=str(bundled_model_dir()), content=True, hybrid=hybrid)
        if saved is not None and saved.exists():
            emb.load(str(saved))
        else:
            emb.index([(r["id"], r["body"], None) for r in records])
            if saved is not None:
                emb.save(str(saved))
        report("txtai " + name, lambda text: [x["id"] for x in emb.search(text, 20)])
    if args.archive is None:
        return

    import faiss
    import torch

    from dateline.qa.engine import Engine
    engine = Engine(args.archive)
    questions = all_queries(args.time)
    methods = {
        "dateline ask": lambda q: engine.ask(q, top_k=TOP_K),
        "txtai hybrid": lambda q: txtai["hybrid"].search(q, TOP_K),
        "txtai dense": lambda q: txtai["dense"].search(q, TOP_K),
    }
    if isinstance(getattr(engine, "_df_cache", None), dict):
        fresh = Engine(args.archive)  # its own cache of word -> chunk counts, emptied before each question

        def ask_fresh(q: str):
            fresh._df_cache.clear()
            return fresh.ask(q, top_k=TOP_K)
        methods["dateline ask, word cache emptied"] = ask_fresh
    engine.ask(questions[0], top_k=TOP_K)  # loads the model and index; sets FAISS's threads for all
    print(f"\nlatency: {len(questions)} TIME queries x {args.rounds} rounds, interleaved; dateline "
          f"{code_state()}; {os.cpu_count()} CPUs; torch threads {torch.get_num_threads()}, "
          f"FAISS threads {faiss.omp_get_max_threads()}", flush=True)
    times = latency(methods, questions, args.rounds)
    report_latency(times, "txtai hybrid")
    print()
    profile(methods["dateline ask"], questions, args.profile_lines)


if __name__ == "__main__":
    main()
