"""Cluster builds (issue 15): `dateline index --ray local` embeds on a local Ray instance with
the real model. The vectors equal an in-process build's, so the archive answers the same; a
worker killed mid-build loses and doubles nothing; without Ray, --ray says how to install it."""
from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import REUTERS

pytest.importorskip("ray", reason="the ray extra is not installed: pip install 'dateline[ray]'")

pytestmark = pytest.mark.slow

# fp32 everywhere: `auto` lets each Ray worker choose its own precision, and a worker that chose
# bf16 where the driver chose fp32 would be within cosine 0.9999 on average, not on every chunk.
ENV = {**os.environ, "DATELINE_EMBED_BACKEND": "torch", "DATELINE_RAY": ""}
QUESTIONS = ["How many ships were waiting at the Panama Canal?",
             "Did Shultz say he would resign over the Iran report?",
             "Which company reported higher quarterly earnings?"]


def _archive(data_dir: Path, items: int) -> Path:
    """Import the first ``items`` stories of the Reuters slice into ``data_dir``; index nothing."""
    from dateline.index.ingest import parse_file
    from dateline.index.store import Archive

    path = REUTERS / "reut2-000.sgm"
    fmt, parsed = parse_file(path)
    archive = Archive.open(data_dir)
    archive.import_items(str(path), fmt, parsed.items[:items], [])
    archive.close()
    return data_dir


def _dateline(*args: str) -> list[str]:
    """Return the command line of the installed `dateline` CLI with ``args``."""
    return [str(Path(sys.executable).with_name("dateline")), *args]


def _vectors(data_dir: Path) -> dict[str, np.ndarray]:
    conn = sqlite3.connect(data_dir / "archive.sqlite")
    try:
        return {h: np.frombuffer(v, dtype=np.float32) for h, v in conn.execute("SELECT hash, vector FROM embeddings")}
    finally:
        conn.close()


def _counts(data_dir: Path) -> tuple[int, int]:
    """Return (embedding rows, distinct chunk texts) of the archive."""
    conn = sqlite3.connect(data_dir / "archive.sqlite", timeout=30)
    try:
        return (conn.execute("SELECT count(*) FROM embeddings").fetchone()[0],
                conn.execute("SELECT count(DISTINCT hash) FROM chunks").fetchone()[0])
    finally:
        conn.close()


