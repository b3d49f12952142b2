"""Would a sentence-level cosine help the model that chooses the answering sentence?

Each question of the given sets is asked as `dateline eval fit-sentences` asks it, and every
candidate sentence is recorded with its features (qa/sentence_choice.py) and, beside them, the
bundled model's cosine between the question and the sentence. The conditional logit of
qa/sentence_fit.py is then fitted with and without that cosine, each set judged by a model fitted
on the others, and the script prints how many questions' best-scoring candidate holds the answer:

    .venv/bin/python benchmarks/sentence_cosine.py benchmarks/questions/reuters_dev.jsonl /tmp/rdev \\
        benchmarks/questions/reuters_blind.jsonl /tmp/rblind ...

Session 28, over the 44 fitted factoid sets (1,700 questions): 1,503 without the cosine, 1,499
with it, 1,498 with the cosine less the question's best, 1,499 with both; the shipped weights
1,511 (docs/evaluation.md). Encoding every candidate costs a few seconds a set on two cores.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from dateline.qa import evaluate as ev
from dateline.qa import sentence_fit
from dateline.qa.engine import Engine
from dateline.qa.sentence_choice import FEATURES, SENTENCE_MODEL

VARIANTS = ("without", "cosine", "below_best", "both")


def record(question_file: Path, archive: Path) -> list[tuple[sentence_fit.Asked, np.ndarray]]:
    """Each answerable question's candidates (sentence_fit.candidates_of) and their cosines."""
    engine = Engine(archive)
    embedder = engine.retriever().embedder
    asked = sentence_fit.candidates_of(engine, ev.read_questions(question_file), ev.ASK_TOP_K)
    return [(a, embedder.encode(a.texts) @ embedder.encode_query(a.question) if a.texts else np.zeros(0))
            for a in asked]


def with_variant(rows: list[tuple[sentence_fit.Asked, np.ndarray]], variant: str) -> list[sentence_fit.Asked]:
    """The questions' candidates with the variant's columns added to their features."""
    out = []
    for asked, cosine in rows:
        columns = [asked.x]
        if len(asked.x) and variant in ("cosine", "both"):
            columns.append(cosine[:, None])
        if len(asked.x) and variant in ("below_best", "both"):
            columns.append((cosine - cosine.max())[:, None])
        out.append(sentence_fit.Asked(asked.question, np.hstack(columns), asked.right, asked.items, asked.texts))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", type=Path, help="question set, archive, question set, archive ...")
    args = parser.parse_args()
    if len(args.paths) % 2:
        parser.error("give each question set with its archive")
    sets = {q.stem: record(q, a) for q, a in zip(args.paths[::2], args.paths[1::2])}
    total = sum(len(rows) for rows in sets.values())
    for variant in VARIANTS:
        right = 0
        for name, rows in sets.items():
            others = [a for other, rest in sets.items() if other != name for a in with_variant(rest, variant)]
            right += sentence_fit.chosen_right(with_variant(rows, variant), sentence_fit.fit(others))
        print(f"{variant:11s} {right} of {total} ({right / total:.4f}), each set judged by a model fitted on the others")
    shipped = np.array([SENTENCE_MODEL[name] for name in FEATURES])
    right = sum(sentence_fit.chosen_right([a for a, _ in rows], shipped) for rows in sets.values())
    print(f"{'shipped':11s} {right} of {total} ({right / total:.4f})")


if __name__ == "__main__":
    main()
