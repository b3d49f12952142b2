"""RealTime QA's questions that `dateline eval realtimeqa` leaves out: the answer hit of `ask`.

`dateline eval realtimeqa` scores the 103 questions whose gold article is in the archive. The
other quiz questions of the same weeks (226 of 329) have no gold article with text, so neither
ranking nor gold citation can be scored; but each has its answer string and its own ten search
results. This script asks each as `dateline eval` does (``--to`` its date, ``--top-k 5``) and
reports how often the answer string is in the answer or the first excerpt (`evaluate.answer_hit`),
over the questions whose own search results, dated up to the question, hold the answer at all.
No fit or constant has been chosen on these questions, so the figure is a check from outside the
dev set (its misses were first read in session 22). True-or-false questions ("TRUE") and "all of
these except" ones count though no excerpt can hold their answer.

    .venv/bin/python benchmarks/realtimeqa_unjudged.py ../shared/data/realtimeqa --work /tmp/ev [--details F]

The archive is the one `dateline eval realtimeqa` builds under --work (built there when missing).
"""
from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

from dateline.qa import evaluate as ev
from dateline.qa.engine import Engine

MIN_TEXT_CHARS = 200  # as read_realtimeqa: shorter search results are not imported


def own_results(path: Path) -> dict[str, list[dict]]:
    """Each question's search results, by question id."""
    results: dict[str, list[dict]] = {}
    for gcs in sorted((path / "gcs").glob("*_gcs.jsonl.gz")):
        with gzip.open(gcs, "rt", encoding="utf-8") as f:
            for line in f:
                rec = json.loads(line)
                results[rec["question_id"]] = rec.get("search_result") or []
    return results


def answer_available(results: list[dict], date_to: str, answer: str) -> bool:
    """Whether a search result dated up to ``date_to`` with enough text holds ``answer``."""
    texts = [r.get("text") or "" for r in results
             if (r.get("publish_date") or "")[:10].replace("/", "-") <= date_to
             and r.get("publish_date") and len((r.get("text") or "").strip()) >= MIN_TEXT_CHARS]
    return ev.holds_answer(texts, answer)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", help="the RealTime QA directory (qa/, gold/, gcs/)")
    ap.add_argument("--work", default="/tmp/ev", help="where `dateline eval` keeps its archives")
    ap.add_argument("--top-k", type=int, default=5)
    ap.add_argument("--details", help="write each question's answer and hit here (JSON)")
    args = ap.parse_args()

    path = Path(args.path)
    evalset = ev.read_realtimeqa(path)
    data = f"{args.work}/{evalset.name}"
    ev.prepare(evalset, data)
    engine = Engine(data)
    ev.resolve_gold(evalset, engine.reader())
    scored = {q.qid for q in evalset.questions}
    results = own_results(path)

    rows = []
    for qa_file in sorted((path / "qa").glob("*_qa.jsonl")):
        for line in qa_file.read_text("utf-8").splitlines():
            q = json.loads(line)
            if q["question_id"] in scored or not q.get("answer"):
                continue
            answer = q["choices"][int(q["answer"][0])]
            date_to = q["question_date"].replace("/", "-")
            asked = engine.ask(q["question_sentence"], date_to=date_to, top_k=args.top_k).to_dict()
            sentence, _ = ev.first_sentence(asked)
            rows.append({"qid": q["question_id"], "question": q["question_sentence"], "answer": answer,
                         "available": answer_available(results.get(q["question_id"], []), date_to, answer),
                         "hit": ev.answer_hit(asked, answer), "first_sentence_hit": ev.holds_answer([sentence], answer),
                         "found": asked["found"], "first_sentence": sentence})
    available = [r for r in rows if r["available"]]
    hits = sum(r["hit"] for r in available)
    print(f"{len(rows)} questions without a gold article in the archive; answered {sum(r['found'] for r in rows)}")
    print(f"answer in their own search results: {len(available)}; of those, answer hit "
          f"{hits} ({hits / max(len(available), 1):.3f}), in the first sentence "
          f"{sum(r['first_sentence_hit'] for r in available)}")
    if args.details:
        Path(args.details).write_text(json.dumps(rows, indent=1, ensure_ascii=False), "utf-8")


if __name__ == "__main__":
    main()
