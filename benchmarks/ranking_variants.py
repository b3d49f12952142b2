"""Variants of the hybrid ranking, scored on TIME and RealTime QA, beside the shipped one.

Each variant re-ranks the candidates `Retriever.search` fuses (the dense list by item and the
full-text list, weighted z-scores, recency for as-of questions) with one more signal, and the
script prints nDCG@10 and Recall@5 of each over the set's judged questions. None beat the
shipped fusion by more than a question's worth on TIME (docs/evaluation.md, "Retrieval
alone"); the script is here so that the claim can be checked and new ideas tried the same way.

    .venv/bin/python benchmarks/ranking_variants.py time ../shared/data/time-collection --work /tmp/ev
    .venv/bin/python benchmarks/ranking_variants.py realtimeqa ../shared/data/realtimeqa --work /tmp/ev

The archives are those `dateline eval` prepares under --work (built there when missing).
Variants (``--variants``, comma-separated; parameters after colons):

- ``shipped``: the two lists fused as `ask` fuses them, without proximity and dense feedback
  (which `Retriever.search` adds: PROXIMITY_WEIGHT, FEEDBACK_WEIGHT).
- ``rocchio:M:B``: dense pseudo-relevance feedback: the question's vector plus B x the mean of
  the best-matching chunk vector of each of the top M items, searched again and fused
  (`ask` does this since session 18 with M 3 and B 0.5: FEEDBACK_ITEMS, FEEDBACK_WEIGHT).
- ``rm3:M:N``: full-text feedback: the N words that weigh most (share in the top M items x
  idf) added to the full-text query.
- ``pairs``: adjacent question words searched as phrases, a third list fused at weight 0.1.
- ``mean_chunks:A``: an item's dense score is its best chunk's cosine plus A x the mean cosine
  of all its chunks (every candidate scored from the embedding cache).
- ``near_dates:M:T:W``: temporal feedback: W x the mean of exp(-days / T) to the dates of the
  top M items is added (stories run over consecutive weeks).
- ``like_top:M:W``: score regularisation: W x the mean cosine of the item's mean chunk vector
  to those of the top M items is added.
- ``chunk_bm25:W``: an item's best chunk by BM25 (the question's stems, the items' idf), a third
  list that takes share W of the full-text list's weight: the question's words meeting in one
  passage rather than anywhere in a long article.
- ``length:W``: a length prior: W x the item's log(1 + chunks), standardised over the candidates.
- ``second:A``: an item's dense score is its best chunk's cosine plus A x its second best's.
- ``weights:D``: the dense list weighed D and the full-text list 1 - D.
- ``aspects:A``: a long question's aspects (its runs of words between stop words, "AMBASSADOR
  HENRY CABOT LODGE", "POLITICAL REPRESSION") each encoded; an item's dense score is its best
  chunk's cosine plus A x the mean over the aspects of its best chunk's cosine to each (an item
  that meets every aspect of a topic statement).
- ``bm25:B:K1``: the full-text list re-scored by BM25 over whole items with length normalisation
  B and saturation K1 (FTS5's are fixed at 0.75 and 1.2), stems as sentence choice reads them.
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import math

import numpy as np

from dateline.qa import evaluate as ev
from dateline.qa.engine import Engine
from dateline.qa.query import Filters, ParsedQuery, parse_question
from dateline.qa.retrieve import CANDIDATE_DEPTH, FUSION_WEIGHTS, fuse
from dateline.qa.sentence_choice import _matched_stem
from dateline.qa.words import STOP_WORDS, TERM, WORD, terms

DEFAULT_VARIANTS = ("shipped,rocchio:3:0.5,rocchio:3:1,rm3:5:10,pairs,mean_chunks:0.5,"
                    "near_dates:5:30:1,like_top:3:1")


class Variants:
    """The shipped ranking's two lists for one archive, and the variants built on them."""

    def __init__(self, engine: Engine, depth: int):
        self.engine, self.depth = engine, depth
        self.retriever, self.reader, self.embedder = engine.retriever(), engine.reader(), engine.embedder
        self._vectors: dict[str, np.ndarray] = {}

    def rank(self, parsed: ParsedQuery, variant: str) -> list[str]:
        """Item ids, best first, for one question under ``variant``."""
        name, *params = variant.split(":")
        text, filters = parsed.text, parsed.filters
        qvec = self.embedder.encode_query(text)
        words = terms(text)
        dense, full_text = self._dense_items(qvec, filters), dict(self.retriever.fts(words, filters, self.depth))
        score = self._fused([dense, full_text], FUSION_WEIGHTS["hybrid"], parsed)
        top = sorted(score, key=lambda i: -score[i])
        if name == "shipped":
            return top
        if name == "rocchio":
            m, beta = int(params[0]), float(params[1])
            best = [v[np.argmax(v @ qvec)] for v in (self._chunk_vectors(i) for i in top[:m]) if len(v)]
            moved = qvec + beta * np.mean(best, axis=0)
            dense = self._dense_items((moved / np.linalg.norm(moved)).astype(np.float32), filters)
            score = self._fused([dense, full_text], FUSION_WEIGHTS["hybrid"], parsed)
        elif name == "rm3":
            extra = self._feedback_words(top[:int(params[0])], words, int(params[1]))
            full_text = dict(self.reader.full_text(self.retriever.select_words(words) + extra, filters,
                                                   self.depth, (1.0, 1.0, 1.0)))
            score = self._fused([dense, full_text], FUSION_WEIGHTS["hybrid"], parsed)
        elif name == "pairs":
            pairs = [f"{a} {b}" for a, b in zip(words, words[1:])]
            phrases = dict(self.reader.full_text(pairs, filters, self.depth, (1.0, 1.0, 1.0))) if pairs else {}
            score = self._fused([dense, full_text, phrases], (0.5, 0.4, 0.1), parsed)
        elif name == "mean_chunks":
            alpha = float(params[0])
            rescored = {}
            for item_id in set(dense) | set(full_text):
                cos = self._chunk_vectors(item_id) @ qvec
                if len(cos):
                    rescored[item_id] = float(cos.max() + alpha * cos.mean())
            score = self._fused([rescored, full_text], FUSION_WEIGHTS["hybrid"], parsed)
        elif name == "near_dates":
            m, days, weight = int(params[0]), float(params[1]), float(params[2])
            dates = {i: dt.date.fromisoformat(d[:10]).toordinal()
                     for i, d in self.reader.item_dates(list(score)).items() if d}
            anchors = [dates[i] for i in top[:m] if i in dates]
            if anchors:
                score = {i: s + (weight * sum(math.exp(-abs(dates[i] - a) / days) for a in anchors) / len(anchors)
                                 if i in dates else 0.0) for i, s in score.items()}
        elif name == "like_top":
            m, weight = int(params[0]), float(params[1])
            means = {i: self._mean_vector(i) for i in score}
            leaders = [i for i in top[:m] if means[i] is not None]
            for i, s in list(score.items()):
                others = [float(means[i] @ means[t]) for t in leaders if t != i] if means[i] is not None else []
                score[i] = s + (weight * sum(others) / len(others) if others else 0.0)
        elif name == "chunk_bm25":
            weight = float(params[0])
            passages = self._chunk_bm25(set(dense) | set(full_text), words)
            dense_weight, text_weight = FUSION_WEIGHTS["hybrid"]
            score = self._fused([dense, full_text, passages],
                                (dense_weight, text_weight * (1 - weight), text_weight * weight), parsed)
        elif name == "length":
            weight = float(params[0])
            logs = {i: math.log1p(len(self._chunk_vectors(i))) for i in score}
            mean = sum(logs.values()) / len(logs)
            sd = math.sqrt(sum((v - mean) ** 2 for v in logs.values()) / len(logs)) or 1.0
            score = {i: s + weight * (logs[i] - mean) / sd for i, s in score.items()}
        elif name == "second":
            alpha = float(params[0])
            rescored = {}
            for item_id in set(dense) | set(full_text):
                cos = np.sort(self._chunk_vectors(item_id) @ qvec)[::-1]
                if len(cos):
                    rescored[item_id] = float(cos[0] + alpha * cos[min(1, len(cos) - 1)])
            score = self._fused([rescored, full_text], FUSION_WEIGHTS["hybrid"], parsed)
        elif name == "aspects":
            alpha = float(params[0])
            aspects = _aspects(text)
            if len(aspects) >= 2:
                vectors = np.array([self.embedder.encode_query(a) for a in aspects])
                rescored = {}
                for item_id in set(dense) | set(full_text):
                    chunks = self._chunk_vectors(item_id)
                    if len(chunks) and chunks.shape[1] == len(qvec):
                        rescored[item_id] = float((chunks @ qvec).max() + alpha * (chunks @ vectors.T).max(axis=0).mean())
                score = self._fused([rescored, full_text], FUSION_WEIGHTS["hybrid"], parsed)
        elif name == "bm25":
            b, k1 = float(params[0]), float(params[1])
            score = self._fused([dense, self._item_bm25(set(dense) | set(full_text), words, k1, b)],
                                FUSION_WEIGHTS["hybrid"], parsed)
        elif name == "weights":
            dense_weight = float(params[0])
            score = self._fused([dense, full_text], (dense_weight, 1 - dense_weight), parsed)
        else:
            raise SystemExit(f"unknown variant {variant!r}")
        return sorted(score, key=lambda i: -score[i])

    def _fused(self, lists, weights, parsed: ParsedQuery) -> dict[str, float]:
        score = fuse(lists, weights)
        recency = parsed.as_of and not parsed.newest_first  # "latest" reorders only what is shown
        return self.retriever._with_recency(score, parsed.as_of) if recency else score

    def _dense_items(self, qvec: np.ndarray, filters: Filters) -> dict[str, float]:
        return self.retriever._dense_items(qvec, filters, self.depth).items

    def _chunk_vectors(self, item_id: str) -> np.ndarray:
        if item_id not in self._vectors:
            rows = self.reader.chunks_of([item_id], self.embedder.name)
            vectors = [np.frombuffer(v, dtype=np.float32) for *_, v in rows if v is not None]
            self._vectors[item_id] = np.array(vectors) if vectors else np.zeros((0, 1), dtype=np.float32)
        return self._vectors[item_id]

    def _mean_vector(self, item_id: str) -> np.ndarray | None:
        vectors = self._chunk_vectors(item_id)
        if not len(vectors):
            return None
        mean = vectors.mean(axis=0)
        return mean / np.linalg.norm(mean)

    def _chunk_bm25(self, item_ids: set[str], words: list[str], k1: float = 1.2,
                    b: float = 0.75) -> dict[str, float]:
        """Each item's best chunk by BM25 over the question's stems (idf of the items): where the
        question's words meet in one passage rather than anywhere in a long article."""
        idf = self.retriever.idf(words)
        rows = self.reader.chunks_of(list(item_ids))
        counted = [(item_id, collections.Counter(_matched_stem(w) for w in TERM.findall(text)))
                   for _, item_id, _, _, text, _ in rows]
        mean_len = max(sum(sum(c.values()) for _, c in counted) / max(len(counted), 1), 1.0)
        best: dict[str, float] = {}
        for item_id, counts in counted:
            norm = k1 * (1 - b + b * sum(counts.values()) / mean_len)
            s = sum(w * counts[t] * (k1 + 1) / (counts[t] + norm) for t, w in idf.items() if counts[t])
            best[item_id] = max(best.get(item_id, 0.0), s)
        return best

    def _item_bm25(self, item_ids: set[str], words: list[str], k1: float, b: float) -> dict[str, float]:
        """BM25 of whole items (title, dateline and body) over the question's stems."""
        if not hasattr(self, "_mean_words"):
            lengths = [len(TERM.findall(f"{t} {d or ''} {body}"))
                       for t, d, body in self.reader.conn.execute("SELECT title, dateline, body FROM items")]
            self._mean_words = max(sum(lengths) / max(len(lengths), 1), 1.0)
            self._counts: dict[str, collections.Counter] = {}
        idf, scored = self.retriever.idf(words), {}
        for item_id in item_ids:
            if item_id not in self._counts:
                it = self.reader.item(item_id)
                self._counts[item_id] = collections.Counter(
                    _matched_stem(w) for w in TERM.findall(f"{it.title} {it.dateline or ''} {it.body}"))
            counts = self._counts[item_id]
            norm = k1 * (1 - b + b * sum(counts.values()) / self._mean_words)
            s = sum(w * counts[t] * (k1 + 1) / (counts[t] + norm) for t, w in idf.items() if counts[t])
            if s > 0:
                scored[item_id] = s
        return scored

    def _feedback_words(self, item_ids: list[str], asked: list[str], n: int) -> list[str]:
        """The ``n`` words of the top items that weigh most: their share of each item's words,
        summed, times their idf; neither the question's own nor in one item only."""
        share: collections.Counter = collections.Counter()
        for item_id in item_ids:
            item = self.reader.item(item_id)
            counts = collections.Counter(w for w in WORD.findall(f"{item.title} {item.body}".lower())
                                         if w not in STOP_WORDS and len(w) > 2 and not w.isdigit())
            total = sum(counts.values()) or 1
            for w, c in counts.items():
                share[w] += c / total
        items = self.retriever._item_count()
        weighed = {w: s * math.log(1 + items / (1 + self.retriever._df(w)))
                   for w, s in share.items() if w not in asked and self.retriever._df(w) >= 2}
        return sorted(weighed, key=lambda w: -weighed[w])[:n]


