"""Read-only replicas (issue 15): `dateline snapshot DEST` publishes a self-contained copy of the
archive and the live index, and `dateline serve --data DEST` answers from it without writing
anything there, then follows each new snapshot with no failed request. A snapshot that cannot
be made says why in one line and leaves DEST serving what it served."""
from __future__ import annotations

import http.client
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import copy_data, dateline_process
from dateline.cli import main

pytestmark = pytest.mark.slow

TOKEN = "replica-test-token"
NEW_ITEM = {
    "id": "replica-aurora", "source": "Polar Times", "dateline": "Tromso", "date": "2017-06-29",
    "title": "Aurora festival opens in Tromso",
    "body": "Tromso, 29 Jun - The aurora borealis festival opened with a midnight concert under "
            "the northern lights. Organisers expect ten thousand visitors from Norway and abroad.",
}
QUESTION = "What opened in Tromso under the northern lights?"


def _call(url: str, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", urlsplit(url).port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def _ask(url: str) -> tuple[int, dict]:
    return _call(url, "POST", "/api/ask", json.dumps({"question": QUESTION}).encode(),
                 {"Content-Type": "application/json"})


def _cites_new_item(answer: dict) -> bool:
    return NEW_ITEM["id"] in [c["item_id"] for c in answer["citations"]]


def _served_snapshot(url: str) -> str:
    status, info = _call(url, "GET", "/api/status")
    assert status == 200, info
    return info["replica"]["snapshot"]


def _listing(root: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under ``root`` with its size and modification time: any write shows."""
    return {str(p.relative_to(root)): (p.lstat().st_size, p.lstat().st_mtime_ns) for p in root.rglob("*")} | {
        ".": (0, root.stat().st_mtime_ns)}


def _holding(folder: Path) -> set[int]:
    """The processes that have a file under ``folder`` open or mapped (an archive, an index)."""
    prefix = f"{folder}/"
    found = set()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if prefix in (proc / "maps").read_text() or any(
                    os.readlink(fd).startswith(prefix) for fd in (proc / "fd").iterdir()):
                found.add(int(proc.name))
        except OSError:  # another user's process, or one that ended meanwhile
            continue
    return found


def _snapshot(runner, dest: Path, data: Path):
    return runner.invoke(main, ["snapshot", str(dest), "--data", str(data)], catch_exceptions=False)


def _one_line_error(output: str, *fragments: str) -> str:
    lines = [line for line in output.strip().splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1 and "Traceback" not in output, output
    assert all(f in lines[0] for f in fragments), output
    return lines[0]


def _no_room() -> None:
    """In a child process: let no write extend a file, as on a disk at 100%."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


def _import_and_index(data: Path, tmp_path: Path) -> None:
    from dateline.index.build import build_index
    from dateline.index.ingest import parse_file
    from dateline.index.store import Archive

    feed = tmp_path / "aurora.jsonl"
    feed.write_text(json.dumps(NEW_ITEM) + "\n", encoding="utf-8")
    archive = Archive.open(data)
    fmt, parsed = parse_file(feed)
    assert archive.import_items(str(feed), fmt, parsed.items, parsed.rejections).added == 1
    archive.close()
    build_index(data)


def test_two_replicas_follow_a_new_snapshot_and_write_nothing(web_data, tmp_path, runner):
    source, dest = tmp_path / "data", tmp_path / "replica"
    copy_data(web_data, source)
    made = _snapshot(runner, dest, source)
    assert made.exit_code == 0, made.output
    first = (dest / "CURRENT").read_text().strip()
    assert f"snapshot {first}: 35 items" in made.output
    # Self-contained, for an immutable open: the archive in rollback-journal mode (header bytes
    # 18-19 are 1, not WAL's 2), no write-ahead log beside it.
    header = (dest / first / "archive.sqlite").read_bytes()[:20]
    assert header[18:20] == b"\x01\x01" and not list((dest / first).glob("archive.sqlite-*"))

    before = _listing(dest)
    env = {"DATELINE_RELOAD_INTERVAL": "0.5", "DATELINE_REINDEX_TOKEN": TOKEN}
    serving = [dateline_process("serve", "--data", str(dest), "--workers", "2", env=env) for _ in range(2)]
    with serving[0] as one, serving[1] as two:
        servers = (one, two)
        deadline = time.monotonic() + 180
        while len(_holding(dest / first)) < 4:  # every worker of both servers has opened it
            assert time.monotonic() < deadline, f"workers not all ready: {_holding(dest / first)}"
            time.sleep(0.5)
        for url in servers:
            assert _served_snapshot(url) == first
            status, answer = _ask(url)
            assert status == 200 and not _cites_new_item(answer), answer
            # Writes are refused, with the token that would allow them elsewhere.
            auth = {"Authorization": f"Bearer {TOKEN}"}
            status, body = _call(url, "POST", "/api/reindex", b"", auth)
            assert status == 403 and body["error"]["code"] == "read_only_replica", body
            assert "read-only replica" in body["error"]["message"], body
            form = (b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jsonl\"\r\n\r\n"
                    + json.dumps(NEW_ITEM).encode() + b"\r\n--b--\r\n")
            status, body = _call(url, "POST", "/api/import", form,
                                 {**auth, "Content-Type": "multipart/form-data; boundary=b"})
            assert status == 403 and "read-only replica" in body["error"]["message"], body
            assert _call(url, "GET", "/api/jobs") == (200, {"jobs": []})  # none run here
        assert _listing(dest) == before, "a replica wrote under the snapshots folder"

        _import_and_index(source, tmp_path)
        outcomes: dict[str, list[int]] = {url: [] for url in servers}
        stop = threading.Event()

        def keep_asking(url: str) -> None:
            while not stop.is_set():
                try:
                    outcomes[url].append(_ask(url)[0])
                except OSError:  # a refused or dropped connection is a failed request too
                    outcomes[url].append(0)

        askers = [threading.Thread(target=keep_asking, args=(url,)) for url in servers for _ in range(2)]
        for asker in askers:
            asker.start()
        try:
            time.sleep(1)
            published = _snapshot(runner, dest, source)
            assert published.exit_code == 0, published.output
            second = (dest / "CURRENT").read_text().strip()
            assert second != first and f"(before: {first})" in published.output
            # Every worker of both servers moves within a few reload intervals: ten answers in a
            # row from each server come from the new snapshot and find the new item.
            deadline = time.monotonic() + 60
            for url in servers:
                while not all(_served_snapshot(url) == second and _cites_new_item(_ask(url)[1]) for _ in range(10)):
                    assert time.monotonic() < deadline, f"{url} still answers from {_served_snapshot(url)}"
                    time.sleep(0.5)
        finally:
            stop.set()
            for asker in askers:
                asker.join()
        for url, statuses in outcomes.items():
            assert len(statuses) >= 5 and set(statuses) == {200}, (url, statuses)
        # The old snapshot is let go of: no worker keeps its archive open or its index mapped.
        while _holding(dest / first):
            assert time.monotonic() < deadline, f"processes {_holding(dest / first)} still read {first}"
            for url in servers:
                _ask(url)
        # The replaced snapshot stays for its grace period: a replica may still be reading it.
        assert (dest / first / "archive.sqlite").is_file()

        # A snapshot that fails leaves the servers on the one they serve, and says why in one line.
        serving_now = _listing(dest)
        full = subprocess.run([sys.executable, "-m", "dateline", "snapshot", str(dest), "--data", str(source)],
                              capture_output=True, text=True, preexec_fn=_no_room, timeout=300)
        assert full.returncode != 0 and full.stdout == "", full.stdout + full.stderr
        _one_line_error(full.stderr, str(dest), f"no snapshot was made; {dest} still serves snapshot {second}")
        if subprocess.run(["chattr", "+i", str(dest)], capture_output=True).returncode == 0:
            try:  # read-only, even for root
                refused = _snapshot(runner, dest, source)
            finally:
                subprocess.run(["chattr", "-i", str(dest)], check=True)
            assert refused.exit_code != 0
            _one_line_error(refused.output, "cannot write", f"still serves snapshot {second}")
        # Only DEST's own time moved: a staging folder came and went beside the snapshots.
        assert {k: v for k, v in _listing(dest).items() if k != "."} == {
            k: v for k, v in serving_now.items() if k != "."}
        for url in servers:
            assert _served_snapshot(url) == second and _cites_new_item(_ask(url)[1])


def test_bad_snapshot_folders_are_one_line_errors(web_data, tmp_path, runner):
    a_file = tmp_path / "replica.txt"
    a_file.write_text("not a folder\n")
    _one_line_error(_snapshot(runner, a_file, web_data).output, str(a_file), "is a file")
    assert a_file.read_text() == "not a folder\n"
    other = tmp_path / "other"
    (other / "notes").mkdir(parents=True)
    _one_line_error(_snapshot(runner, other, web_data).output, "not empty and holds no snapshots")
    _one_line_error(_snapshot(runner, web_data / "replica", web_data).output, "inside the data directory")

    # A snapshot is read-only for the command line too: an import into it is refused.
    dest = tmp_path / "replica"
    assert _snapshot(runner, dest, web_data).exit_code == 0
    snapshot = dest / (dest / "CURRENT").read_text().strip()
    feed = tmp_path / "aurora.jsonl"
    feed.write_text(json.dumps(NEW_ITEM) + "\n", encoding="utf-8")
    before = _listing(dest)
    for data in (snapshot, dest):
        refused = runner.invoke(main, ["import", str(feed), "--data", str(data)], catch_exceptions=False)
        assert refused.exit_code != 0
        _one_line_error(refused.output, "read-only snapshot" if data == snapshot else "holds read-only snapshots")
    assert _listing(dest) == before
    # A question asked of the folder names the folder, not an archive file it does not hold.
    asked = runner.invoke(main, ["ask", "dam", "--data", str(dest)], catch_exceptions=False)
    _one_line_error(asked.output, "the data directory holds read-only snapshots", f"({dest})")

    # Copied elsewhere (new inodes and times, as rsync to another machine makes them), the
    # snapshot's index files are hashed again on load, and still nothing is written there.
    copy = tmp_path / "elsewhere"
    shutil.copytree(dest, copy)
    before = _listing(copy)
    asked = runner.invoke(main, ["ask", "What did the Zanzibar ferry company cancel?", "--data", str(copy / snapshot.name)],
                          catch_exceptions=False)
    assert asked.exit_code == 0 and "Zanzibar" in asked.output, asked.output
    assert _listing(copy) == before

    # A replaced snapshot is removed once its grace period is over (here none), by the next one.
    again = runner.invoke(main, ["snapshot", str(dest), "--grace", "0", "--data", str(web_data)],
                          catch_exceptions=False)
    assert again.exit_code == 0 and "removed 1 snapshot(s)" in again.output, again.output
    assert [p.name for p in dest.iterdir() if p.is_dir()] == [(dest / "CURRENT").read_text().strip()]


def test_a_server_started_before_the_first_snapshot_becomes_a_replica(web_data, tmp_path, runner):
    from conftest import free_port

    dest = tmp_path / "replica"
    dest.mkdir()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATELINE_RELOAD_INTERVAL": "0.5", "DATELINE_REINDEX_TOKEN": TOKEN}
    server = subprocess.Popen([sys.executable, "-m", "dateline", "serve", "--data", str(dest), "--workers", "1",
                               "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:  # up (past "starting", which a loaded machine can show for a while), with nothing to answer from
            try:
                status, answer = _ask(url)
                if answer.get("error", {}).get("code") != "starting":
                    break
            except OSError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.5)
        assert status == 503 and answer["error"]["code"] == "no_archive", answer
        assert list(dest.iterdir()) == []  # it wrote nothing there while waiting

        made = _snapshot(runner, dest, web_data)
        assert made.exit_code == 0, made.output
        first = (dest / "CURRENT").read_text().strip()
        deadline = time.monotonic() + 30  # noticed at the next reload check (0.5 s here)
        while (answered := _ask(url))[0] != 200:
            assert time.monotonic() < deadline, answered
            time.sleep(0.2)
        status, answer = _call(url, "POST", "/api/ask", json.dumps({"question": "Why did the Zanzibar ferry "
                                                                   "company cancel its crossings?"}).encode(),
                               {"Content-Type": "application/json"})
        assert status == 200 and answer["citations"][0]["item_id"] == "hostile-zanzibar-ferry", answer
        assert _served_snapshot(url) == first
        status, refused = _call(url, "POST", "/api/reindex", b"{}",
                                {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
        assert status == 403 and refused["error"]["code"] == "read_only_replica", refused
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
