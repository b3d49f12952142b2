"""Shared fixtures: paths to the real data beside the checkout, a temporary data directory,
and a CLI runner. Fixtures that load the real model are session-scoped: it loads once."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
SEED = ROOT / "qa" / "demo" / "iran_focus_2017.txt"
REUTERS = SHARED_DATA / "reuters21578"
TIME = SHARED_DATA / "time-collection"
REALTIMEQA = SHARED_DATA / "realtimeqa"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty data directory."""
    return tmp_path / "data"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def cli(runner, data_dir):
    """Run `dateline ARGS --data <tmp>`; return click's Result."""
    from qa.cli import main

    def run(*args: str, input: str | None = None):
        return runner.invoke(main, [*args, "--data", str(data_dir)], input=input, catch_exceptions=False)

    return run
