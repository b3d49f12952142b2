"""Full text over whole items: kept in step with imports, updates and removals, migrated from
archives that searched chunks, and never citing an item whose chunks are out of date."""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from concurrent import futures
from pathlib import Path

import numpy as np
import pytest

from fake_embedder import FakeEmbedder
from dateline.index.build import build_index
from dateline.index.errors import DatelineError
from dateline.index.ingest import parse_file
from dateline.index.store import Archive
from dateline.qa import retrieve
from dateline.qa.engine import Engine
from dateline.qa.query import Filters
from dateline.qa.retrieve import Retriever, fuse


def _import(data_dir: Path, tmp_path: Path, records: list[dict], name: str = "news") -> None:
    path = tmp_path / f"{name}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    archive = Archive.open(data_dir)
    fmt, parsed = parse_file(path)
    archive.import_items(str(path), fmt, parsed.items, parsed.rejections)
    archive.close()


def _matches(data_dir: Path, word: str) -> list[str]:
    conn = sqlite3.connect(data_dir / "archive.sqlite")
    try:
        return [r[0] for r in conn.execute(
            "SELECT i.id FROM items_fts f JOIN items i ON i.rowid = f.rowid WHERE items_fts MATCH ?", [word])]
    finally:
        conn.close()


ITEMS = [
    {"id": "cocoa", "source": "Reuters", "dateline": "Salvador, Brazil", "date": "1987-02-26",
     "title": "Bahia cocoa review", "body": "Showers continued throughout the week in the Bahia cocoa zone."},
    {"id": "grain", "source": "Reuters", "dateline": "Chicago", "date": "1987-03-02",
     "title": "Wheat futures", "body": "Wheat futures rose on export demand from the Soviet Union."},
]


def test_imports_updates_and_removals_reach_full_text(data_dir, tmp_path):
    _import(data_dir, tmp_path, ITEMS)
    assert _matches(data_dir, "showers") == ["cocoa"]
    assert _matches(data_dir, "chicago") == ["grain"]  # the dateline is searchable too
    changed = [dict(ITEMS[0], body="Dry weather returned to the Bahia cocoa zone.")]
    _import(data_dir, tmp_path, changed, "changed")
    assert _matches(data_dir, "showers") == []
    assert _matches(data_dir, "weather") == ["cocoa"]
    archive = Archive.open(data_dir)
    archive.remove(ids=["grain"])
    archive.close()
    assert _matches(data_dir, "wheat") == []
    conn = sqlite3.connect(data_dir / "archive.sqlite")
    conn.execute("INSERT INTO items_fts(items_fts) VALUES ('integrity-check')")  # raises if out of step
    conn.close()


def test_an_archive_that_searched_chunks_is_migrated(data_dir, tmp_path):
    _import(data_dir, tmp_path, ITEMS)
    # Turn it into the older layout: chunk-level full text, no item-level table.
    conn = sqlite3.connect(data_dir / "archive.sqlite")
    conn.executescript("""
        DROP TRIGGER items_fts_ai; DROP TRIGGER items_fts_ad; DROP TRIGGER items_fts_au; DROP TABLE items_fts;
        CREATE VIRTUAL TABLE chunks_fts USING fts5(text, content='chunks', content_rowid='id');
        CREATE TRIGGER chunks_ai AFTER INSERT ON chunks BEGIN
            INSERT INTO chunks_fts(rowid, text) VALUES (new.id, new.text); END;
    """)
    conn.close()
    Archive.open(data_dir).close()
    assert _matches(data_dir, "showers") == ["cocoa"]
    conn = sqlite3.connect(data_dir / "archive.sqlite")
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert "chunks_fts" not in names and "chunks_ai" not in names


