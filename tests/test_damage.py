"""A damaged index pointer, damaged generation files, a damaged archive, a full disk, a read-only
folder: each gives one line that names the cause and what to run, a server that keeps what it
can and answers 503 (never 500, never a server path) for the rest, and nothing stored is lost.
Backups are consistent copies that `dateline check` verifies.

Each test works on its own copy of the indexed sample (``web_data``); the model loads once
per process. A full disk is SQLite's own SQLITE_FULL (``PRAGMA max_page_count``) or a file
size limit of 0 bytes in a subprocess (every write fails, as on a disk at 100%).
"""
from __future__ import annotations

import json
import os
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

import dateline
from conftest import HOSTILE, copy_data, free_port
from dateline.cli import main
from dateline.index.generations import current_generation, index_root
from dateline.web import create_app

pytestmark = pytest.mark.slow

ZANZIBAR = "What did the Zanzibar ferry company cancel?"  # answered by HOSTILE alone


@pytest.fixture
def data(web_data, tmp_path) -> Path:
    """A copy of the indexed sample, the archive's write-ahead log folded into its file."""
    copy = tmp_path / "data"
    copy_data(web_data, copy)
    conn = sqlite3.connect(copy / "archive.sqlite")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return copy


def _cli(runner, *args: str):
    return runner.invoke(main, list(args), catch_exceptions=False)


