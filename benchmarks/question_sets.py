"""Every written question set asked of its archive, with the totals the README reports.

benchmarks/questions/README.md says which Reuters file (or the demo archive) each set was
written from. This script builds those archives under --work when they are missing (`dateline
import` then `dateline index`, about half a minute each), asks every set with `dateline eval`'s
scoring, asks every ``_unanswerable.txt`` / ``_unrelated.txt`` list, and prints:

- per set, how many questions are answered right: the answer cites a gold item and its first
  sentence holds the gold answer (`evaluate.first_sentence_hit`);
- the totals the issue's goals are read from: the Reuters sets no fit and no reading of misses
  has seen (``HELD_OUT``), the demo archive's sets, and the refusals of the lists;
- with ``--compare OLD.json``, every question whose result changed since that run (GAIN / LOST;
  a held-out set's are counted, not shown) and how many first sentences changed at all.

    .venv/bin/python benchmarks/question_sets.py --reuters ../shared/data/reuters21578 \\
        --work /tmp/question-sets --out /tmp/run-new.json [--compare /tmp/run-old.json] [--only blind5,blind52]

The per-question results go to --out as JSON, for a later --compare. Two worker processes
answer the sets (one torch thread each); the answers do not depend on that.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
QUESTIONS = REPO / "benchmarks" / "questions"
DEMO = REPO / "qa" / "demo" / "iran_focus_2017.txt"
TEST_SLICE = REPO / "tests" / "data" / "reuters21578" / "reut2-000.sgm"  # the first 300 stories

# Archive name -> the Reuters files it imports ("demo" and "slice" are the two in the repository).
ARCHIVES = {f"r{n:03d}": [f"reut2-{n:03d}.sgm"] for n in range(0, 22)}
ARCHIVES["rdev"] = ["reut2-005.sgm", "reut2-006.sgm"]

# Set -> archive; every set's `_unanswerable.txt` / `_unrelated.txt` is asked of the same archive.
_BLIND_FILES = {
    "": 10, "2": 15, "3": 20, "4": 18, "5": 8, "6": 16, "7": 3, "8": 12, "9": 19, "10": 9, "11": 13,
    "12": 17, "13": 2, "14": 14, "15": 4, "16": 7, "17": 11, "18": 21, "19": 19, "20": 13, "21": 10,
    "22": 15, "23": 20, "24": 18, "25": 16, "26": 12, "27": 1, "29": 17, "30": 3, "31": 14, "32": 19,
    "33": 2, "34": 8, "35": 4, "36": 11, "37": 21, "38": 12, "39": 16, "40": 20, "41": 10, "42": 15,
    "43": 13, "44": 17, "45": 9, "46": 3, "47": 12, "48": 14, "49": 19, "50": 4, "51": 16, "52": 8,
    "53": 7, "54": 2, "55": 18, "56": 9, "57": 1, "58": 14, "59": 6, "60": 0, "61": 5, "62": 1, "63": 15, "64": 17, "65": 20, "66": 3, "67": 13, "68": 4, "69": 10,
    "70": 11, "71": 16, "72": 7, "73": 19,
    "74": 0, "75": 1, "76": 0, "77": 1, "78": 5, "79": 6,
    "80": 21, "81": 5, "82": 6, "83": 2, "84": 13, "85": 18,
    "86": 0, "87": 1, "88": 3, "89": 4, "90": 7, "91": 9,
    "92": 21, "93": 8, "94": 15, "95": 20, "96": 17, "97": 10, "98": 12,
}
_FOLLOW_UP_FILES = {"28": None, "31": 14, "34": 9, "36": 7, "42": 18, "46": 2, "48": 21, "50": 11, "53": 8,
                    "_blind": 11}
SET_ARCHIVE = {f"reuters_blind{k}": f"r{n:03d}" for k, n in _BLIND_FILES.items()}
SET_ARCHIVE.update({f"reuters_followup{k}": ("slice" if n is None else f"r{n:03d}")
                    for k, n in _FOLLOW_UP_FILES.items()})
SET_ARCHIVE.update({"reuters_blind28": "slice", "reuters_dev": "rdev", "reuters_followup_dev": "rdev",
                    "reuters_why_dev": "rdev", "reuters_why_blind": "r007"})
SET_ARCHIVE.update({p.stem: "demo" for p in QUESTIONS.glob("sample_*.jsonl")})

# Reuters sets that no fit has seen and whose misses nobody read (benchmarks/questions/README.md).
HELD_OUT = {f"reuters_blind{n}" for n in (*range(15, 25), 26, 27, 29, 33, 41, 45, 47, 49, 51, 52, 55, 57, 58, 59, 60, 70, 71, 74, 75, 80, 83, 86, 90, 93, 95, 97)}
# The same for the demo archive, whose 17 stories every other demo set has asked about.
DEMO_HELD_OUT = {f"sample_blind{n}" for n in (8, 11, 12, 13, 15, 18, *range(20, 32))}


def build(name: str, reuters: Path, work: Path) -> Path:
    """The archive `name` under `work`, imported and indexed on first use."""
    target = work / name
    if (target / "archive.sqlite").exists() and any(target.glob("index*")):
        return target
    files = {"demo": [DEMO], "slice": [TEST_SLICE]}.get(name) or [reuters / f for f in ARCHIVES[name]]
    dateline = [sys.executable, "-m", "dateline"]
    subprocess.run([*dateline, "import", *map(str, files), "--data", str(target)], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([*dateline, "index", "--data", str(target)], check=True, stdout=subprocess.DEVNULL)
    return target


def ask_sets(archive: Path, names: list[str]) -> dict:
    """Worker: every named set and list asked of one archive -> {set: per-question rows}."""
    import torch

    torch.set_num_threads(1)
    from dateline.qa import evaluate as ev
    from dateline.qa.engine import Engine

    engine = Engine(archive)
    out = {}
    for name in names:
        path = QUESTIONS / name
        if path.suffix == ".jsonl":
            report = ev.evaluate(engine, ev.read_questions(path), modes=())
            out[path.stem] = [{"question": d["question"], "right": d.get("first_sentence_hit", False),
                               "found": d["found"], "first_sentence": d.get("first_sentence", "")}
                              for d in report.details]
        else:  # questions the archive does not answer: right means refused
            questions = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            answers = [engine.ask(q) for q in questions]
            out[path.stem] = [{"question": q, "right": not a.found, "found": a.found,
                               "first_sentence": ev.first_sentence(a.to_dict())[0]}
                              for q, a in zip(questions, answers)]
    return out


def _files_by_archive(only: set[str] | None) -> dict[str, list[str]]:
    """Each archive's question files: the set, then its lists of questions it should refuse."""
    by_archive: dict[str, list[str]] = {}
    for stem, archive in sorted(SET_ARCHIVE.items()):
        if only and stem.split("_", 1)[1] not in only:
            continue
        files = [f"{stem}.jsonl"] if (QUESTIONS / f"{stem}.jsonl").exists() else []
        files += [p.name for p in sorted(QUESTIONS.glob(f"{stem}_un*.txt"))]
        if files:
            by_archive.setdefault(archive, []).extend(files)
    if not only:
        by_archive["demo"].append("sample_unrelated.txt")  # sample_dev's list
    return by_archive


