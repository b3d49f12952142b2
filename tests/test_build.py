"""Incremental builds: only new or changed items are chunked and embedded, stale vectors go,
the cache survives --full, publishing is atomic and a killed build is finished by the next."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, SEED
from fake_embedder import FakeEmbedder
from dateline.index import build as build_module
from dateline.index.build import build_index
from dateline.index.errors import DatelineError
from dateline.index.ingest import parse_file
from dateline.index.store import Archive
from dateline.index.generations import current_generation, index_root, open_live


def _import(data_dir: Path, path: Path) -> None:
    archive = Archive.open(data_dir)
    fmt, parsed = parse_file(path)
    archive.import_items(str(path), fmt, parsed.items, parsed.rejections)
    archive.close()


def _jsonl(tmp_path: Path, name: str, records: list[dict]) -> Path:
    path = tmp_path / f"{name}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _news(i: int, body: str | None = None) -> dict:
    return {"id": f"wire-{i}", "source": "Wire", "title": f"Harbour report {i}", "dateline": "Mombasa",
            "date": "2020-01-01", "body": body or (f"Ships number {i} docked at the harbour. " * 3).strip()}


def _chunk_ids(data_dir: Path) -> list[int]:
    conn = sqlite3.connect(data_dir / "archive.sqlite")
    try:
        return [r[0] for r in conn.execute("SELECT id FROM chunks ORDER BY id")]
    finally:
        conn.close()


def _index_ids(data_dir: Path, embedder) -> list[int]:
    return list(open_live(data_dir, embedder).ids)


@pytest.fixture
def seeded(data_dir):
    """The sample archive, indexed with the fake embedder."""
    _import(data_dir, SEED)
    fake = FakeEmbedder()
    report = build_index(data_dir, embedder=fake)
    assert report.published and report.full and report.reason == "no index yet"
    return data_dir, fake


def test_first_build_chunks_embeds_and_publishes_everything(seeded):
    data_dir, fake = seeded
    ids = _chunk_ids(data_dir)
    assert len(ids) >= 34 and len(fake.embedded) == len(ids)
    assert _index_ids(data_dir, fake) == ids


def test_nothing_changed_publishes_nothing(seeded):
    data_dir, fake = seeded
    live = current_generation(data_dir)
    report = build_index(data_dir, embedder=fake)
    assert not report.published and report.generation == live and report.embedded == 0
    assert "up to date" in report.summary()


def test_new_items_are_the_only_ones_embedded(seeded, tmp_path):
    data_dir, fake = seeded
    before = len(fake.embedded)
    _import(data_dir, _jsonl(tmp_path, "new", [_news(i) for i in range(3)]))
    report = build_index(data_dir, embedder=fake)
    new_texts = fake.embedded[before:]
    assert report.published and not report.full
    assert report.items_chunked == 3 and report.embedded == 3 == len(new_texts)
    assert all("Harbour report" in t for t in new_texts)
    assert report.chunks_added == 3 and report.chunks_removed == 0
    assert _index_ids(data_dir, fake) == _chunk_ids(data_dir)


def test_changed_and_removed_items_lose_their_old_vectors(seeded, tmp_path):
    data_dir, fake = seeded
    _import(data_dir, _jsonl(tmp_path, "v1", [_news(1), _news(2)]))
    build_index(data_dir, embedder=fake)
    old_ids = set(_chunk_ids(data_dir))
    _import(data_dir, _jsonl(tmp_path, "v2", [_news(1, "The harbour closed after a storm.")]))
    archive = Archive.open(data_dir)
    archive.remove(["wire-2"])
    archive.close()
    report = build_index(data_dir, embedder=fake)
    assert report.items_chunked == 1 and report.embedded == 1
    assert report.chunks_removed == 2 and report.chunks_added == 1
    ids = _chunk_ids(data_dir)
    assert _index_ids(data_dir, fake) == ids
    assert len(set(ids) - old_ids) == 1  # unchanged items kept their chunk ids
    live = open_live(data_dir, fake)
    hit = live.search(fake.encode_query(
        "Wire | Mombasa | 2020-01-01 | Harbour report 1\nThe harbour closed after a storm.")[None], 1)[0][0]
    assert hit[0] == max(ids) and hit[1] == pytest.approx(1.0, abs=1e-5)


def test_full_rebuild_reuses_the_embedding_cache(seeded):
    data_dir, fake = seeded
    before = len(fake.embedded)
    report = build_index(data_dir, embedder=fake, full=True)
    assert report.published and report.full and report.reason == "--full"
    assert report.embedded == 0 and len(fake.embedded) == before
    assert report.chunks_reused == report.chunks_added == 0  # same chunk ids as before
    assert _index_ids(data_dir, fake) == _chunk_ids(data_dir)


def test_another_model_rebuilds_from_its_own_cache(seeded):
    data_dir, fake = seeded
    other = FakeEmbedder(name="other-model@111111111111", dim=8)
    report = build_index(data_dir, embedder=other)
    assert report.full and "other-model" in report.reason
    assert report.embedded == len(_chunk_ids(data_dir))
    with pytest.raises(DatelineError, match="dateline index"):
        open_live(data_dir, fake)
    # Switching back costs no embedding: the first model's vectors are still cached.
    back = build_index(data_dir, embedder=fake)
    assert back.full and back.embedded == 0


def test_changed_chunker_settings_rechunk_everything(seeded, monkeypatch):
    data_dir, fake = seeded
    monkeypatch.setenv("DATELINE_CHUNK_TOKENS", "50")
    monkeypatch.setenv("DATELINE_CHUNK_OVERLAP", "10")
    with pytest.raises(DatelineError, match="chunker settings"):
        open_live(data_dir, fake)
    report = build_index(data_dir, embedder=fake)
    assert report.full and "chunker" in report.reason
    assert report.items_chunked == 34 and report.chunks > 34
    assert open_live(data_dir, fake).manifest["chunker"]["max_tokens"] == 50


def test_ivf_index_is_patched_incrementally(data_dir, tmp_path):
    _import(data_dir, _jsonl(tmp_path, "many", [_news(i) for i in range(200)]))
    fake = FakeEmbedder()
    first = build_index(data_dir, embedder=fake, index_type="ivf")
    assert first.index_type == "ivf" and first.recall_at_10 >= 0.95
    _import(data_dir, _jsonl(tmp_path, "more", [_news(i) for i in range(200, 205)]))
    report = build_index(data_dir, embedder=fake, index_type="ivf")
    assert not report.full and report.chunks_added == 5
    live = open_live(data_dir, fake)
    assert live.manifest["index_type"] == "ivf" and "nprobe" in live.manifest["search"]
    # Tuned on the bundled real questions as well as chunk-like probes.
    assert set(live.manifest["search"]["recall_by_probe"]) == {"near_chunks", "questions", "off_topic"}
    assert list(live.ids) == _chunk_ids(data_dir)
    assert build_index(data_dir, embedder=fake, index_type="flat").full  # a type change rebuilds


def test_embedding_reads_texts_within_old_sqlites_999_value_limit(data_dir, tmp_path):
    # Before SQLite 3.32 a statement binds at most 999 values; a block of 1,024 texts must not.
    _import(data_dir, _jsonl(tmp_path, "many", [_news(i) for i in range(1100)]))
    archive = Archive.open(data_dir)
    build_module.chunk_archive(archive)
    archive.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    fake = FakeEmbedder()
    embedded, _ = build_module.embed_missing(archive, fake)
    assert embedded == len(fake.embedded) == archive.conn.execute("SELECT count(DISTINCT hash) FROM chunks").fetchone()[0]
    archive.close()


def test_a_failed_publish_leaves_the_previous_generation_live(seeded, tmp_path, monkeypatch):
    data_dir, fake = seeded
    live = current_generation(data_dir)
    _import(data_dir, _jsonl(tmp_path, "new", [_news(1)]))

    def fail(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(build_module, "publish", fail)
    with pytest.raises(RuntimeError):
        build_index(data_dir, embedder=fake)
    assert current_generation(data_dir) == live
    assert open_live(data_dir, fake).ntotal == len(_chunk_ids(data_dir)) - 1
    monkeypatch.undo()
    report = build_index(data_dir, embedder=fake)
    assert report.published and report.embedded == 0  # embedded by the failed run, cached
    folders = [p for p in index_root(data_dir).iterdir() if p.is_dir()]
    assert len(folders) == 2  # the orphan of the failed run was removed


def test_a_second_concurrent_build_is_refused(seeded):
    import fcntl

    data_dir, fake = seeded
    with open(index_root(data_dir) / ".lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        with pytest.raises(DatelineError, match="another `dateline index`") as e:
            build_index(data_dir, embedder=fake)
    assert e.value.code == "busy"


def test_no_archive_says_to_import_first(data_dir):
    with pytest.raises(DatelineError, match="dateline import"):
        build_index(data_dir, embedder=FakeEmbedder())


KILLED_BUILD = """
import sys, time
sys.path.insert(0, {tests!r})
from fake_embedder import FakeEmbedder
from dateline.index import build
build._EMBED_BLOCK = 4  # many small commits, so the kill lands between two of them