def _aspects(text: str) -> list[str]:
    """The runs of words between stop words, of three letters or more: a topic statement's aspects."""
    runs, run = [], []
    for w in WORD.findall(text):
        if w.lower() in STOP_WORDS:
            runs.append(" ".join(run))
            run = []
        else:
            run.append(w)
    runs.append(" ".join(run))
    return [r for r in runs if len(r) > 2]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("set", choices=("time", "realtimeqa"))
    ap.add_argument("path", help="the collection's directory under ../shared/data")
    ap.add_argument("--work", default="/tmp/ev", help="where `dateline eval` keeps its archives")
    ap.add_argument("--variants", default=DEFAULT_VARIANTS)
    ap.add_argument("--depth", type=int, default=CANDIDATE_DEPTH, help="candidates each list reads")
    args = ap.parse_args()

    evalset = ev.read_time(args.path) if args.set == "time" else ev.read_realtimeqa(args.path)
    data = f"{args.work}/{evalset.name}"
    ev.prepare(evalset, data)
    engine = Engine(data)
    ev.resolve_gold(evalset, engine.reader())
    variants = Variants(engine, args.depth)
    facts = engine.facts()
    parsed = [parse_question(q.question, facts, date_from=q.date_from, date_to=q.date_to) if evalset.parse
              else ParsedQuery(q.question, q.question, Filters(q.date_from, q.date_to)) for q in evalset.questions]
    print(f"{evalset.name}: {len(parsed)} questions, depth {args.depth}")
    for variant in args.variants.split(","):
        scores = [ev.metrics(variants.rank(p, variant), q.gold_ids) for p, q in zip(parsed, evalset.questions)]
        mean = {k: sum(s[k] for s in scores) / len(scores) for k in ("ndcg@10", "recall@5")}
        print(f"  {variant:22s} nDCG@10 {mean['ndcg@10']:.3f}  Recall@5 {mean['recall@5']:.3f}", flush=True)


if __name__ == "__main__":
    main()
