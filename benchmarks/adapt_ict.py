"""Does the bundled model, fine-tuned on an archive's own text, rank TIME better?

Inverse cloze task (ICT): a sentence of a chunk is a pseudo-question, the rest of its chunk
(the whole chunk one time in ten) its passage, the other passages of the batch its negatives;
MiniLM is fine-tuned on these pairs from the TIME archive alone (no query or judgment is
used), every chunk encoded again, and each TIME query's dense list (an item's best chunk)
scored alone and fused with the shipped full-text list as `ask` fuses them (weighted
z-scores), every ``--every`` steps:

    .venv/bin/python benchmarks/adapt_ict.py ../shared/data/time-collection --work /tmp/ev --steps 300

Measured in session 31 (2 cores, 6 s a step at batch 32; docs/evaluation.md, "Retrieval
alone"): fused nDCG@10 0.766 before, 0.776-0.785 after 100 steps, 0.767 after 200, 0.774
after 300: no gain that holds from one step count to the next.
"""
from __future__ import annotations

import argparse
import random
import re
import time
from pathlib import Path

import numpy as np
import torch
from sentence_transformers import SentenceTransformer

from dateline.index.embed import bundled_model_dir
from dateline.qa import evaluate as ev
from dateline.qa.engine import Engine
from dateline.qa.query import Filters
from dateline.qa.retrieve import CANDIDATE_DEPTH, FUSION_WEIGHTS, fuse
from dateline.qa.words import terms

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
MIN_WORDS = 6  # a pseudo-question shorter than this says too little to find its passage
KEEP_WHOLE = 0.1  # share of pairs whose passage keeps the sentence (ICT's usual tenth)
TEMPERATURE = 20.0  # cosine scale in the contrastive loss, as sentence-transformers' default


def ict_pair(texts: list[str], rng: random.Random) -> tuple[str, str] | None:
    """A pseudo-question and its passage from a random chunk (None when it has too few sentences)."""
    text = rng.choice(texts)
    said = [s for s in _SENTENCE_END.split(text) if len(s.split()) >= MIN_WORDS]
    if len(said) < 3:
        return None
    k = rng.randrange(len(said))
    passage = text if rng.random() < KEEP_WHOLE else " ".join(said[:k] + said[k + 1:])
    return said[k], passage


def scores(model: SentenceTransformer, chunks: list[tuple[str, str]], questions, full_text) -> tuple[float, float]:
    """Mean nDCG@10 of the dense list alone and fused with the full-text list."""
    vectors = model.encode([text for _, text in chunks], batch_size=64, normalize_embeddings=True)
    queries = model.encode([q.question for q in questions], normalize_embeddings=True)
    dense_ndcg, fused_ndcg = [], []
    for q, qvec, text_list in zip(questions, queries, full_text):
        best: dict[str, float] = {}
        for (item_id, _), cos in zip(chunks, vectors @ qvec):
            best[item_id] = max(best.get(item_id, -1.0), float(cos))
        dense = dict(sorted(best.items(), key=lambda kv: -kv[1])[:CANDIDATE_DEPTH])
        fused = fuse([dense, text_list], FUSION_WEIGHTS["hybrid"])
        dense_ndcg.append(ev.metrics(sorted(dense, key=dense.get, reverse=True), q.gold_ids)["ndcg@10"])
        fused_ndcg.append(ev.metrics(sorted(fused, key=fused.get, reverse=True), q.gold_ids)["ndcg@10"])
    return float(np.mean(dense_ndcg)), float(np.mean(fused_ndcg))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("time", help="the TIME collection's directory under ../shared/data")
    ap.add_argument("--work", default="/tmp/ev", help="where `dateline eval` keeps its archives")
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=3e-5)
    ap.add_argument("--every", type=int, default=100, help="score after this many steps")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    evalset = ev.read_time(args.time)
    data = Path(args.work) / evalset.name
    ev.prepare(evalset, str(data))
    engine = Engine(data)
    ev.resolve_gold(evalset, engine.reader())
    retriever = engine.retriever()
    full_text = [dict(retriever.fts(terms(q.question), Filters(None, None), CANDIDATE_DEPTH)) for q in evalset.questions]
    chunks = engine.reader().conn.execute("SELECT item_id, text FROM chunks ORDER BY item_id, start").fetchall()
    texts = [text for _, text in chunks]

    rng = random.Random(args.seed)
    torch.manual_seed(args.seed)
    model = SentenceTransformer(str(bundled_model_dir()), device="cpu")
    print("before: dense %.3f, fused %.3f" % scores(model, chunks, evalset.questions, full_text), flush=True)
    optimiser = torch.optim.AdamW(model.parameters(), lr=args.lr)
    training = 0.0  # seconds spent training, scoring aside
    for step in range(1, args.steps + 1):
        started = time.perf_counter()
        model.train()
        pairs: list[tuple[str, str]] = []
        while len(pairs) < args.batch:
            if pair := ict_pair(texts, rng):
                pairs.append(pair)
        asked, passages = (model(model.tokenize(list(side)))["sentence_embedding"] for side in zip(*pairs))
        logits = torch.nn.functional.normalize(asked, dim=-1) @ torch.nn.functional.normalize(passages, dim=-1).T
        loss = torch.nn.functional.cross_entropy(logits * TEMPERATURE, torch.arange(len(pairs)))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        training += time.perf_counter() - started
        if step % args.every == 0:
            model.eval()
            dense, fused = scores(model, chunks, evalset.questions, full_text)
            print(f"after {step} steps ({training:.0f} s of training): dense {dense:.3f}, fused {fused:.3f}",
                  flush=True)


if __name__ == "__main__":
    main()