def _citations(data_dir: Path, question: str) -> list[tuple[str, int, int]]:
    """Return what `dateline ask QUESTION --json` cites: (item, start, end) of each excerpt."""
    from click.testing import CliRunner

    from dateline.cli import main

    done = CliRunner().invoke(main, ["ask", question, "--json", "--data", str(data_dir)], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    return [(c["item_id"], c["start"], c["end"]) for c in json.loads(done.stdout)["citations"]]


def _descendants(pid: int) -> list[int]:
    """Return the ids of every live process below ``pid``."""
    parent_of: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent_of[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = [], [pid]
    while frontier:
        children = [p for p, pp in parent_of.items() if pp in frontier]
        found += children
        frontier = children
    return found


def _running(pids: list[int]) -> list[int]:
    """Those of ``pids`` still running: neither gone nor exited and awaiting their parent (zombies)."""
    alive = []
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z":
            alive.append(pid)
    return alive


def _embedding_actors(pid: int) -> list[int]:
    """Return the processes under ``pid`` that run an embedding actor (Ray names them by class)."""
    actors = []
    for p in _descendants(pid):
        try:
            if b"_EmbedActor" in Path(f"/proc/{p}/cmdline").read_bytes():
                actors.append(p)
        except OSError:
            continue
    return actors


def test_ray_build_equals_in_process_build(tmp_path):
    on_ray = _archive(tmp_path / "ray", 60)
    local = tmp_path / "local"
    shutil.copytree(on_ray, local)

    done = subprocess.run(_dateline("index", "--ray", "local", "--ray-workers", "2", "--json", "--data", str(on_ray)),
                          env=ENV, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["published"] and report["embedded"] > 80
    assert "Traceback" not in done.stderr and "WARNING" not in done.stderr  # Ray's own log lines stay out

    from dateline.index.build import build_index
    from dateline.index.embed import load_embedder

    assert build_index(local, embedder=load_embedder(backend="torch")).embedded == report["embedded"]
    ray_vectors, local_vectors = _vectors(on_ray), _vectors(local)
    assert ray_vectors.keys() == local_vectors.keys()  # same cache keys: same texts, same model name
    cosines = [float(ray_vectors[h] @ local_vectors[h]) for h in local_vectors]
    assert min(cosines) >= 0.9999
    cited = [_citations(on_ray, question) for question in QUESTIONS]
    assert cited == [_citations(local, question) for question in QUESTIONS]
    assert all(cited)  # each question is answered, with citations


def test_killed_worker_loses_and_doubles_nothing(tmp_path):
    data_dir = _archive(tmp_path / "data", 160)
    build = subprocess.Popen(_dateline("index", "--ray", "local", "--ray-workers", "2", "--ray-batch", "8", "--json",
                                       "--data", str(data_dir)),
                             env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        killed, stored_then = None, 0
        deadline = time.monotonic() + 240
        while killed is None and build.poll() is None and time.monotonic() < deadline:
            stored_then = _counts(data_dir)[0] if (data_dir / "archive.sqlite").exists() else 0
            actors = _embedding_actors(build.pid)
            if stored_then > 0 and actors:  # mid-build: batches stored, more to come
                killed = actors[0]
                ray_processes = _descendants(build.pid)
                os.kill(killed, signal.SIGKILL)
            time.sleep(0.2)
        assert killed is not None, "no embedding actor was seen while the build ran"
        out, err = build.communicate(timeout=300)
    finally:
        if build.poll() is None:
            build.kill()
            build.communicate()
    assert build.returncode == 0, err
    report = json.loads(out)
    stored, chunk_texts = _counts(data_dir)
    assert stored_then < chunk_texts  # the worker died mid-build
    # Every chunk text embedded and stored once: the retried batch arrived once.
    assert report["embedded"] == stored == chunk_texts
    assert report["published"] and report["chunks"] >= chunk_texts
    assert _citations(data_dir, QUESTIONS[0])
    # The local Ray instance went with the build: no process of it is left running. On a loaded
    # machine its agents take a while to exit, and an exited one may wait to be reaped.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and _running(ray_processes):
        time.sleep(0.5)
    assert not _running(ray_processes)


def test_killed_build_resumes_from_the_cache(tmp_path):
    data_dir = _archive(tmp_path / "data", 100)
    build = subprocess.Popen(_dateline("index", "--ray", "local", "--ray-batch", "8", "--json", "--data", str(data_dir)),
                             env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ray_processes: list[int] = []
    try:
        deadline = time.monotonic() + 240
        while build.poll() is None and time.monotonic() < deadline:
            if (data_dir / "archive.sqlite").exists() and _counts(data_dir)[0] > 0:
                ray_processes = _descendants(build.pid)
                build.send_signal(signal.SIGKILL)
                break
            time.sleep(0.2)
        build.communicate(timeout=60)
        assert build.returncode == -signal.SIGKILL, "the build ended before it could be killed"
    finally:
        if build.poll() is None:
            build.kill()
            build.communicate()
        # Ray's agents outlive a SIGKILLed driver for a while: they are this test's to end.
        time.sleep(2)
        for pid in ray_processes:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    stored_before, chunk_texts = _counts(data_dir)
    assert 0 < stored_before < chunk_texts

    done = subprocess.run(_dateline("index", "--ray", "local", "--json", "--data", str(data_dir)),
                          env=ENV, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    # Only what the killed build had not stored is embedded again.
    assert report["embedded"] == chunk_texts - stored_before
    assert _counts(data_dir) == (chunk_texts, chunk_texts) and report["published"]


def test_ray_flag_without_ray_says_how_to_install(tmp_path):
    # sys.modules["ray"] = None makes `import ray` fail as it does where Ray is not installed.
    code = ("import sys; sys.modules['ray'] = None; from dateline.cli import main; "
            f"sys.argv = ['dateline', 'index', '--ray', 'local', '--data', {str(tmp_path / 'data')!r}]; main()")
    done = subprocess.run([sys.executable, "-c", code], env=ENV, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "pip install 'dateline[ray]'" in done.stderr
    assert "Traceback" not in done.stderr


def test_watch_rebuilds_on_the_cluster_that_DATELINE_RAY_names(tmp_path):
    # The rebuilds that `dateline watch` (and an upload's job) run follow DATELINE_RAY too: here
    # Ray is hidden, so the cycle's rebuild must say how to install it, after importing the file.
    folder = tmp_path / "incoming"
    folder.mkdir()
    story = {"id": "ray-watch-1", "source": "Wire", "dateline": "Oslo", "date": "2017-06-28",
             "title": "Ferry strike ends", "body": "Oslo, 28 Jun - The ferry strike ended after two days."}
    (folder / "news.jsonl").write_text(json.dumps(story) + "\n", encoding="utf-8")
    settled = time.time() - 60  # written a minute ago: the watcher takes it at once
    os.utime(folder / "news.jsonl", (settled, settled))
    data = tmp_path / "data"
    code = ("import sys; sys.modules['ray'] = None; from dateline.cli import main; "
            f"sys.argv = ['dateline', 'watch', {str(folder)!r}, '--once', '--data', {str(data)!r}]; main()")
    done = subprocess.run([sys.executable, "-c", code], env={**ENV, "DATELINE_RAY": "local"},
                          capture_output=True, text=True, timeout=300)
    output = done.stdout + done.stderr
    assert "pip install 'dateline[ray]'" in output, output
    assert "Traceback" not in output
    with sqlite3.connect(data / "archive.sqlite") as conn:
        assert conn.execute("SELECT count(*) FROM items WHERE id = 'ray-watch-1'").fetchone() == (1,)
