"""Uploads through HTTP to a real `dateline serve` with the real model: POST /api/import queues a
job that imports the files and rebuilds the index while clients keep asking; the new item is then
found by /api/ask. A file that is not news gets its reason in the job's report; the token and
the size limit are enforced with the API's JSON errors."""
from __future__ import annotations

import http.client
import json
import threading
import time
import uuid
from urllib.parse import urlsplit

import pytest

from conftest import copy_data, dateline_process
from dateline.web import create_app

pytestmark = pytest.mark.slow

TOKEN = "upload-test-token"
NEW_ITEM = {
    "id": "upload-reindeer", "source": "Polar Times", "dateline": "Kautokeino", "date": "2017-06-28",
    "title": "Reindeer herders move north early",
    "body": "Kautokeino, 28 Jun - Sami reindeer herders moved their herds to the summer pastures two "
            "weeks early after a warm spring melted the snow on the plateau.",
}
# Filler that takes the upload past max_request_bytes (64 KB), which bounds every other body.
FILLER = [{"id": f"upload-filler-{i}", "source": "Filler Weekly", "date": "2017-06-01",
           "title": f"Council minutes {i}", "body": f"Lisbon, 1 Jun - The council met for the {i}th time. " * 40}
          for i in range(40)]


def multipart(files: list[tuple[str, bytes]], fields: dict | None = None) -> tuple[bytes, str]:
    """A multipart/form-data body with ``files`` as `file` parts; return it and its content type."""
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in (fields or {}).items()]
    parts += [f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
              f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n" for name, data in files]
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _call(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, json.loads(response.read()), response.headers
    finally:
        conn.close()


def _ask(port: int, question: str):
    status, body, _ = _call(port, "POST", "/api/ask", json.dumps({"question": question}).encode(),
                            {"Content-Type": "application/json"})
    return status, body


def _upload(port: int, files, fields=None, token: str | None = TOKEN):
    body, content_type = multipart(files, fields)
    headers = {"Content-Type": content_type}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return _call(port, "POST", "/api/import", body, headers)


def _finished(port: int, location: str, timeout: float = 300) -> dict:
    """Poll the job at ``location`` once a second, as the archive page does, until it ends."""
    deadline = time.monotonic() + timeout
    while True:
        status, job, _ = _call(port, "GET", location, headers={"Authorization": f"Bearer {TOKEN}"})
        assert status == 200, job
        if job["state"] in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(1)


@pytest.fixture(scope="module")
def server(web_data, tmp_path_factory):
    data = tmp_path_factory.mktemp("upload") / "data"
    copy_data(web_data, data)
    env = {"DATELINE_RELOAD_INTERVAL": "0.5", "DATELINE_REINDEX_TOKEN": TOKEN, "DATELINE_UPLOAD_MAX_MB": "1"}
    with dateline_process("serve", "--data", str(data), "--workers", "2", env=env) as url:
        yield urlsplit(url).port, data


def test_an_uploaded_item_is_found_after_its_job_while_clients_keep_asking(server):
    port, data = server
    question = "When did the reindeer herders move to the summer pastures?"
    status, before = _ask(port, question)
    assert status == 200 and NEW_ITEM["id"] not in [c["item_id"] for c in before["citations"]]
    items_before = _call(port, "GET", "/api/status")[1]["items"]

    outcomes: list[tuple[int, str]] = []
    stop = threading.Event()

    def keep_asking():
        while not stop.is_set():
            try:
                status, body = _ask(port, "What did the European Parliament say?")
                outcomes.append((status, "" if status == 200 else json.dumps(body)))
            except OSError as e:  # a refused or dropped connection is a failed request too
                outcomes.append((0, repr(e)))

    askers = [threading.Thread(target=keep_asking) for _ in range(2)]
    for t in askers:
        t.start()
    try:
        news = (json.dumps(NEW_ITEM) + "\n{\"id\": \"broken\n").encode()
        filler = "".join(json.dumps(r) + "\n" for r in FILLER).encode()
        assert len(filler) > 65536
        status, job, headers = _upload(port, [("polar times.jsonl", news), ("filler.jsonl", filler)])
        assert status == 202, job
        assert headers["Location"] == f"/api/jobs/{job['id']}" and job["state"] in ("queued", "running")
        assert (job["kind"], job["origin"]) == ("import", "upload")
        job = _finished(port, headers["Location"])
        asked_during_job = len(outcomes)

        assert job["state"] == "done", job
        result = job["result"]
        assert result["totals"] == {"added": 41, "updated": 0, "unchanged": 0, "rejected": 1, "undated": 0}
        news_report = next(f for f in result["files"] if f["file"] == "polar_times.jsonl")
        [rejected] = news_report["rejections"]
        assert rejected["file"] == "polar_times.jsonl" and rejected["line"] == 2 and "JSON" in rejected["reason"]
        assert result["index"]["published"] and result["index"]["embedded"] > 0
        assert job["progress"]["phase"] == "embedding" and job["progress"]["done"] == job["progress"]["total"]

        # Every worker answers from the new generation within the reload interval.
        deadline = time.monotonic() + 30
        while True:
            status, answer = _ask(port, question)
            assert status == 200, answer
            cited = [c for c in answer["citations"] if c["item_id"] == NEW_ITEM["id"]]
            if cited:
                break
            assert time.monotonic() < deadline, answer
            time.sleep(0.5)
        assert cited[0]["dateline"] == "Kautokeino" and cited[0]["date"] == "2017-06-28"
        time.sleep(1.0)
    finally:
        stop.set()
        for t in askers:
            t.join(timeout=60)
    failures = [o for o in outcomes if o[0] != 200]
    assert not failures, failures[:5]
    assert asked_during_job >= 5 and len(outcomes) > asked_during_job

    status, info, _ = _call(port, "GET", "/api/status")
    assert info["items"] == items_before + 41 and info["indexed_at"] and info["job"] is None
    # The archive holds the items and the report each file's outcome: the upload's files are gone.
    assert not (data / "uploads" / str(job["id"])).exists()


def test_a_file_that_is_not_news_gets_its_reason_in_the_report(server):
    port, data = server
    items = _call(port, "GET", "/api/status")[1]["items"]
    status, job, headers = _upload(port, [("scan.pdf", b"%PDF-1.4\x00\x00\x01binary"), ("notes.txt", b"   \n")],
                                   {"index": "false"})
    assert status == 202, job
    job = _finished(port, headers["Location"])
    assert job["state"] == "failed" and job["error"] == "no news items found in the uploaded files"
    reasons = {s["file"]: s["reason"] for s in job["result"]["skipped"]}
    assert reasons == {"notes.txt": "the file is empty", "scan.pdf": "this is a binary file, not a news export"}
    assert _call(port, "GET", "/api/status")[1]["items"] == items
    assert not (data / "uploads" / str(job["id"])).exists()  # the report says why; the files go
    listed = _call(port, "GET", "/api/jobs?limit=1", headers={"Authorization": f"Bearer {TOKEN}"})[1]["jobs"]
    assert listed[0]["id"] == job["id"] and str(data) not in json.dumps(listed)


def test_an_uploaded_files_rejections_name_it_by_its_name(server):
    port, _ = server
    first = json.dumps({"id": "twice", "title": "Ferry", "body": "The ferry sailed."})
    second = json.dumps({"id": "twice", "title": "Ferry", "body": "The ferry sank."})
    status, job, headers = _upload(port, [("wire.jsonl", f"{first}\n{second}\n".encode())], {"index": "false"})
    assert status == 202, job
    job = _finished(port, headers["Location"])
    [rejection] = job["result"]["files"][0]["rejections"]
    assert rejection == {"file": "wire.jsonl", "line": 2, "reason": "same identity as the record at wire.jsonl:1 "
                                                                    "but different content (kept the first)"}


def test_uploads_need_the_token_and_fit_the_limit(server, tmp_path):
    port, _ = server
    one = [("one.jsonl", json.dumps(NEW_ITEM).encode())]
    for token in (None, "wrong"):
        status, body, headers = _upload(port, one, token=token)
        assert status == 401 and body["error"]["code"] == "unauthorized", body
        assert headers["WWW-Authenticate"] == 'Bearer realm="dateline"'
    status, body, _ = _upload(port, [("big.jsonl", b"x" * (1024 * 1024 + 1))])
    assert status == 413 and body["error"]["code"] == "request_entity_too_large"
    assert "upload_max_mb" in body["error"]["message"]
    status, body, _ = _upload(port, [], {"source": "Polar Times"})
    assert status == 422 and body["error"]["field"] == "file"
    status, body, _ = _upload(port, one, {"year": "nineteen"})
    assert status == 422 and body["error"]["field"] == "year"

    # No token set: uploads over HTTP are off.
    client = create_app({"DATA_DIR": str(tmp_path), "REINDEX_TOKEN": ""}).test_client()
    body, content_type = multipart(one)
    response = client.post("/api/import", data=body, content_type=content_type,
                           headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "reindex_disabled"