def test_search_finds_by_full_text_and_cites_only_current_items(data_dir, tmp_path):
    _import(data_dir, tmp_path, ITEMS)
    fake = FakeEmbedder()
    build_index(data_dir, embedder=fake)
    archive = Archive.open(data_dir)

    def search(text: str):
        return Retriever(archive.reader(), None, None).search(text, Filters(), k=3, mode="fts")  # no model needed

    # Found by full text alone (no dense index here), cited with a passage of its body.
    result = search("export demand for wheat")
    assert [p.item.id for p in result.passages] == ["grain"]
    p = result.passages[0]
    assert p.text == ITEMS[1]["body"][p.start:p.end] and "Wheat" in p.text
    # Changed text imported but not yet indexed: its chunk offsets may not fit the new body,
    # so it is not cited until `dateline index` has run.
    _import(data_dir, tmp_path, [dict(ITEMS[1], body="Corn futures fell. Wheat was steady on thin export demand.")],
            "changed")
    assert search("export demand for wheat").passages == []
    build_index(data_dir, embedder=fake)
    result = search("export demand for wheat")
    assert [p.item.id for p in result.passages] == ["grain"]
    assert "Wheat was steady" in result.passages[0].text
    archive.close()


def test_fusion_standardises_each_list_and_fills_gaps_with_its_lowest():
    dense = {"a": 0.62, "c": 0.60, "b": 0.40}
    full_text = {"c": 30.0, "d": 10.0}
    fused = fuse([dense, full_text], (0.5, 0.5))
    assert set(fused) == {"a", "b", "c", "d"}
    # "c" is a close second by cosine and first by BM25: fused, it leads.
    assert max(fused, key=fused.get) == "c"
    # "d" is missing from the dense list and takes its lowest z-score there.
    assert fused["d"] < fused["c"] and fused["d"] < fused["a"]
    assert fuse([dense, {}], (0.6, 0.4)) == fuse([dense], (0.6,))


def _wire(n: int) -> list[dict]:
    return [{"id": f"wire-{i}", "source": ["Wire", "WIRE", "Post"][i % 3], "title": f"Harbour report {i}",
             "dateline": ["Salvador, Brazil", "Salvador", "Santos", ""][i % 4],
             "date": None if i % 11 == 0 else f"2020-{1 + i % 12:02d}-{1 + i % 28:02d}",
             "body": f"Ships number {i} docked at the harbour."} for i in range(n)]


FILTERS = [Filters(date_from="2020-03-01", date_to="2020-03-31"), Filters(date_to="2020-02-10"),
           Filters(date_from="2020-11-15"), Filters(source="wire"), Filters(place="salvador"),
           Filters(place="Santos", date_from="2020-06-01"), Filters(source="Nobody")]


def test_filter_column_files_map_as_np_load_reads_them(tmp_path):
    from dateline.index.facets import _map_npz
    columns = {"ids": np.arange(5, dtype=np.int64), "days": np.array([19870302, 0], dtype=np.int32),
               "empty": np.zeros(0, dtype=np.int32), "names": np.frombuffer(b'[["a"], []]', dtype=np.uint8)}
    np.savez(tmp_path / "stored.npz", **columns)
    np.savez_compressed(tmp_path / "compressed.npz", **columns)  # not written by dateline, still read
    for name in ("stored.npz", "compressed.npz"):
        mapped = _map_npz(tmp_path / name)
        assert set(mapped) == set(columns)
        for key, value in columns.items():
            assert mapped[key].dtype == value.dtype and np.array_equal(mapped[key], value), (name, key)
    assert isinstance(_map_npz(tmp_path / "stored.npz")["ids"], np.memmap)
    (tmp_path / "garbage.npz").write_bytes(b"not a zip file at all")
    with pytest.raises(ValueError, match="garbage.npz"):
        _map_npz(tmp_path / "garbage.npz")


def test_filter_columns_keep_what_the_archive_filters_keep(data_dir, tmp_path):
    from dateline.index.reader import filter_sql
    _import(data_dir, tmp_path, _wire(240))
    fake = FakeEmbedder()
    build_index(data_dir, embedder=fake)
    from dateline.index.generations import open_live
    live = open_live(data_dir, fake)
    assert live.facets is not None and list(live.facets.ids) == list(live.ids)
    # Mapped from the generation's file, so server workers share one copy.
    assert isinstance(live.facets.days, np.memmap) and not live.facets.days.flags.writeable
    conn = sqlite3.connect(data_dir / "archive.sqlite")
    for f in FILTERS:
        cond, args = filter_sql(f)
        expected = {r[0] for r in conn.execute(
            f"SELECT c.id FROM chunks c JOIN items i ON i.id = c.item_id WHERE 1{cond}", args)}
        assert set(live.ids[live.facets.mask(**f.to_dict())].tolist()) == expected, f
        items = {r[0] for r in conn.execute(f"SELECT i.rowid FROM items i WHERE 1{cond}", args)}
        assert set(np.flatnonzero(live.facets.item_mask(**f.to_dict())).tolist()) == items, f
    conn.close()


