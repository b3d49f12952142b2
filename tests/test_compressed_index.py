"""Compressed indexes (ivf-sq8, ivf-pq) through the CLI on a small real archive: they build
(with codebooks cut down to its size), answer as exact search does, filters work, `dateline
check` covers the exact vectors file, and an incremental build keeps that file in step."""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import REUTERS
from dateline.index.generations import EXACT_FILE, current_generation, index_root, open_live
from dateline.index.ingest import parse_file
from dateline.index.store import Archive
from dateline.qa.engine import Engine

FIRST_ITEMS = 280  # indexed first; the next 20 of reut2-000.sgm arrive in the incremental build
QUESTIONS = [
    "How many ships were waiting at the Panama Canal?",
    "Did Shultz say he would resign over the Iran report?",
    "What is Brazil's anti-inflation plan?",
    "Senators introduce export licensing reform bill",
    "What did OPEC decide about oil production?",
]


def _dateline(*args: str) -> subprocess.CompletedProcess:
    """Run the real CLI in a child process; fail with its output when it exits non-zero."""
    done = subprocess.run([sys.executable, "-m", "dateline", *args], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def _import(data: Path, start: int, stop: int) -> list:
    """Import items ``start:stop`` of reut2-000.sgm into ``data``; return them."""
    path = REUTERS / "reut2-000.sgm"
    fmt, parsed = parse_file(path)
    archive = Archive.open(data)
    archive.import_items(str(path), fmt, parsed.items[start:stop], [])
    archive.close()
    return parsed.items[start:stop]


def _copy(data: Path, tmp_path: Path, name: str) -> Path:
    """Copy a data folder (archive, embedding cache and index) for a test that changes it."""
    return Path(shutil.copytree(data, tmp_path / name))


def _top_item(engine: Engine, question: str, **filters) -> str:
    answer = engine.ask(question, **filters)
    assert answer.found, answer.answer
    return answer.citations[0].item_id


@pytest.fixture(scope="module")
def pq_build(tmp_path_factory) -> tuple[Path, str]:
    """The first 280 Reuters items, indexed by `dateline index --index-type ivf-pq` with the real
    model; returns the data folder and the build's output. Read-only: tests that change it copy it."""
    data = tmp_path_factory.mktemp("pq") / "data"
    _import(data, 0, FIRST_ITEMS)
    done = _dateline("index", "--index-type", "ivf-pq", "--data", str(data))
    return data, done.stdout + done.stderr


@pytest.fixture(scope="module")
def flat_data(pq_build, tmp_path_factory) -> Path:
    """The same archive with an exact (flat) index, built from the embedding cache."""
    data = _copy(pq_build[0], tmp_path_factory.mktemp("flat"), "data")
    done = _dateline("index", "--index-type", "flat", "--data", str(data))
    assert "0 embedded" in done.stdout + done.stderr
    return data


def test_ivf_pq_is_built_and_says_how_it_fit_a_small_archive(pq_build):
    data, output = pq_build
    live = open_live(data)
    assert live.manifest["index_type"] == "ivf-pq"
    search = live.manifest["search"]
    assert search["nprobe"] >= 1 and search["rerank"] >= 10 and search["recall_at_10"] >= 0.95
    # ~470 chunks cannot train 256-entry codebooks: the build says what it did instead.
    assert "ivf-pq index" in output and "too few to train 256-entry ivf-pq codebooks" in output, output
    # The exact vectors: one float32 row per id, listed (with its checksum) in the manifest.
    assert EXACT_FILE in live.manifest["checksums"]
    assert live.stored.dtype == np.float32 and live.stored.shape == (len(live.ids), 384)
    # 64 sub-quantizer codes (4 bits each here) and some KB of codebooks, where flat holds 1,536 B.
    assert (data / "index" / live.generation / "vectors.faiss").stat().st_size < 200 * len(live.ids)


def test_ivf_pq_answers_as_exact_search_does(pq_build, flat_data):
    pq, flat = Engine(pq_build[0]), Engine(flat_data)
    for question in QUESTIONS:
        assert _top_item(pq, question) == _top_item(flat, question), question
    asked = _dateline("ask", "--json", QUESTIONS[0], "--data", str(pq_build[0]))
    assert f'"item_id": "{_top_item(flat, QUESTIONS[0])}"' in asked.stdout.replace('":"', '": "')


def test_filters_work_on_ivf_pq(pq_build, flat_data):
    pq, flat = Engine(pq_build[0]), Engine(flat_data)
    filters = dict(date_from="1987-02-27", date_to="1987-02-27")  # "WELLINGTON, Feb 27 -", stamped 26 Feb GMT
    answer = pq.ask("What happened to foreign reserves, from Wellington?", **filters)
    assert answer.found and answer.citations
    assert all(c.dateline == "Wellington" and c.date == "1987-02-27" for c in answer.citations)
    assert answer.citations[0].item_id == _top_item(flat, "What happened to foreign reserves, from Wellington?",
                                                    **filters)
    for question in QUESTIONS:  # a filter that leaves a third of the archive: the same stories
        found = [p.item for p in pq.search(question, k=5, date_from="1987-03-01")]
        assert found and all(item.date >= "1987-03-01" for item in found), question
        assert [i.id for i in found] == [p.item.id for p in flat.search(question, k=5, date_from="1987-03-01")]


def test_check_passes_and_finds_a_damaged_exact_vectors_file(pq_build, tmp_path):
    data = _copy(pq_build[0], tmp_path, "data")
    _dateline("check", "--data", str(data))
    path = index_root(data) / current_generation(data) / EXACT_FILE
    with open(path, "r+b") as f:  # one vector component, deep in the file: the header still reads
        f.seek(path.stat().st_size // 2)
        byte = f.read(1)
        f.seek(-1, 1)
        f.write(bytes([byte[0] ^ 0x40]))
    damaged = subprocess.run([sys.executable, "-m", "dateline", "check", "--data", str(data)],
                             capture_output=True, text=True, timeout=300)
    assert damaged.returncode != 0
    assert f"{EXACT_FILE} does not match its checksum" in damaged.stdout + damaged.stderr


def _cached_vectors(data: Path, ids: np.ndarray) -> np.ndarray:
    """Return the embedding cache's vectors of chunk ``ids``, in order."""
    conn = sqlite3.connect(data / "archive.sqlite")
    try:
        found = dict(conn.execute("SELECT c.id, e.vector FROM chunks c JOIN embeddings e ON e.hash = c.hash"))
    finally:
        conn.close()
    return np.stack([np.frombuffer(found[int(i)], dtype=np.float32) for i in ids])


def test_an_incremental_build_keeps_the_exact_vectors_in_step(pq_build, tmp_path):
    data = _copy(pq_build[0], tmp_path, "data")
    before = open_live(data)
    added = _import(data, FIRST_ITEMS, FIRST_ITEMS + 20)
    archive = Archive.open(data)  # and one item goes: its rows must leave the file too
    gone = archive.conn.execute("SELECT id FROM items ORDER BY id LIMIT 1").fetchone()[0]
    archive.remove([gone])
    archive.close()
    done = _dateline("index", "--index-type", "ivf-pq", "--data", str(data))
    output = done.stdout + done.stderr
    assert "full rebuild" not in output and "0 removed" not in output, output  # patched, not rebuilt
    live = open_live(data)
    assert live.generation != before.generation and len(live.ids) > len(before.ids)
    assert np.array_equal(live.stored, _cached_vectors(data, live.ids))
    _dateline("check", "--data", str(data))
    # The new items are found, as exact search finds them.
    flat = _copy(data, tmp_path, "flat")
    _dateline("index", "--index-type", "flat", "--data", str(flat))
    pq, exact = Engine(data), Engine(flat)
    new_ids = {item.id for item in added}
    for item in [i for i in added if i.title][:3]:
        assert _top_item(pq, item.title) == _top_item(exact, item.title), item.title
        assert new_ids & {p.item.id for p in pq.search(item.title, k=5)}, item.title


def test_ivf_sq8_too_few_chunks_fall_back_to_flat_and_say_so(tmp_path):
    data = tmp_path / "data"
    _import(data, 0, 12)  # a few dozen chunks: too few to train any IVF index
    done = _dateline("index", "--index-type", "ivf-sq8", "--data", str(data))
    output = done.stdout + done.stderr
    assert "flat index" in output and "too few to train a ivf-sq8 index" in output, output
    assert open_live(data).manifest["index_type"] == "flat"
    engine = Engine(data)
    assert engine.ask("What did the company report?").citations


def test_ivf_sq8_builds_and_finds_what_exact_search_finds(tmp_path):
    from fake_embedder import FakeEmbedder

    from dateline.index.build import build_index
    from dateline.index.faiss_index import exact_neighbours, recall_at, tuning_queries

    data = tmp_path / "data"
    _import(data, 0, 200)
    fake = FakeEmbedder(dim=64)  # the plumbing, not the model: hashed vectors build in a second
    report = build_index(data, embedder=fake, index_type="ivf-sq8")
    assert report.index_type == "ivf-sq8" and not report.index_note, report.summary()
    live = open_live(data, fake)
    assert live.manifest["index_type"] == "ivf-sq8" and live.manifest["search"]["rerank"] >= 10
    assert np.array_equal(live.stored, _cached_vectors(data, live.ids))
    queries = tuning_queries(np.asarray(live.stored), 100, seed=7)  # not the tuning's own probes
    found = np.array([[i for i, _ in row] for row in live.search(queries, 10)])
    assert recall_at(found, exact_neighbours(np.asarray(live.stored), live.ids, queries, 10)) >= 0.95
