"""Live reloads: while a client keeps asking, new items are imported and POST /api/reindex
rebuilds; every worker of `dateline serve` answers from the new generation within seconds,
with no restart and not one failed request."""
from __future__ import annotations

import http.client
import json
import os
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import copy_data, dateline_process

pytestmark = pytest.mark.slow

TOKEN = "reload-test-token"
NEW_ITEM = {
    "id": "reload-aurora", "source": "Polar Times", "dateline": "Tromso", "date": "2017-06-29",
    "title": "Aurora festival opens in Tromso",
    "body": "Tromso, 29 Jun - The aurora borealis festival opened with a midnight concert under "
            "the northern lights. Organisers expect ten thousand visitors from Norway and abroad.",
}


def _call(port: int, method: str, path: str, body: dict | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=None if body is None else json.dumps(body),
                     headers={"Content-Type": "application/json", **(headers or {})})
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def _server_processes(port: int) -> dict[int, int]:
    """The processes of the server on ``port``: the one listening there and all below it (the
    front of `dateline serve`, gunicorn's master and its workers), each with its parent's pid.
    Read from /proc: no response says which process answered."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":  # LISTEN
                inodes.add(f"socket:[{fields[9]}]")
    found, parent_of = {}, {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            # /proc/PID/stat: "pid (name) state ppid ..."; the name may hold spaces.
            parent_of[int(proc.name)] = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if any(os.readlink(fd) in inodes for fd in (proc / "fd").iterdir()):
                found[int(proc.name)] = parent_of[int(proc.name)]
        except OSError:  # another user's process, or one that ended meanwhile
            continue
    while grown := {pid: parent for pid, parent in parent_of.items() if parent in found and pid not in found}:
        found.update(grown)
    return found


def _mapped_generations(pid: int) -> set[str]:
    """The index generations whose vectors process ``pid`` has mapped: a worker maps the one it
    answers from (and, for a moment after a reload, the one before)."""
    try:
        maps = Path(f"/proc/{pid}/maps").read_text().splitlines()
    except OSError:
        return set()
    # A line is "address perms offset device inode path"; the path may hold spaces.
    return {Path(line.split(None, 5)[5]).parent.name for line in maps if line.endswith("/vectors.faiss")}


def _worker_generations(port: int, tries: int = 10) -> dict[int, set[str]]:
    """Ask /api/status a few times (a worker checks for a new index between requests); return
    the generations each worker of the server on ``port`` has mapped."""
    for _ in range(tries):
        status, info = _call(port, "GET", "/api/status")
        assert status == 200, info
    processes = _server_processes(port)
    parents = set(processes.values())
    # The workers: the server's processes below another that started none themselves.
    return {pid: _mapped_generations(pid) for pid, parent in processes.items()
            if parent in processes and pid not in parents}


def test_rebuild_while_asking_loses_no_request(web_data, tmp_path):
    from dateline.index.ingest import parse_file
    from dateline.index.store import Archive

    data = tmp_path / "data"
    copy_data(web_data, data)
    env = {"DATELINE_RELOAD_INTERVAL": "0.5", "DATELINE_REINDEX_TOKEN": TOKEN}
    with dateline_process("serve", "--data", str(data), "--workers", "2", env=env) as url:
        port = urlsplit(url).port
        # Both workers up, on the same generation.
        deadline = time.monotonic() + 180
        while len(seen := _worker_generations(port)) < 2 or set() in seen.values():
            assert time.monotonic() < deadline, f"workers not both ready: {seen}"
            time.sleep(0.5)
        old = set.union(*seen.values())
        assert len(old) == 1 and all(mapped == old for mapped in seen.values()), seen
        items_before = _call(port, "GET", "/api/status")[1]["items"]

        outcomes: list[tuple[int, str]] = []
        stop = threading.Event()

        def keep_asking():
            while not stop.is_set():
                try:
                    status, body = _call(port, "POST", "/api/ask", {"question": "What did the European Parliament say?"})
                    outcomes.append((status, "" if status == 200 else json.dumps(body)))
                except OSError as e:  # a refused or dropped connection is a failed request too
                    outcomes.append((0, repr(e)))

        askers = [threading.Thread(target=keep_asking) for _ in range(2)]
        for t in askers:
            t.start()
        try:
            feed = tmp_path / "new.jsonl"
            feed.write_text(json.dumps(NEW_ITEM) + "\n", encoding="utf-8")
            archive = Archive.open(data)
            fmt, parsed = parse_file(feed)
            assert archive.import_items(str(feed), fmt, parsed.items, parsed.rejections).added == 1
            archive.close()

            auth = {"Authorization": f"Bearer {TOKEN}"}
            status, started = _call(port, "POST", "/api/reindex", headers=auth)
            assert status == 202 and started == {"status": "started", "full": False, "job": started["job"]}
            assert _call(port, "POST", "/api/reindex", headers=auth) == (200, {"status": "already running",
                                                                              "job": started["job"]})

            deadline = time.monotonic() + 240
            while True:
                seen = _worker_generations(port)
                status, found = _call(port, "GET", "/api/search?q=aurora+borealis+festival&k=3")
                assert status == 200, found
                hit = [p["item_id"] for p in found["passages"]][:1] == [NEW_ITEM["id"]]
                # Every worker has opened the one new generation (the old may stay mapped a moment).
                new = {frozenset(mapped - old) for mapped in seen.values()}
                if len(seen) == 2 and len(new) == 1 and len(next(iter(new))) == 1 and hit:
                    break
                assert time.monotonic() < deadline, f"not reloaded: workers {seen}, search {found['passages'][:1]}"
                time.sleep(0.5)
            reloaded_at = len(outcomes)
            time.sleep(1.0)  # keep asking a little on the new generation
        finally:
            stop.set()
            for t in askers:
                t.join(timeout=60)
        _, info = _call(port, "GET", "/api/status")
        assert info["items"] == items_before + 1
        status, answer = _call(port, "POST", "/api/ask",
                               {"question": "When did the aurora borealis festival open in Tromso?"})
        assert status == 200, answer
        cited = [c for c in answer["citations"] if c["item_id"] == NEW_ITEM["id"]]
        assert cited and cited[0]["dateline"] == "Tromso" and cited[0]["date"] == "2017-06-29"

    failures = [o for o in outcomes if o[0] != 200]
    assert not failures, failures[:5]
    assert reloaded_at >= 5 and len(outcomes) > reloaded_at  # asked throughout the rebuild and after