def test_filtered_full_text_is_the_same_with_and_without_filter_columns(data_dir, tmp_path):
    from dateline.index.generations import open_live
    records = _wire(240)
    for r in records[::5]:
        r["body"] += " A crane toppled onto the quay."
    _import(data_dir, tmp_path, records)
    fake = FakeEmbedder()
    build_index(data_dir, embedder=fake)
    archive = Archive.open(data_dir)
    live = open_live(data_dir, fake)
    for f in FILTERS:
        with_columns = Retriever(archive.reader(), live, fake).fts(["crane", "quay"], f, 10)
        in_sqlite = Retriever(archive.reader(), None, fake).fts(["crane", "quay"], f, 10)
        assert [i for i, _ in with_columns] == [i for i, _ in in_sqlite], f
        assert [s for _, s in with_columns] == pytest.approx([s for _, s in in_sqlite])
    # An item imported after the build is past the filter columns: not found with them until
    # the next build (it could not be cited before it anyway).
    _import(data_dir, tmp_path, [dict(records[0], id="late", date="2020-03-05")], "late")
    march = Filters(date_from="2020-03-01", date_to="2020-03-31")
    assert "late" not in [i for i, _ in Retriever(archive.reader(), live, fake).fts(["crane"], march, 50)]
    archive.close()


def test_filtered_dense_search_matches_exact_search_with_and_without_filter_columns(data_dir, tmp_path):
    from dateline.index.generations import open_live
    _import(data_dir, tmp_path, _wire(240))
    fake = FakeEmbedder()
    build_index(data_dir, embedder=fake)
    archive = Archive.open(data_dir)
    live = open_live(data_dir, fake)
    qvec = fake.encode_query("ships in the harbour")
    older = open_live(data_dir, fake)
    older.facets = None
    for f in FILTERS[:6]:
        exact = Retriever(archive.reader(), live, fake).dense(qvec, f, 10)
        assert len(exact) == 10
        # exact_limit 0 sends the search to FAISS: inside the filter columns' mask, or, for an
        # index written without them, fetching more hits until 10 are inside.
        for index in (live, older):
            found = Retriever(archive.reader(), index, fake, exact_limit=0).dense(qvec, f, 10)
            assert [c for c, _ in found] == [c for c, _ in exact], f
            assert [s for _, s in found] == pytest.approx([s for _, s in exact], abs=1e-5)
    archive.close()


@pytest.mark.parametrize("question, body, term", [
    # "U.N." is indexed as the letters u and n, each too short to be a word: the question's
    # "U.N." must still find the item that names it, and not one that only shares "vote".
    ("the U.N. vote", "The U.N. vote went against Portugal.", "u.n"),
    # "AT&T" is indexed as "at" and "t"; Reuters writes "ATT": the question's "AT&T" finds it.
    ("AT&T's vote", "The ATT vote went against Portugal.", "att"),
])
def test_an_abbreviation_is_searched_as_one_term(data_dir, tmp_path, question, body, term):
    _import(data_dir, tmp_path, [
        {"id": "named", "source": "TIME", "date": "1963-10-04", "title": "", "body": body},
        {"id": "club", "source": "TIME", "date": "1963-10-04", "title": "", "body": "The club vote went against the coach."},
    ])
    build_index(data_dir, embedder=FakeEmbedder())
    archive = Archive.open(data_dir)
    result = Retriever(archive.reader(), None, None).search(question, Filters(), k=3, mode="fts")
    assert [p.item.id for p in result.passages][:1] == ["named"], [p.item.id for p in result.passages]
    assert term in result.query_terms
    archive.close()