def _count(results: dict, names) -> tuple[int, int]:
    rows = [r for n in names for r in results.get(n, [])]
    return sum(r["right"] for r in rows), len(rows)


def report(results: dict) -> None:
    """Per set, then the totals the README's table is read from."""
    for name in sorted(results):
        right, n = _count(results, [name])
        kind = "refused" if name.endswith(("_unanswerable", "_unrelated")) else "right"
        mark = "  (held out)" if name in HELD_OUT | DEMO_HELD_OUT else ""
        print(f"{name:34} {kind} {right:3d} of {n:3d}{mark}")
    lists = [n for n in results if n.endswith(("_unanswerable", "_unrelated"))]
    sets = [n for n in results if n not in lists]
    groups = {
        "never-fitted Reuters sets (HELD_OUT)": [n for n in sets if n in HELD_OUT],
        "other Reuters sets": [n for n in sets if n.startswith("reuters") and n not in HELD_OUT],
        "demo archive sets": [n for n in sets if n.startswith("sample") and n not in DEMO_HELD_OUT],
        "demo archive sets never read (DEMO_HELD_OUT)": [n for n in sets if n in DEMO_HELD_OUT],
        "Reuters in-domain questions refused": [n for n in lists if n.startswith("reuters")],
        "demo archive unrelated questions refused": [n for n in lists if n.startswith("sample")],
    }
    for label, names in groups.items():
        right, n = _count(results, names)
        if n:
            print(f"{label}: {right} of {n} ({right / n:.3f})")


def compare(results: dict, old: dict) -> None:
    """Every question whose result changed, and how many first sentences changed."""
    changed = 0
    for name in sorted(results):
        before = {r["question"]: r for r in old.get(name, [])}
        for row in results[name]:
            was = before.get(row["question"])
            if was is None:
                continue
            changed += was["first_sentence"] != row["first_sentence"]
            if was["right"] != row["right"]:
                change = "GAIN" if row["right"] else "LOST"
                if name in HELD_OUT | DEMO_HELD_OUT:  # counted, not shown: nobody reads a held-out set's misses
                    print(f"{change} {name} (held out)")
                    continue
                print(f"{change} {name}: {row['question']}\n"
                      f"     was: {was['first_sentence'][:150]}\n     now: {row['first_sentence'][:150]}")
    print(f"first sentences changed: {changed}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuters", type=Path, required=True, help="the reuters21578 folder (reut2-0NN.sgm)")
    parser.add_argument("--work", type=Path, required=True, help="where the archives are built and kept")
    parser.add_argument("--out", type=Path, required=True, help="per-question results, JSON")
    parser.add_argument("--compare", type=Path, help="an earlier --out to compare with")
    parser.add_argument("--only", help="comma-separated set names without 'reuters_'/'sample_' (blind5,followup53)")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    by_archive = _files_by_archive(only)
    archives = {name: build(name, args.reuters, args.work) for name in sorted(by_archive)}
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    results: dict = {}
    with ProcessPoolExecutor(args.jobs) as pool:
        for part in pool.map(ask_sets, [archives[a] for a in by_archive], list(by_archive.values())):
            results.update(part)
    args.out.write_text(json.dumps(results, indent=1))
    report(results)
    if args.compare:
        compare(results, json.loads(args.compare.read_text()))


if __name__ == "__main__":
    main()
