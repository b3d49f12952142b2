"""Command-line arguments naming the research corpora a benchmark reads.

The corpora are not in the repository (tests/data holds only slices), so every benchmark takes
their folders as arguments, and a wrong folder is refused before any work starts.
"""
from __future__ import annotations

import argparse
from pathlib import Path

# Each corpus: the argument, what it must hold (a glob), and its help line.
CORPORA = {
    "reuters": ("reut2-*.sgm", "the Reuters-21578 folder (reut2-000.sgm ... reut2-021.sgm)"),
    "time": ("TIME.QUE", "the TIME collection folder (TIME.ALL, TIME.QUE, TIME.REL)"),
    "realtimeqa": ("qa/*_qa.jsonl", "the RealTime QA folder (qa/, gold/, gcs/)"),
}


def add_corpus(parser: argparse.ArgumentParser, name: str) -> None:
    """Add the required option --NAME: a folder that must hold the corpus's files."""
    pattern, help_text = CORPORA[name]

    def folder(value: str) -> Path:
        path = Path(value)
        if not any(path.glob(pattern)):
            raise argparse.ArgumentTypeError(f"{path}: no {pattern} there; give {help_text}")
        return path

    parser.add_argument(f"--{name}", type=folder, required=True, metavar="DIR", help=help_text)