def test_near_finds_the_items_holding_every_word_close_together(data_dir, tmp_path):
    # "Who is the chairman of the Federal Reserve?": the story naming "Federal Reserve chairman
    # Paul Volcker" holds the three words together; the money-market story holds them apart.
    _import(data_dir, tmp_path, [
        {"id": "yen", "source": "Reuters", "dateline": "Tokyo", "date": "1987-03-16", "title": "Bank of Japan on the yen",
         "body": "The Bank of Japan hopes Federal Reserve chairman Paul Volcker will be re-appointed."},
        {"id": "fed", "source": "Reuters", "dateline": "New York", "date": "1987-03-17", "title": "Fed adds reserves",
         "body": "The Federal Reserve added reserves to the banking system through repurchase agreements, "
                 "dealers said, after the chairman of a regional bank spoke at length about the outlook for "
                 "interest rates in the second half."},
    ])
    build_index(data_dir, embedder=FakeEmbedder())
    archive = Archive.open(data_dir)
    try:
        reader = archive.reader()
        near = reader.near(["chairman", "federal", "reserve"], 6, Filters(), 10, (1.0, 1.0, 1.0))
        assert [item_id for item_id, _ in near] == ["yen"]
        # Either order, and the words as FTS5 stems them ("reserves", "chairman's").
        assert [i for i, _ in reader.near(["reserve", "chairman"], 6, Filters(), 10, (1.0, 1.0, 1.0))] == ["yen"]
        assert reader.near(["chairman", "federal", "reserve"], 6, Filters(date_from="1987-03-17"), 10,
                           (1.0, 1.0, 1.0)) == []  # inside the filters only
        assert reader.near(["reserve", "NEAR", "OR"], 6, Filters(), 10, (1.0, 1.0, 1.0)) == []  # words, not syntax
    finally:
        archive.close()


@pytest.fixture
def side_thread(monkeypatch):
    """Full text found on another thread while the question is encoded, whatever this machine's cores."""
    pool = futures.ThreadPoolExecutor(1)
    monkeypatch.setattr(retrieve, "_SIDE", pool)
    monkeypatch.setattr(retrieve, "usable_cpus", lambda: 2)  # a core to spare for one question
    yield pool
    pool.shutdown()


def _two_items_indexed(data_dir: Path, tmp_path: Path) -> Engine:
    _import(data_dir, tmp_path, ITEMS)
    fake = FakeEmbedder()
    build_index(data_dir, embedder=fake)
    return Engine(data_dir, embedder=fake)


def test_full_text_found_while_the_question_is_encoded_ranks_as_found_after(data_dir, tmp_path, side_thread,
                                                                            monkeypatch):
    engine = _two_items_indexed(data_dir, tmp_path)
    beside = engine.retriever().search("export demand for wheat", k=2)
    monkeypatch.setattr(retrieve, "_SIDE", None)
    after = engine.retriever().search("export demand for wheat", k=2)
    assert beside.item_ids == after.item_ids and beside.item_ids[0] == "grain"
    assert [(p.item.id, p.start, p.end, p.score) for p in beside.passages] == \
           [(p.item.id, p.start, p.end, p.score) for p in after.passages]
    assert beside.query_terms == after.query_terms and beside.idf == after.idf


def test_a_full_text_failure_reaches_the_asker(data_dir, tmp_path, side_thread, monkeypatch):
    engine = _two_items_indexed(data_dir, tmp_path)
    retriever = engine.retriever()

    def broken(*args, **kwargs):
        raise DatelineError("the full-text index is damaged")
    monkeypatch.setattr(retriever.reader, "full_text", broken)
    with pytest.raises(DatelineError, match="full-text index is damaged"):
        retriever.search("export demand for wheat", k=2)
    assert retrieve.ASKING.now == 0  # later questions still read ahead


def test_a_failed_encoding_waits_for_the_full_text_queries_before_the_reader_is_used_again(
        data_dir, tmp_path, side_thread, monkeypatch):
    engine = _two_items_indexed(data_dir, tmp_path)
    retriever = engine.retriever()
    full_text, finished = retriever.reader.full_text, []

    def slow(*args, **kwargs):
        time.sleep(0.2)
        found = full_text(*args, **kwargs)
        finished.append(True)
        return found

    def failing(text):
        raise RuntimeError("the model could not be read")
    monkeypatch.setattr(retriever.reader, "full_text", slow)
    monkeypatch.setattr(retriever.embedder, "encode_query", failing)
    with pytest.raises(RuntimeError, match="could not be read"):
        retriever.search("export demand for wheat", k=2)
    assert finished == [True]  # the other thread was done with this thread's reader
    assert retrieve.ASKING.now == 0


