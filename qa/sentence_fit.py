"""Fit the model that chooses the answering sentence (sentence_choice.SENTENCE_MODEL).

Each question of a JSONL set with a gold answer is asked of its archive as `ask` asks it; every
candidate sentence of every cited item is recorded with its features, and those of a gold item
whose own text holds the gold answer (as `dateline eval`'s first-sentence hit judges a sentence)
are the right ones. The model is a conditional logit: for each question, a softmax over its
candidates, fitted by Newton's method to put the weight on the right ones. Leaving each set out in turn, it is judged on that set by whether the candidate it
scores best is a right one, beside the shipped model on the same candidates.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from dateline.index.errors import DatelineError

from .answer import MAX_ANSWER_SENTENCES
from .evaluate import EvalSet, holds_answer, resolve_gold
from .sentence_choice import FEATURES, QUOTE_MARGIN, SENTENCE_MODEL, recording

# Penalty on the standardised weights, chosen by leaving each fitted set out in turn: on seven
# sets 0.1, 1, 3, 10, 30 and 100 picked the answering sentence for 231, 233, 230, 229, 229 and
# 222 of 260 questions; on ten (with offer_near) 0.3 to 10 all pick 320 of 380.
L2 = 1.0
MAX_NEWTON_STEPS = 50
TOLERANCE = 1e-8  # ... stopping once the gradient's largest component is below this


@dataclass
class Asked:
    """One question's candidates: features (one row each), which are right, by item, and their
    text (for experiments with other features: benchmarks/sentence_cosine.py)."""

    question: str
    x: np.ndarray
    right: np.ndarray
    items: list[str]
    texts: list[str] = field(default_factory=list)


def candidates_of(engine, evalset: EvalSet, top_k: int) -> list[Asked]:
    """Ask each question of ``evalset`` that has an answer and record its candidates."""
    resolve_gold(evalset, engine.reader())
    out = []
    for q in evalset.questions:
        if not q.answer:
            continue
        with recording() as rows:
            engine.ask(q.question, date_from=q.date_from, date_to=q.date_to, top_k=top_k)
        feats, right, items, texts = [], [], [], []
        for item, cands in rows:
            for c in cands:
                feats.append([c.features.get(name, 0.0) for name in FEATURES])
                right.append(item.id in q.gold_ids and holds_answer([c.text], q.answer))
                items.append(item.id)
                texts.append(c.text)
        out.append(Asked(q.question, np.asarray(feats, dtype=np.float64).reshape(-1, len(FEATURES)),
                         np.asarray(right, dtype=bool), items, texts))
    return out


def fit(asked: list[Asked], l2: float = L2) -> np.ndarray:
    """Weights per raw feature of a conditional logit over each question's candidates (questions
    with no right candidate teach nothing and are left out), minimising the cross-entropy of the
    right candidates plus ``l2`` / 2 x the squared standardised weights. The loss is convex and
    smooth: Newton's method, each step halved until the loss falls, settles it exactly."""
    usable = [a for a in asked if a.right.any()]
    if not usable:
        raise DatelineError("no question has a candidate sentence holding its answer: nothing to fit")
    rows = np.vstack([a.x for a in usable])
    mean, sd = rows.mean(axis=0), rows.std(axis=0)
    sd[sd == 0] = 1.0
    z = [((a.x - mean) / sd, a.right / a.right.sum()) for a in usable]

    def loss_grad_hessian(w: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        loss, grad, hess = 0.5 * l2 * w @ w, l2 * w, l2 * np.eye(len(w))
        for x, target in z:
            s = x @ w
            top = s.max()
            p = np.exp(s - top)
            total = p.sum()
            p /= total
            loss += top + np.log(total) - target @ s
            grad += x.T @ (p - target)
            hess += (x * p[:, None]).T @ x - np.outer(x.T @ p, x.T @ p)
        return loss, grad, hess

    w = np.zeros(rows.shape[1])
    loss, grad, hess = loss_grad_hessian(w)
    for _ in range(MAX_NEWTON_STEPS):
        if np.abs(grad).max() < TOLERANCE:
            break
        step = np.linalg.solve(hess, grad)
        scale = 1.0
        while True:
            trial = w - scale * step
            trial_loss, trial_grad, trial_hess = loss_grad_hessian(trial)
            if trial_loss <= loss or scale < 1e-6:
                break
            scale /= 2
        w, loss, grad, hess = trial, trial_loss, trial_grad, trial_hess
    return w / sd


def chosen_right(asked: list[Asked], weights: np.ndarray) -> int:
    """How many questions' best-scoring candidate under ``weights`` is a right one."""
    return sum(bool(a.right[int(np.argmax(a.x @ weights))]) for a in asked if len(a.x))


def quoted_per_question(asked: list[Asked], weights: np.ndarray, margin: float = QUOTE_MARGIN) -> float:
    """Mean number of items whose best candidate scores within ``margin`` of the question's best
    (at most MAX_ANSWER_SENTENCES): how many sentences the answer would quote (answer._quoted)."""
    counts = []
    for a in asked:
        if not len(a.x):
            continue
        s = a.x @ weights
        best: dict[str, float] = {}
        for item, v in zip(a.items, s):
            best[item] = max(best.get(item, -np.inf), v)
        counts.append(min(MAX_ANSWER_SENTENCES, sum(v >= s.max() - margin for v in best.values())))
    return float(np.mean(counts)) if counts else 0.0


def fit_and_judge(sets: dict[str, list[Asked]]) -> dict:
    """Fit on all ``sets``; judge each set by a model fitted on the others, beside the shipped one."""
    shipped = np.array([SENTENCE_MODEL[name] for name in FEATURES])
    held_out = {}
    for name, asked in sets.items():
        others = [a for other, rows in sets.items() if other != name for a in rows]
        held_out[name] = {"questions": len(asked), "fitted_on_the_others": chosen_right(asked, fit(others)),
                          "shipped": chosen_right(asked, shipped)}
    everything = [a for rows in sets.values() for a in rows]
    weights = fit(everything)
    total = sum(len(rows) for rows in sets.values())
    return {
        "fitted": {"model": {n: round(float(w), 4) for n, w in zip(FEATURES, weights)},
                   "quoted_per_question": round(quoted_per_question(everything, weights), 3)},
        "held_out": held_out,
        "held_out_right": round(sum(h["fitted_on_the_others"] for h in held_out.values()) / total, 4),
        "shipped_right": round(sum(h["shipped"] for h in held_out.values()) / total, 4),
        "shipped": {"model": SENTENCE_MODEL, "quote_margin": QUOTE_MARGIN,
                    "quoted_per_question": round(quoted_per_question(everything, shipped), 3)},
    }