class Slow(FakeEmbedder):
    def encode(self, texts, batch_size=64, progress=False):
        if len(self.embedded) >= 4:  # the first block is committed by now
            open({flag!r}, "w").close()
            time.sleep(60)
        return super().encode(texts)

build.build_index({data!r}, embedder=Slow())
"""


def test_a_killed_build_leaves_the_index_live_and_the_next_run_finishes(seeded, tmp_path):
    data_dir, fake = seeded
    live = current_generation(data_dir)
    _import(data_dir, _jsonl(tmp_path, "new", [_news(i) for i in range(12)]))
    flag = tmp_path / "embedding"
    script = KILLED_BUILD.format(tests=str(ROOT / "tests"), flag=str(flag), data=str(data_dir))
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not flag.exists():
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the build never reached its second batch"
            time.sleep(0.1)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stderr.close()
    # The previous generation is live and whole, and the archive is consistent.
    assert current_generation(data_dir) == live
    assert open_live(data_dir, fake).ntotal == len(_chunk_ids(data_dir)) - 12
    conn = sqlite3.connect(data_dir / "archive.sqlite")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    cached = conn.execute("SELECT count(*) FROM embeddings WHERE model = ?", (fake.name,)).fetchone()[0]
    conn.close()
    assert cached == len(_chunk_ids(data_dir)) - 12 + 4
    # The next run embeds only what the killed one had not, and publishes everything.
    before = len(fake.embedded)
    report = build_index(data_dir, embedder=fake)
    assert report.published and report.embedded == 8 == len(fake.embedded) - before
    assert report.chunks_added == 12 and report.chunks_reused == 4
    assert _index_ids(data_dir, fake) == _chunk_ids(data_dir)


@pytest.mark.slow
def test_cli_indexes_the_sample_with_the_real_model_and_finds_answers(cli, data_dir, tmp_path):
    from dateline.index.embed import load_embedder

    assert cli("import", str(SEED)).exit_code == 0
    result = cli("index")
    assert result.exit_code == 0, result.output
    assert "published generation" in result.output and "34 embedded" in result.output
    again = cli("index")
    assert "index is up to date" in again.output
    embedder = load_embedder()
    live = open_live(data_dir, embedder)
    archive = Archive.open(data_dir)
    (chunk_id, score), = live.search(embedder.encode_query("Iranian opposition rally in Paris")[None], 1)[0][:1] or [()]
    row = archive.conn.execute("SELECT item_id FROM chunks WHERE id = ?", (chunk_id,)).fetchone()
    assert "rally" in archive.get_item(row[0]).title.lower() or "gather" in archive.get_item(row[0]).body
    archive.close()
    _import(data_dir, _jsonl(tmp_path, "new", [_news(1)]))
    result = cli("index", "--json")
    report = json.loads(result.output)
    assert report["embedded"] == 1 and report["items_chunked"] == 1 and not report["full"]


def test_cli_without_an_archive_is_a_one_line_error(cli):
    result = cli("index")
    assert result.exit_code != 0 and "dateline import" in result.output