def test_questions_asked_at_once_from_many_threads_rank_as_asked_one_by_one(data_dir, tmp_path, side_thread):
    # More asking threads than the pool has: some full-text sides run on the pool, the others
    # on their asking thread; each thread reads through its own reader.
    engine = _two_items_indexed(data_dir, tmp_path)
    questions = ["export demand for wheat", "cocoa showers in Bahia", "Soviet Union wheat", "Bahia cocoa zone"] * 5
    alone = {q: engine.retriever().search(q, k=2).item_ids for q in set(questions)}
    with futures.ThreadPoolExecutor(6) as askers:
        at_once = list(askers.map(lambda q: (q, engine.retriever().search(q, k=2).item_ids), questions))
    assert all(ids == alone[q] for q, ids in at_once) and len(at_once) == len(questions)


def _chunk_reads_by_thread(monkeypatch, reader, started: threading.Event | None = None,
                           pause: float = 0.0) -> list[tuple[str, list[str]]]:
    """Record which thread reads which items' chunks; a read on the pool thread sets ``started``
    and then takes ``pause`` seconds."""
    chunks_of, reads = reader.chunks_of, []

    def recorded(item_ids, model=None):
        on_pool = threading.current_thread() is not threading.main_thread()
        if on_pool and started is not None:
            started.set()
            time.sleep(pause)
        found = chunks_of(item_ids, model)
        reads.append(("pool" if on_pool else "asker", list(item_ids)))
        return found
    monkeypatch.setattr(reader, "chunks_of", recorded)
    return reads


def test_the_best_full_text_items_passages_are_read_while_a_long_question_is_encoded(
        data_dir, tmp_path, side_thread, monkeypatch):
    engine = _two_items_indexed(data_dir, tmp_path)
    question = "wheat futures and cocoa showers"  # full text finds both items
    monkeypatch.setattr(retrieve, "_SIDE", None)
    after = engine.retriever().search(question, k=2)
    monkeypatch.setattr(retrieve, "_SIDE", side_thread)
    retriever = engine.retriever()
    encode = retriever.embedder.encode_query

    def encoded_once_both_are_read(text):  # a long question: the pool has time to read both ahead
        deadline = time.monotonic() + 5
        while len(reads) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        return encode(text)
    monkeypatch.setattr(retriever.embedder, "encode_query", encoded_once_both_are_read)
    reads = _chunk_reads_by_thread(monkeypatch, retriever.reader)
    beside = retriever.search(question, k=2)
    # Both items were read ahead, one at a time, and not read again.
    assert sorted(ids[0] for where, ids in reads if where == "pool") == ["cocoa", "grain"]
    assert [ids for where, ids in reads if where == "asker"] == []
    assert [(p.item.id, p.chunk_id, p.start, p.end, p.score, p.dense_score) for p in beside.passages] == \
           [(p.item.id, p.chunk_id, p.start, p.end, p.score, p.dense_score) for p in after.passages]


def test_reading_ahead_stops_when_the_question_is_encoded(data_dir, tmp_path, side_thread, monkeypatch):
    engine = _two_items_indexed(data_dir, tmp_path)
    retriever = engine.retriever()
    encode, first_read = retriever.embedder.encode_query, threading.Event()

    def encoded_during_the_first_read(text):
        assert first_read.wait(5)
        return encode(text)
    monkeypatch.setattr(retriever.embedder, "encode_query", encoded_during_the_first_read)
    reads = _chunk_reads_by_thread(monkeypatch, retriever.reader, first_read, pause=0.2)
    found = retriever.search("wheat futures and cocoa showers", k=2)
    # The pool read the best full-text item ahead and stopped; the asker read the other itself.
    assert [where for where, _ in reads] == ["pool", "asker"]
    assert sorted(ids[0] for _, ids in reads) == ["cocoa", "grain"]
    assert {p.item.id for p in found.passages} == {"grain", "cocoa"}


