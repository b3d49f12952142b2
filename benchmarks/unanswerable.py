"""How many in-domain questions the archive does not answer are refused.

Each written set's ``_unanswerable.txt`` (benchmarks/questions/README.md) holds questions about the
same companies, countries and markets as its archive that no item answers (checked by grepping
the bodies when they were written). Each is asked as `dateline ask` asks it; the script prints, per
file and in all, how many `ask` refuses ("The archive holds nothing that answers this.") and how
many of those it answers carry a note of what to check: the story quoted first does not name
what the question names, or does not mention the year or quarter it names, or its sentence
quoted gives nothing of the kind asked:

    .venv/bin/python benchmarks/unanswerable.py benchmarks/questions/reuters_blind54_unanswerable.txt /tmp/rblind13 \\
        benchmarks/questions/reuters_blind52_unanswerable.txt /tmp/rblind5 ...

``--answered`` also prints the first sentence of each question answered.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from dateline.qa.answer import CHECK_NOTE
from dateline.qa.engine import Engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", type=Path, help="questions file, archive, questions file, archive ...")
    parser.add_argument("--answered", action="store_true", help="print what each answered question quotes first")
    args = parser.parse_args()
    if len(args.paths) % 2:
        parser.error("give each questions file with its archive")
    engines: dict[Path, Engine] = {}
    refused = asked = flagged = 0
    for questions_file, archive in zip(args.paths[::2], args.paths[1::2]):
        engine = engines.setdefault(archive, Engine(archive))
        questions = [line.strip() for line in questions_file.read_text(encoding="utf-8").splitlines() if line.strip()]
        answers = [engine.ask(q) for q in questions]
        n = sum(not a.found for a in answers)
        noted = sum(a.found and any(note.startswith(CHECK_NOTE) for note in a.notes) for a in answers)
        print(f"{questions_file.name}: {n} of {len(questions)} refused; {noted} answered with a note "
              f"of what to check (the story quoted first does not name, mention or give what is asked)")
        flagged += noted
        if args.answered:
            for q, a in zip(questions, answers):
                if a.found:
                    print(f"  {q}\n    -> {a.answer.split(' [1]')[0][:160]}")
        refused += n
        asked += len(questions)
    print(f"in all: {refused} of {asked} refused ({refused / max(asked, 1):.3f}); "
          f"{flagged} of the {asked - refused} answered carry a note")


if __name__ == "__main__":
    main()
