"""Live reloads: while a client keeps asking, new items are imported and POST /api/reindex
rebuilds; every worker of `dateline serve` answers from the new generation within seconds,
with no restart and not one failed request."""
from __future__ import annotations

import http.client
import json
import shutil
import threading
import time
from urllib.parse import urlsplit

import pytest

from conftest import dateline_process

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


def _worker_generations(port: int, tries: int = 40) -> dict[int, str | None]:
    """Ask /api/status repeatedly; return each answering worker's loaded generation."""
    seen: dict[int, str | None] = {}
    for _ in range(tries):
        status, info = _call(port, "GET", "/api/status")
        assert status == 200, info
        seen[info["pid"]] = info["loaded_generation"]
    return seen


def test_rebuild_while_asking_loses_no_request(web_data, tmp_path):
    from dateline.index.ingest import parse_file
    from dateline.index.store import Archive

    data = tmp_path / "data"
    shutil.copytree(web_data, data)
    env = {"DATELINE_RELOAD_INTERVAL": "0.5", "DATELINE_REINDEX_TOKEN": TOKEN}
    with dateline_process("serve", "--data", str(data), "--workers", "2", env=env) as url:
        port = urlsplit(url).port
        # Both workers up, on the same generation.
        deadline = time.monotonic() + 180
        while len(seen := _worker_generations(port, 10)) < 2 or None in seen.values():
            assert time.monotonic() < deadline, f"workers not both ready: {seen}"
            time.sleep(0.5)
        old = set(seen.values())
        assert len(old) == 1
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
            assert _call(port, "POST", "/api/reindex", headers=auth) == (202, {"status": "started", "full": False})
            assert _call(port, "POST", "/api/reindex", headers=auth) == (200, {"status": "already running"})

            deadline = time.monotonic() + 240
            while True:
                seen = _worker_generations(port, 10)
                status, found = _call(port, "GET", "/api/search?q=aurora+borealis+festival&k=3")
                assert status == 200, found
                hit = [p["item_id"] for p in found["passages"]][:1] == [NEW_ITEM["id"]]
                if len(seen) == 2 and not set(seen.values()) & old and len(set(seen.values())) == 1 and hit:
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
