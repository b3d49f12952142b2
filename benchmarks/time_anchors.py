"""Outside anchors for `dateline eval time`: plain BM25 (bm25s) and txtai over the same TIME set.

Both read TIME through `qa.evaluate.read_time`, so their judgments are the ones dateline is
measured against, and each is also scored with the naive reading of TIME.REL (positions in this
423-record copy, which the issue's first anchors used), to show what the correction moves.

bm25s scores whole documents with English stop words; txtai indexes whole documents with the
bundled MiniLM (its default truncation at 256 word pieces), dense and hybrid (its own BM25
fused with the vectors). Neither is a dependency of dateline: run this from a scratch
environment that has them and can import the project, e.g.

    python3 -m venv /tmp/anchors && /tmp/anchors/bin/pip install torch==2.13.0 bm25s txtai
    /tmp/anchors/bin/pip install -e .
    /tmp/anchors/bin/python benchmarks/time_anchors.py --time PATH/time-collection

Measured 2026-11-29: bm25s 0.709 (naive 0.648), txtai dense 0.690 (0.622), hybrid 0.760 (0.682)
nDCG@10, against dateline's hybrid 0.768 (0.708).
"""
from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path


import dateline.qa.evaluate as evaluate  # noqa: E402
from corpora import add_corpus  # noqa: E402


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_corpus(ap, "time")
    args = ap.parse_args()
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
    for hybrid in (False, True):
        emb = Embeddings(path=str(bundled_model_dir()), content=True, hybrid=hybrid)
        emb.index([(r["id"], r["body"], None) for r in records])
        report("txtai " + ("hybrid" if hybrid else "dense"), lambda text: [x["id"] for x in emb.search(text, 20)])


if __name__ == "__main__":
    main()
