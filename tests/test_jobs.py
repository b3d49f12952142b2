"""Jobs: every import and index build is recorded with its state and report, whether it ran from
the command line or the server; one writer at a time (a second job waits, queued); a job whose
process was killed leaves only whole files in the archive and shows as failed afterwards."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from dateline.index import jobs
from dateline.web import create_app
from conftest import copy_data

GOOD = {"id": "jobs-1", "source": "Polar Times", "title": "Ice road opens",
        "body": "Tromso, 3 Mar 2018 - The ice road to the islands opened for the winter."}


def _dateline(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "dateline", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _wait_for(what, condition, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        assert time.monotonic() < deadline, f"waited {timeout:.0f} s for {what}"
        time.sleep(0.02)
    return found


def test_cli_import_and_index_are_listed_with_their_reports(cli, data_dir, tmp_path):
    feed = tmp_path / "feeds" / "polar.jsonl"
    feed.parent.mkdir()
    feed.write_text(json.dumps(GOOD) + "\n{not json\n", encoding="utf-8")
    assert cli("import", str(feed)).exit_code == 0
    assert cli("index").exit_code == 0

    listed = cli("jobs")
    assert listed.exit_code == 0
    index_line, import_line = listed.output.splitlines()[:2]
    assert "index" in index_line and "done" in index_line and "cli" in index_line and "1 embedded" in index_line
    assert "import" in import_line and "done" in import_line and "1 added" in import_line and "1 rejected" in import_line

    built, imported = json.loads(cli("jobs", "--json", "--limit", "2").output)
    assert built["kind"] == "index" and built["result"]["published"] and built["result"]["chunks"] == 1
    assert built["progress"]["unit"] == "chunks" and built["progress"]["done"] == 1
    assert imported["result"]["totals"] == {"added": 1, "updated": 0, "unchanged": 0, "rejected": 1, "undated": 0}
    assert imported["result"]["files"][0]["rejections"] == [
        {"file": str(feed), "line": 2, "reason": imported["result"]["files"][0]["rejections"][0]["reason"]}]
    assert imported["pid"] == os.getpid() and imported["finished_at"] >= imported["started_at"]

    # The API lists the same jobs, with file names only: no server path, no pid.
    client = create_app({"DATA_DIR": str(data_dir), "REINDEX_TOKEN": "t"}).test_client()
    listed = client.get("/api/jobs").get_json()["jobs"]
    assert [(j["kind"], j["state"], j["origin"]) for j in listed] == [("index", "done", "cli"), ("import", "done", "cli")]
    rejection = listed[1]["result"]["files"][0]["rejections"][0]
    assert rejection["file"] == "polar.jsonl" and rejection["line"] == 2 and "JSON" in rejection["reason"]
    assert str(tmp_path) not in json.dumps(listed) and "pid" not in listed[0]
    assert client.get(f"/api/jobs/{listed[1]['id']}").get_json() == listed[1]
    assert client.get("/api/jobs/999").status_code == 404


def test_a_file_that_is_not_news_fails_the_import_job_with_its_reason(cli, data_dir, tmp_path):
    junk = tmp_path / "photo.jpg.txt"
    junk.write_bytes(b"\x00\x01\x02 not news")
    result = cli("import", str(junk))
    assert result.exit_code != 0 and "binary file" in result.output
    [job] = jobs.recent(data_dir)
    assert job.state == "failed" and job.kind == "import" and "binary file" in job.error


def _feed(folder: Path, n_files: int, items: int) -> list[Path]:
    """``n_files`` JSONL exports of ``items`` long items each: a few seconds to import in all."""
    folder.mkdir()
    paths = []
    for f in range(n_files):
        path = folder / f"part-{f}.jsonl"
        with open(path, "w", encoding="utf-8") as out:
            for i in range(items):
                out.write(json.dumps({"id": f"p{f}-{i}", "source": "Filler", "title": f"Filler {f} {i}",
                                      "date": "2017-06-01", "body": f"Tehran, 1 Jun - item {f} {i}. " * 60}) + "\n")
        paths.append(path)
    return paths


def _items_per_file(data_dir: Path) -> dict[str, int]:
    conn = sqlite3.connect(data_dir / "archive.sqlite")
    try:
        rows = conn.execute("SELECT substr(origin, 1, instr(origin, '.jsonl') + 5), count(*) FROM items GROUP BY 1")
        return {Path(path).name: n for path, n in rows}
    finally:
        conn.close()


def test_a_killed_import_leaves_whole_files_and_shows_as_failed(cli, data_dir, tmp_path):
    files = _feed(tmp_path / "feed", n_files=6, items=1500)
    assert cli("import", str(files[0])).exit_code == 0  # the archive exists, one file in it

    importing = _dateline("import", str(tmp_path / "feed"), "--data", str(data_dir))
    try:
        # Killed once its second file is committed: others are still to come.
        _wait_for("a second file", lambda: len(_items_per_file(data_dir)) >= 2 or importing.poll() is not None)
        os.kill(importing.pid, signal.SIGKILL)
    finally:
        if importing.poll() is None:
            importing.kill()
        _, err = importing.communicate()
    assert importing.returncode == -signal.SIGKILL, err

    counts = _items_per_file(data_dir)
    assert set(counts.values()) == {1500}, counts  # each file whole, or absent
    assert len(counts) < len(files), "the import finished before it was killed"
    killed = jobs.recent(data_dir, 1)[0]
    assert killed.pid == importing.pid

    # The next command that opens the jobs marks it failed; the import can simply run again.
    listed = cli("jobs")
    assert f"{killed.id}  import  failed" in listed.output and jobs.STOPPED in listed.output
    again = cli("import", str(tmp_path / "feed"))
    assert again.exit_code == 0 and "total: " in again.output
    assert _items_per_file(data_dir) == {f.name: 1500 for f in files}
    assert jobs.get(data_dir, killed.id).state == "failed"
    assert jobs.recent(data_dir, 1)[0].state == "done"


def test_a_second_job_waits_queued_while_one_runs(cli, data_dir, tmp_path, web_data):
    copy_data(web_data, data_dir)
    feed = tmp_path / "one.jsonl"
    feed.write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    client = create_app({"DATA_DIR": str(data_dir), "RELOAD_INTERVAL": 3600}).test_client()
    items = client.get("/api/status").get_json()["items"]

    # A rebuild "started in a shell": this process holds the writer lock as a running index job.
    with jobs.run(data_dir, "index", origin="cli") as building:
        building.progress(10, 40, unit="chunks", phase="embedding")
        status = client.get("/api/status").get_json()
        assert status["reindex"]["running"] and status["job"]["id"] == building.id
        assert status["job"]["state"] == "running" and status["job"]["progress"]["done"] == 10

        waiting = _dateline("import", str(feed), "--data", str(data_dir))
        queued = _wait_for("the import to queue", lambda: next(
            (j for j in jobs.recent(data_dir, 5) if j.kind == "import" and j.pid == waiting.pid), None))
        time.sleep(1.0)  # it stays queued, its file not imported
        assert jobs.get(data_dir, queued.id).state == "queued" and waiting.poll() is None
        assert client.get("/api/status").get_json()["items"] == items
        assert client.get(f"/api/jobs/{queued.id}").get_json()["state"] == "queued"
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert f"waiting for job {building.id} (index, from cli) to finish" in err
    assert "1 added" in out
    done = jobs.get(data_dir, queued.id)
    assert done.state == "done" and done.started_at >= jobs.get(data_dir, building.id).finished_at
    assert client.get("/api/status").get_json()["items"] == items + 1