def test_no_question_reads_ahead_while_another_is_being_answered(data_dir, tmp_path, side_thread, monkeypatch):
    engine = _two_items_indexed(data_dir, tmp_path)
    retriever = engine.retriever()
    encode, first_in, let_go = retriever.embedder.encode_query, threading.Event(), threading.Event()

    def encoded_in_turn(text):
        if not first_in.is_set():  # the first question is held in its encoding
            first_in.set()
            assert let_go.wait(5)
        else:
            time.sleep(0.3)  # long enough to read ahead, had the second a core to spare
        return encode(text)
    monkeypatch.setattr(retriever.embedder, "encode_query", encoded_in_turn)
    with futures.ThreadPoolExecutor(1) as other_asker:
        first = other_asker.submit(lambda: engine.retriever().search("export demand for wheat", k=2))
        assert first_in.wait(5)
        reads = _chunk_reads_by_thread(monkeypatch, retriever.reader)
        second = retriever.search("wheat futures and cocoa showers", k=2)
        let_go.set()
        assert first.result().item_ids[0] == "grain"
    assert [where for where, _ in reads] == ["asker"]  # both items at once, after the encoding
    assert {p.item.id for p in second.passages} == {"grain", "cocoa"}


def test_an_unfiltered_question_is_searched_densely_while_full_text_still_runs(
        data_dir, tmp_path, side_thread, monkeypatch):
    engine = _two_items_indexed(data_dir, tmp_path)
    monkeypatch.setattr(retrieve, "_SIDE", None)
    after = engine.retriever().search("export demand for wheat", k=2)
    monkeypatch.setattr(retrieve, "_SIDE", side_thread)
    retriever = engine.retriever()
    full_text, live_search, events = retriever.reader.full_text, retriever.live.search, []

    def slow_full_text(*args, **kwargs):
        time.sleep(0.3)  # a large archive: full text outlasts the encoding
        found = full_text(*args, **kwargs)
        events.append("full text done")
        return found

    def dense_search(*args, **kwargs):
        events.append("dense searched")
        return live_search(*args, **kwargs)
    monkeypatch.setattr(retriever.reader, "full_text", slow_full_text)
    monkeypatch.setattr(retriever.live, "search", dense_search)
    beside = retriever.search("export demand for wheat", k=2)
    assert events[:2] == ["dense searched", "full text done"]
    assert [(p.item.id, p.start, p.end, p.score, p.dense_score) for p in beside.passages] == \
           [(p.item.id, p.start, p.end, p.score, p.dense_score) for p in after.passages]
    # Inside filters the index searches among the chunks its filter columns keep just as early;
    # the archive's own check of those hits waits for full text to be done with the reader.
    chunks_inside = retriever.reader.chunks_inside

    def checked(*args, **kwargs):
        events.append("archive checked")
        return chunks_inside(*args, **kwargs)
    monkeypatch.setattr(retriever.reader, "chunks_inside", checked)
    events.clear()
    inside = retriever.search("export demand for wheat", Filters(date_from="1987-03-01"), k=2)
    assert events[:3] == ["dense searched", "full text done", "archive checked"]
    assert [p.item.id for p in inside.passages] == ["grain"]  # cocoa is of 26 February


def test_an_item_that_cannot_be_prepared_ahead_leaves_the_question_answered(data_dir, tmp_path, side_thread,
                                                                             monkeypatch, caplog):
    engine = _two_items_indexed(data_dir, tmp_path)
    retriever = engine.retriever()
    encode, prepared = retriever.embedder.encode_query, []

    def encoded_once_prepared(text):
        deadline = time.monotonic() + 5
        while not prepared and time.monotonic() < deadline:
            time.sleep(0.01)
        return encode(text)

    def broken(item):
        prepared.append(item.id)
        raise ValueError("cannot read this body")
    monkeypatch.setattr(retriever.embedder, "encode_query", encoded_once_prepared)
    found = retriever.search("export demand for wheat", k=2, prepare=broken)
    assert prepared == ["grain"] and found.item_ids[0] == "grain"
    assert "reading grain ahead failed (cannot read this body)" in caplog.text
