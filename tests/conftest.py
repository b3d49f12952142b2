"""Fixtures for all the tests: paths to the corpus slices in tests/data, a temporary data
directory, and a CLI runner. Fixtures that load the real model are session-scoped: it loads once."""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parent.parent
# Slices of the real corpora and records written in RealTime QA's format: tests/data/SOURCE.md.
DATA = ROOT / "tests" / "data"
SEED = ROOT / "qa" / "demo" / "iran_focus_2017.txt"
REUTERS = DATA / "reuters21578"
TIME = DATA / "time-collection"
REALTIMEQA = DATA / "realtimeqa"


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
    from dateline.cli import main

    def run(*args: str, input: str | None = None):
        return runner.invoke(main, [*args, "--data", str(data_dir)], input=input, catch_exceptions=False)

    return run


# -- the web app (issue 5): the sample plus one hostile item, indexed once; a live server ------

HOSTILE = {
    "id": "hostile-zanzibar-ferry", "source": "Harbour Gazette", "dateline": "Zanzibar",
    "date": "2017-06-25", "url": "javascript:alert(1)",
    "title": 'Zanzibar ferry <script>window.__pwned = "title"</script>',
    "body": ('Zanzibar, 25 Jun - The Zanzibar ferry company cancelled every crossing to Dar es Salaam '
             'after a storm. <script>window.__pwned = "body"</script> Passengers waited at the harbour '
             'for two days. <img src=x onerror="window.__pwned = \'img\'"> The ferry company said '
             'crossings resume on Tuesday.'),
}


def copy_data(source: Path, dest: Path, **options) -> Path:
    """Copy a data directory that other tests may be reading: its archive's write-ahead log is
    checkpointed into the file first, and SQLite's side files (``-wal``, ``-shm``) are not
    copied, since a reader closing mid-copy deletes them (a copy failed on a vanished ``-shm``)."""
    import shutil
    import sqlite3

    archive = source / "archive.sqlite"
    if archive.exists():
        conn = sqlite3.connect(archive)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
    skip = shutil.ignore_patterns("*.sqlite-wal", "*.sqlite-shm")
    extra = options.pop("ignore", None)
    ignore = (lambda folder, names: set(skip(folder, names)) | set(extra(folder, names))) if extra else skip
    shutil.copytree(source, dest, ignore=ignore, **options)
    return dest


@pytest.fixture(scope="session")
def web_data(tmp_path_factory) -> Path:
    """The sample archive plus HOSTILE, imported and indexed once with the real model. Read-only:
    a test that changes data copies it first."""
    import json

    from dateline.index.build import build_index
    from dateline.index.ingest import parse_file
    from dateline.index.store import Archive

    data = tmp_path_factory.mktemp("web") / "data"
    hostile = data.parent / "hostile.jsonl"
    hostile.write_text(json.dumps(HOSTILE) + "\n", encoding="utf-8")
    archive = Archive.open(data)
    for path in (SEED, hostile):
        fmt, parsed = parse_file(path)
        archive.import_items(str(path), fmt, parsed.items, parsed.rejections)
    archive.close()
    build_index(data)
    return data


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def dateline_process(*args: str, env: dict | None = None, timeout: float = 300):
    """Run `dateline ARGS --port <free>` (serve or demo) on 127.0.0.1; yield its base URL once
    GET /api/status answers 200; stop it afterwards. The server's log is in the failure message."""
    import signal
    import subprocess
    import sys
    import tempfile
    import time
    import urllib.request

    port = free_port()
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [sys.executable, "-m", "dateline", *args, "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, **(env or {})}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"

    def output() -> str:
        log.seek(0)
        return log.read().decode("utf-8", "replace")[-4000:]

    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                pytest.fail(f"`dateline {args[0]}` exited with {proc.returncode}:\n{output()}")
            try:
                with urllib.request.urlopen(url + "/api/status", timeout=10) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"`dateline {args[0]}` did not answer within {timeout:.0f} s:\n{output()}")
            time.sleep(0.3)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


# -- question answering (issue 4): a Reuters slice, indexed once with the real model ----------

@pytest.fixture(scope="session")
def reuters_data(tmp_path_factory) -> Path:
    """The first 300 items of reut2-000.sgm (26 Feb - 2 Mar 1987), imported and indexed once.
    Read-only."""
    from dateline.index.build import build_index
    from dateline.index.ingest import parse_file
    from dateline.index.store import Archive

    data = tmp_path_factory.mktemp("reuters") / "data"
    path = REUTERS / "reut2-000.sgm"
    fmt, parsed = parse_file(path)
    archive = Archive.open(data)
    archive.import_items(str(path), fmt, parsed.items[:300], [])
    archive.close()
    build_index(data)
    return data