def _one_line_error(result, *fragments: str) -> str:
    """Assert ``result`` failed with one "Error: " line holding ``fragments``; return that line."""
    assert result.exit_code != 0, result.output
    lines = [line for line in result.output.strip().splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def _app(data: Path):
    return create_app({"DATA_DIR": str(data), "RELOAD_INTERVAL": 0, "TESTING": True}).test_client()


def _error(response, status: int, code: str, data: Path) -> str:
    """Assert ``response`` is the JSON error ``status``/``code`` with no server path; return its message."""
    body = response.get_data(as_text=True)
    assert response.status_code == status, body
    assert response.get_json()["error"]["code"] == code, body
    assert str(data) not in body and "Traceback" not in body, body
    return response.get_json()["error"]["message"]


def _asks_zanzibar(client) -> None:
    r = client.post("/api/ask", json={"question": ZANZIBAR})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.get_json()["citations"][0]["item_id"] == HOSTILE["id"]


# -- the index pointer ---------------------------------------------------------------------------

BAD_POINTERS = {
    "garbage": b"\x00\x01garbage that names nothing\n",
    "invalid UTF-8": b"\xff\xfe\x80\x81",
    "5,000 characters": b"2" * 5000 + b"\n",
    "a path": b"../../../etc\n",
    "a missing generation": b"20200101T000000000000Z\n",
}


def test_a_damaged_pointer_keeps_the_loaded_index_and_dateline_index_repairs_it(data, runner):
    serving = _app(data)
    _asks_zanzibar(serving)
    pointer = index_root(data) / "CURRENT"
    live = current_generation(data)
    for what, content in BAD_POINTERS.items():
        pointer.write_bytes(content)
        for _ in range(3):  # every request, not some: the worker keeps the generation it has
            _asks_zanzibar(serving)
        status = serving.get("/api/status")
        assert status.status_code == 200 and status.get_json()["loaded_generation"] == live, what

        # A worker that has loaded nothing yet answers 503 naming the repair, without a path.
        fresh = _app(data)
        message = _error(fresh.post("/api/ask", json={"question": ZANZIBAR}), 503,
                         "no_index" if what == "a missing generation" else "bad_index", data)
        assert "`dateline index`" in message, (what, message)

        repaired = _cli(runner, "index", "--data", str(data))
        assert repaired.exit_code == 0, repaired.output
        assert "index/CURRENT now names this generation" in repaired.output, repaired.output
        assert current_generation(data) == live  # nothing needed rebuilding: the pointer is fresh
        _asks_zanzibar(fresh)  # and the waiting worker picks it up without a restart


# -- the generation's files ----------------------------------------------------------------------

def _damage_in_place(path: Path) -> None:
    """Overwrite a stretch in the middle of ``path`` with other bytes, size unchanged."""
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.seek(size // 2)
        old = f.read(512)
        f.seek(size // 2)
        f.write(bytes(b ^ 0x5A for b in old))


def test_a_generation_written_in_place_is_refused_and_logged_until_rebuilt(data, runner, caplog):
    serving = _app(data)
    _asks_zanzibar(serving)
    live = current_generation(data)
    _damage_in_place(index_root(data) / live / "vectors.faiss")

    message = _error(serving.post("/api/ask", json={"question": ZANZIBAR}), 503, "bad_index", data)
    assert "vectors.faiss" in message and "`dateline index`" in message
    assert f"index generation {live}" in caplog.text and "vectors.faiss does not match its checksum" in caplog.text
    _error(serving.get("/api/search?q=ferry"), 503, "bad_index", data)  # refused, not hashed again

    rebuilt = _cli(runner, "index", "--data", str(data))
    assert rebuilt.exit_code == 0 and "live generation unreadable" in rebuilt.output, rebuilt.output
    assert current_generation(data) != live
    _asks_zanzibar(serving)


def test_a_damaged_new_generation_is_refused_and_the_old_one_keeps_answering(data, caplog):
    serving = _app(data)
    _asks_zanzibar(serving)
    live = current_generation(data)
    damaged = "29990101T000000000000Z"  # as a build would publish it, but with a file hit on the way
    shutil.copytree(index_root(data) / live, index_root(data) / damaged)
    _damage_in_place(index_root(data) / damaged / "ids.npy")
    (index_root(data) / "CURRENT").write_text(damaged + "\n")

    for _ in range(3):
        _asks_zanzibar(serving)
    assert serving.get("/api/status").get_json()["loaded_generation"] == live
    assert f"index generation {damaged} is damaged (ids.npy does not match its checksum)" in caplog.text
    assert f"still answering from generation {live}" in caplog.text


# -- the archive ---------------------------------------------------------------------------------

def _varint(data: bytes, at: int) -> int:
    """Read an SQLite varint (big-endian, 7 bits a byte, the ninth byte whole)."""
    value = 0
    for i in range(9):
        byte = data[at + i]
        if i == 8:
            return (value << 8) | byte
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value
    return value


def _leaf_page_of(archive: Path, item_id: str) -> tuple[int, int]:
    """Return (the number of the items table's leaf page that holds ``item_id``'s row, the page size)."""
    conn = sqlite3.connect(archive)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    page = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'items'").fetchone()[0]
    rowid = conn.execute("SELECT rowid FROM items WHERE id = ?", (item_id,)).fetchone()[0]
    conn.close()
    raw = archive.read_bytes()
    while True:  # down the table's B-tree by rowid
        start = (page - 1) * page_size
        header = start + (100 if page == 1 else 0)
        if raw[header] == 0x0D:  # a table leaf
            return page, page_size
        assert raw[header] == 0x05, f"page {page} is not a table page"
        child = int.from_bytes(raw[header + 8:header + 12], "big")  # the right-most child
        for i in range(int.from_bytes(raw[header + 3:header + 5], "big")):
            cell = start + int.from_bytes(raw[header + 12 + 2 * i:header + 14 + 2 * i], "big")
            if rowid <= _varint(raw, cell + 4):  # (left child, largest rowid under it)
                child = int.from_bytes(raw[cell:cell + 4], "big")
                break
        page = child


def _damage_page_of(data: Path, item_id: str) -> None:
    """Fill the archive page that holds ``item_id`` with random bytes."""
    archive = data / "archive.sqlite"
    page, size = _leaf_page_of(archive, item_id)
    with open(archive, "r+b") as f:
        f.seek((page - 1) * size)
        f.write(random.Random(7).randbytes(size))


def test_status_and_check_say_the_archive_is_damaged_and_what_to_do(data, runner):
    _damage_page_of(data, HOSTILE["id"])

    status = _cli(runner, "status", "--data", str(data))
    _one_line_error(status, str(data / "archive.sqlite"), "is damaged", "`dateline check`", "backup")
    info = json.loads(_cli(runner, "status", "--json", "--data", str(data)).output.split("\nError")[0])
    assert info["check"]["ok"] is False and info["check"]["problems"]

    check = _cli(runner, "check", "--data", str(data))
    _one_line_error(check, "is damaged", "restore archive.sqlite from a backup")
    assert "archive: " in check.output and "index: ok" in check.output


def test_a_damaged_archive_is_a_503_with_a_message_and_ask_a_one_line_error(data, runner):
    _damage_page_of(data, HOSTILE["id"])
    serving = _app(data)
    message = _error(serving.post("/api/ask", json={"question": ZANZIBAR}), 503, "damaged_archive", data)
    assert "archive.sqlite is damaged" in message and "`dateline check`" in message
    _one_line_error(_cli(runner, "ask", ZANZIBAR, "--data", str(data)), "archive.sqlite is damaged")


@contextmanager
def _serving(data: Path, *, preexec_fn=None, wrap: tuple[str, ...] = ()):
    """Run `dateline serve` (one worker) on ``data``, through the command ``wrap`` if given and
    calling ``preexec_fn`` in the child before it starts; yield (base URL, a function returning
    its log so far) once it answers HTTP at all, whatever the status."""
    port = free_port()
    proc = subprocess.Popen(
        [*wrap, sys.executable, "-m", "dateline", "serve", "--data", str(data), "--workers", "1",
         "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=preexec_fn)
    output: list[bytes] = []
    reader = threading.Thread(target=lambda: output.extend(iter(proc.stdout.readline, b"")), daemon=True)
    reader.start()

    def log() -> str:
        return b"".join(output).decode("utf-8", "replace")

    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert proc.poll() is None, f"`dateline serve` exited with {proc.returncode}:\n{log()}"
            try:
                urllib.request.urlopen(url + "/api/status", timeout=10).close()
                break
            except urllib.error.HTTPError as e:
                if json.loads(e.read())["error"]["code"] != "starting":
                    break  # a worker answers
            except OSError:
                pass
            assert time.monotonic() < deadline, f"`dateline serve` did not answer:\n{log()}"
            time.sleep(0.3)
        yield url, log
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        reader.join(timeout=10)
        proc.stdout.close()


def _post(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_the_server_starts_on_a_damaged_archive_logs_the_file_and_answers_503(data):
    with open(data / "archive.sqlite", "r+b") as f:
        f.write(b"this is no longer an SQLite header" * 3)
    with _serving(data) as (url, log):
        status, body = _post(url + "/api/ask", {"question": ZANZIBAR})
        assert status == 503 and body["error"]["code"] == "damaged_archive", body
        assert "archive.sqlite is damaged" in body["error"]["message"] and str(data) not in json.dumps(body)
        assert f"{data / 'archive.sqlite'}" in log() and "file is not a database" in log()


# -- a full disk, a read-only folder --------------------------------------------------------------

def test_import_on_a_full_disk_is_one_line_and_stores_nothing(data, runner, monkeypatch, tmp_path):
    from dateline.index.store import Archive

    feed = tmp_path / "big.jsonl"
    feed.write_text("".join(json.dumps({"id": f"big-{i}", "source": "Filler", "title": f"Filler {i}",
                                        "date": "2017-06-01", "body": "Tehran, 1 Jun - filler text. " * 400}) + "\n"
                            for i in range(200)), encoding="utf-8")
    before = _cli(runner, "export", "--data", str(data)).output
    opened = Archive.open.__func__

    def on_a_full_disk(cls, *args, **kwargs):
        archive = opened(cls, *args, **kwargs)
        pages = archive.conn.execute("PRAGMA page_count").fetchone()[0]
        archive.conn.execute(f"PRAGMA max_page_count = {pages + 4}")  # SQLite's own SQLITE_FULL from here
        return archive

    monkeypatch.setattr(Archive, "open", classmethod(on_a_full_disk))
    line = _one_line_error(_cli(runner, "import", str(feed), "--data", str(data)))
    assert line == (f"Error: the disk holding {data / 'archive.sqlite'} is full (database or disk is full); "
                    f"nothing was imported from {feed}: free some space and run this again")
    monkeypatch.undo()
    assert _cli(runner, "export", "--data", str(data)).output == before
    assert _cli(runner, "check", "--data", str(data)).exit_code == 0


def _no_room() -> None:
    """In a child process: let no write extend a file, as on a disk at 100%."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails with EFBIG instead of killing
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


def _dateline_with_no_room(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dateline", *args], capture_output=True, text=True,
                          preexec_fn=_no_room, timeout=300)


def test_status_and_ask_work_on_a_full_disk_and_import_says_why_not(data, tmp_path):
    status = _dateline_with_no_room("status", "--data", str(data))
    assert status.returncode == 0 and "items: 35" in status.stdout, status.stdout + status.stderr
    asked = _dateline_with_no_room("ask", ZANZIBAR, "--data", str(data))
    assert asked.returncode == 0 and "Zanzibar" in asked.stdout, asked.stdout + asked.stderr

    feed = tmp_path / "one.jsonl"
    feed.write_text(json.dumps({"id": "one", "title": "One", "body": "Paris, 2 Jun - One more item."}) + "\n")
    imported = _dateline_with_no_room("import", str(feed), "--data", str(data))
    assert imported.returncode != 0 and "Traceback" not in imported.stderr, imported.stderr
    [line] = imported.stderr.strip().splitlines()
    assert str(data / "archive.sqlite") in line and "nothing was imported" in line, line


# In a private mount namespace: a small memory disk holding a copy of the data, then filled
# (every block, then every inode) and mounted over /tmp as well; the server runs with no room to
# grow any file elsewhere either. Arguments: the mount point, the data to copy, the command.
ON_A_FULL_DISK = r"""set -e
mount -t tmpfs -o size=32m,nr_inodes=64 tmpfs "$1"
cp -a "$2" "$1/data"
dd if=/dev/zero of="$1/filler" bs=1M 2>/dev/null || true
i=0; while touch "$1/empty-$i" 2>/dev/null; do i=$((i + 1)); done
mount --bind "$1" /tmp
shift 2; exec prlimit --fsize=0 "$@"
"""


def _namespaces_work() -> bool:
    """Whether this machine lets the tests mount a memory disk in a private mount namespace."""
    if not (shutil.which("unshare") and shutil.which("prlimit")):
        return False
    tried = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
                            "mount -t tmpfs -o size=1m tmpfs /mnt"], capture_output=True)
    return tried.returncode == 0


@pytest.mark.parametrize("disk", ["no file can grow", "a full filesystem under the data and /tmp"])
def test_serve_starts_and_answers_on_a_full_disk(data, tmp_path, disk):
    """Nothing `dateline serve` needs to start may be a new file on a disk: gunicorn's worker
    heartbeat file (by default in the temp folder) and the workers' socket folder in /tmp once
    stopped it. The first case fails on the heartbeat, the second on the socket folder too."""
    if disk == "no file can grow":
        serving = _serving(data, preexec_fn=_no_room)
    else:
        if not _namespaces_work():
            pytest.skip("cannot mount a memory disk in a private mount namespace here (unshare)")
        if any(Path(p).absolute().is_relative_to("/tmp") for p in (sys.prefix, dateline.__file__)):
            # The full disk is mounted over /tmp: a checkout there would vanish under it.
            pytest.skip("this checkout or its Python lives under /tmp, which the test covers with a full disk")
        (tmp_path / "disk").mkdir()
        wrap = ("unshare", "--user", "--map-root-user", "--mount", "--propagation", "private",
                "sh", "-c", ON_A_FULL_DISK, "sh", str(tmp_path / "disk"), str(data))
        serving = _serving(Path("/tmp/data"), wrap=wrap)
    with serving as (url, log):
        status, body = _post(url + "/api/ask", {"question": ZANZIBAR})
        assert status == 200, (body, log())
        found = [c["item_id"] for c in body["citations"]] + [n["item_id"] for n in body["nearest"] or []]
        assert HOSTILE["id"] in found, body  # the archive was read, not only opened
        with urllib.request.urlopen(url + "/api/status", timeout=30) as r:
            assert r.status == 200 and json.loads(r.read())["items"] == 35, log()
        assert "Traceback" not in log(), log()


def test_a_read_only_index_folder_is_one_line_from_dateline_index(data, runner):
    folder = index_root(data)
    live = current_generation(data)
    if os.geteuid() != 0:
        folder.chmod(0o555)
        undo = lambda: folder.chmod(0o755)  # noqa: E731
    else:  # root ignores file modes; the immutable attribute binds root too
        if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
            pytest.skip("running as root without chattr +i: cannot make a folder read-only for root")
        undo = lambda: subprocess.run(["chattr", "-i", str(folder)], check=True)  # noqa: E731
    try:
        line = _one_line_error(_cli(runner, "index", "--full", "--data", str(data)), str(folder))
        assert "make it and its folder writable" in line, line
    finally:
        undo()
    assert current_generation(data) == live and sorted(p.name for p in folder.iterdir() if p.is_dir()) == [live]


# -- backup --------------------------------------------------------------------------------------

def test_backup_while_writing_is_a_consistent_copy_that_check_verifies_and_serves(data, runner, tmp_path):
    backup = tmp_path / "backups" / "today"
    writer = sqlite3.connect(data / "archive.sqlite", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # an import in the middle of its file
    writer.execute("DELETE FROM items WHERE id = ?", (HOSTILE["id"],))
    try:
        made = _cli(runner, "backup", str(backup), "--data", str(data))
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert made.exit_code == 0, made.output
    assert f"to {backup}" in made.output and "dateline check --data" in made.output

    assert _cli(runner, "check", "--data", str(backup)).exit_code == 0
    assert current_generation(backup) == current_generation(data)
    # A second backup replaces the first; a folder holding other things is refused.
    assert _cli(runner, "backup", str(backup), "--data", str(data)).exit_code == 0
    _one_line_error(_cli(runner, "backup", str(tmp_path), "--data", str(data)), "not empty")
    _asks_zanzibar(_app(backup))  # the copy is a data directory: restore = point --data at it
    # What the backup holds is verified: a damaged copy fails the check, naming the file.
    _damage_in_place(index_root(backup) / current_generation(backup) / "vectors.faiss")
    check = _cli(runner, "check", "--data", str(backup))
    _one_line_error(check, "the index is damaged")
    assert "vectors.faiss does not match its checksum" in check.output
