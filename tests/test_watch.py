"""`dateline watch` (issue 14): folders and feeds imported cycle by cycle, a feed fetched with a
conditional GET (an unchanged feed is one 304 and imports nothing), a feed that fails or answers
garbage logged and skipped while the rest of the cycle goes on, a bad file reported once, and
each cycle a job of origin "watch".

The feeds come from a real HTTP server on 127.0.0.1 run by the test. Tests of the plumbing
build the index with the fake embedder; the one that asks for an item uses the real model.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from dateline.index import jobs
from dateline.index.errors import DatelineError
from dateline.index.store import Archive
from dateline.index.watch import Watcher, feeds
from fake_embedder import FakeEmbedder

FEED_TITLE = "Harbour Gazette"


def _entry(n: int, title: str, day: int) -> str:
    return (f"<item><title>{title}</title><link>https://harbour.example/{n}</link>"
            f"<pubDate>{day:02d} Jun 2017 08:00:00 GMT</pubDate>"
            f"<description>Zanzibar, {day} Jun - {title}, the harbour master said on the day.</description></item>")


def _feed(*entries: str) -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{FEED_TITLE}</title>'
            f"<link>https://harbour.example/</link>{''.join(entries)}</channel></rss>").encode()


class FeedServer:
    """A feed on a local HTTP server that honours If-None-Match / If-Modified-Since, and records
    each request's conditional headers and the status it answered."""

    def __init__(self):
        self.body = _feed()
        self.changed = formatdate(time.time() - 3600, usegmt=True)
        self.mode = "feed"  # or "500", "garbage", "slow"
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                etag = '"' + hashlib.sha256(server.body).hexdigest()[:16] + '"'
                seen = {"If-None-Match": self.headers.get("If-None-Match"),
                        "If-Modified-Since": self.headers.get("If-Modified-Since")}
                if server.mode == "slow":
                    time.sleep(3)
                if server.mode == "500":
                    status, body = 500, b"<html>Internal Server Error</html>"
                elif server.mode == "garbage":
                    status, body = 200, b"\x89PNG\r\n\x1a\n this is not a feed at all" * 20
                elif seen["If-None-Match"] == etag:
                    status, body = 304, b""
                else:
                    status, body = 200, server.body
                server.requests.append({**seen, "status": status})
                self.send_response(status)
                if status in (200, 304) and server.mode == "feed":
                    self.send_header("ETag", etag)
                    self.send_header("Last-Modified", server.changed)
                if status != 304:
                    self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status != 304:
                    self.wfile.write(body)

            def log_message(self, *args):  # the test reads self.requests instead
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/feed.xml"

    def publish(self, *entries: str) -> None:
        """Serve a new version of the feed, as a site does when it adds an entry."""
        self.body = _feed(*entries)
        self.changed = formatdate(time.time(), usegmt=True)


@pytest.fixture
def feed_server():
    server = FeedServer()
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def data(tmp_path) -> Path:
    return tmp_path / "data"


def _watcher(data: Path, folders=(), feed_urls=(), **kwargs) -> Watcher:
    return Watcher(data, folders=list(folders), feeds=list(feed_urls), embedder=FakeEmbedder(), **kwargs)


def _items(data: Path) -> dict[str, dict]:
    """Every stored item by title: source, date, origin."""
    archive = Archive.open(data, create=False)
    try:
        return {i.title: {"source": i.source, "date": i.date, "origin": i.origin} for i in archive.iter_items()}
    finally:
        archive.close()


def _drop(folder: Path, name: str, text: str) -> Path:
    """Write a file into a watched folder, as finished a while ago (a file modified under
    folders.SETTLE_S ago is left for the next cycle, as one still being copied)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    old = time.time() - 60
    os.utime(path, (old, old))
    return path


def _jsonl(*records: dict) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


def test_a_feed_is_imported_then_costs_one_304_until_an_entry_is_added(data, feed_server):
    feed_server.publish(_entry(1, "Ferry to Pemba cancelled", 24), _entry(2, "Harbour cranes idle", 25))
    watcher = _watcher(data, feed_urls=[feed_server.url])

    first = watcher.cycle()
    assert first.error is None and first.summary.totals["added"] == 2, first.line()
    assert first.index["published"], first.index
    items = _items(data)
    assert items["Ferry to Pemba cancelled"] == {"source": FEED_TITLE, "date": "2017-06-24",
                                                 "origin": f"{feed_server.url}: entry 1"}
    assert feed_server.requests == [{"If-None-Match": None, "If-Modified-Since": None, "status": 200}]
    etag = json.loads((data / "watch.json").read_text())["feeds"][feed_server.url]["etag"]

    # Unchanged: one conditional request, answered 304; nothing imported, no job, no build.
    jobs_before = [j.id for j in jobs.recent(data)]
    second = watcher.cycle()
    assert feed_server.requests[-1] == {"If-None-Match": etag, "If-Modified-Since": feed_server.changed,
                                        "status": 304}
    assert second.feeds_unchanged == 1 and not second.summary.reports and second.index is None, second.line()
    assert "nothing new" in second.line() and "1 feed not modified" in second.line()
    assert [j.id for j in jobs.recent(data)] == jobs_before and _items(data) == items

    # A new entry: imported on the next cycle with the feed's name and the entry's date, indexed.
    feed_server.publish(_entry(3, "Dhow race postponed", 27), _entry(1, "Ferry to Pemba cancelled", 24),
                        _entry(2, "Harbour cranes idle", 25))
    third = watcher.cycle()
    assert feed_server.requests[-1]["If-None-Match"] == etag and feed_server.requests[-1]["status"] == 200
    assert third.summary.totals == {"added": 1, "updated": 0, "unchanged": 2, "rejected": 0, "undated": 0}, third.line()
    assert _items(data)["Dhow race postponed"]["source"] == FEED_TITLE
    assert _items(data)["Dhow race postponed"]["date"] == "2017-06-27"
    assert third.index["published"] and third.index["chunks"] == 3, third.index

    # Each cycle that imported is a job of origin "watch", with the import's report as its result.
    watched = [j for j in jobs.recent(data) if j.origin == "watch"]
    assert [j.state for j in watched] == ["done", "done"]
    assert watched[0].result["totals"]["added"] == 1 and watched[0].result["index"]["published"]


def test_source_overrides_the_feed_title_and_a_restart_keeps_the_feed_conditional(data, feed_server):
    feed_server.publish(_entry(1, "Ferry to Pemba cancelled", 24))
    _watcher(data, feed_urls=[feed_server.url], source="Wire").cycle()
    assert _items(data)["Ferry to Pemba cancelled"]["source"] == "Wire"
    # A new process (a restart) reads what was seen from watch.json: still a 304.
    again = _watcher(data, feed_urls=[feed_server.url], source="Wire").cycle()
    assert feed_server.requests[-1]["status"] == 304 and again.feeds_unchanged == 1


@pytest.mark.parametrize("failure", ["500", "garbage", "slow", "down"])
def test_a_failing_feed_is_logged_and_skipped_while_the_folder_is_imported(data, tmp_path, feed_server, failure,
                                                                           monkeypatch, caplog):
    feed_server.publish(_entry(1, "Ferry to Pemba cancelled", 24))
    feed_server.mode = failure if failure != "down" else "feed"
    url = feed_server.url
    if failure == "down":  # nothing listens there any more
        feed_server.httpd.shutdown()
        feed_server.httpd.server_close()
    monkeypatch.setattr(feeds, "FETCH_TIMEOUT_S", 1.0)  # "slow" answers after 3 s
    folder = tmp_path / "incoming"
    _drop(folder, "wire.jsonl", _jsonl({"id": "w1", "source": "Wire", "title": "Port strike ends",
                                        "date": "2017-06-26", "body": "Mombasa, 26 Jun - The port strike ended."}))
    caplog.set_level(logging.INFO, logger="dateline.index.watch")

    report = _watcher(data, folders=[folder], feed_urls=[url]).cycle()
    why = {"500": "the server answered HTTP 500 Internal Server Error", "garbage": "not a readable feed",
           "slow": "no answer within 1 s", "down": "cannot reach it (Connection refused)"}[failure]
    assert len(report.feeds_failed) == 1 and why in report.feeds_failed[0][1], report.feeds_failed
    assert f"feed {url} skipped: {why}" in caplog.text
    assert report.error is None and report.summary.totals["added"] == 1 and report.index["published"]
    assert "1 feed skipped" in report.line() and set(_items(data)) == {"Port strike ends"}
    # Nothing was stored for the feed: the next cycle asks for it whole again.
    assert url not in json.loads((data / "watch.json").read_text())["feeds"]


def test_a_bad_file_is_reported_once_and_read_again_when_it_changes(data, tmp_path, caplog):
    folder = tmp_path / "incoming"
    good = _drop(folder, "good.jsonl", _jsonl({"id": "g1", "title": "Port strike ends", "date": "2017-06-26",
                                               "body": "Mombasa, 26 Jun - The port strike ended."}))
    bad = folder / "photo.html"
    bad.write_bytes(b"<html>\x00\x01\x02" + bytes(range(256)))
    os.utime(bad, (time.time() - 60, time.time() - 60))
    watcher = _watcher(data, folders=[folder])
    caplog.set_level(logging.INFO, logger="dateline.index.watch")

    first = watcher.cycle()
    assert [s.path for s in first.summary.skipped] == [bad] and first.summary.totals["added"] == 1
    assert f"{bad}: this is a binary file, not a news export (not retried until it changes)" in caplog.text
    assert "1 file rejected" in first.line()

    caplog.clear()
    second = watcher.cycle()
    assert str(bad) not in caplog.text, caplog.text  # reported once
    assert second.files_unchanged == 2 and not second.summary.skipped and second.index is None, second.line()

    # Fixed, it is read again (and only it: the good file is not).
    _drop(folder, "photo.html", "<html><head><title>Harbour reopens</title></head><body><article>"
          + "<p>Zanzibar, 28 Jun - The harbour reopened on Wednesday after the storms, the port said. " * 5
          + "</p></article></body></html>")
    third = watcher.cycle()
    assert [r.path for r in third.summary.reports] == [str(bad)] and third.summary.totals["added"] == 1, third.line()
    assert good.exists() and third.files_unchanged == 1


class FailingEmbedder(FakeEmbedder):
    """An embedder that fails as a full disk or a killed process would stop a build."""

    def encode(self, texts, batch_size=64, progress=False):
        raise DatelineError("the build was cut short", status=503)


def test_a_build_cut_short_is_finished_by_the_next_cycle_even_after_a_restart(data, tmp_path):
    folder = tmp_path / "incoming"
    _drop(folder, "wire.jsonl", _jsonl({"id": "w1", "title": "Port strike ends", "date": "2017-06-26",
                                        "body": "Mombasa, 26 Jun - The port strike ended."}))
    cut = Watcher(data, folders=[folder], embedder=FailingEmbedder()).cycle()
    assert cut.error and "the build was cut short" in cut.error and cut.summary.totals["added"] == 1
    assert "stopped: the build was cut short" in cut.line()
    assert jobs.recent(data)[0].state == "failed"

    restarted = _watcher(data, folders=[folder])
    caught_up = restarted.cycle()  # nothing new in the folder, but the index is behind
    assert caught_up.error is None and not caught_up.summary.reports and caught_up.index["published"]
    assert caught_up.index["chunks"] == 1 and jobs.recent(data)[0].kind == "index"
    assert restarted.cycle().index is None  # and then it is up to date: no build, no job


def test_a_file_still_being_written_waits_for_the_next_cycle(data, tmp_path):
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "copying.jsonl").write_text(_jsonl({"id": "c1", "title": "Half", "body": "Oslo, 2 Feb - Half."}))
    report = _watcher(data, folders=[folder]).cycle()
    assert report.files_settling == 1 and not report.summary.reports and "1 still being written" in report.line()


def test_dateline_watch_once_imports_dropped_files_that_ask_then_finds(cli, data_dir, tmp_path):
    """The CLI end to end, with the real model: each `--once` run imports what was dropped
    since the last (the state is kept between processes) and the new item is found by `ask`."""
    folder = tmp_path / "incoming"
    _drop(folder, "monday.jsonl", _jsonl({"id": "ferry", "source": "Harbour Gazette", "title": "Ferry to Pemba cancelled",
                                          "date": "2017-06-26", "body": "Zanzibar, 26 Jun - The ferry company "
                                          "cancelled all sailings to Pemba because of the storm."}))
    first = cli("watch", str(folder), "--once")
    assert first.exit_code == 0, first.output

    _drop(folder, "tuesday.jsonl", _jsonl({"id": "cranes", "source": "Harbour Gazette", "title": "New cranes arrive",
                                           "date": "2017-06-27", "body": "Dar es Salaam, 27 Jun - Two container "
                                           "cranes arrived at the port from Shanghai on Tuesday."}))
    second = cli("watch", str(folder), "--once")
    assert second.exit_code == 0, second.output
    imports = Archive.open(data_dir, create=False)
    try:
        assert [i["path"] for i in imports.status()["imports"]] == [str(folder / "tuesday.jsonl"),
                                                                     str(folder / "monday.jsonl")]
    finally:
        imports.close()

    asked = cli("ask", "Where did the container cranes come from?", "--json")
    answer = json.loads(asked.output)
    # Found: cited, or (an archive of two items gives the answerer little to be sure of) the nearest.
    ranked = [c["item_id"] for c in answer["citations"]] + [n["item_id"] for n in answer["nearest"] or []]
    assert ranked[0] == "cranes", asked.output
    assert [j.origin for j in jobs.recent(data_dir)] == ["watch", "watch"]


def test_watch_says_what_is_wrong_with_its_arguments(cli, tmp_path):
    assert "name at least one PATH or --feed URL" in cli("watch", "--once").output
    assert "'15x' is not a duration such as 30s, 15m or 1h" in cli("watch", str(tmp_path), "--every", "15x").output
    refused = cli("watch", "--feed", "file:///etc/passwd", "--once")
    assert refused.exit_code == 1 and "file:///etc/passwd: a feed must be an http:// or https:// URL" in refused.output
