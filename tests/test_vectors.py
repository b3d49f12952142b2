"""FAISS index generations: exact and approximate search, tuning, manifests, atomic publish."""
from __future__ import annotations

import json

import numpy as np
import pytest

from fake_embedder import FakeEmbedder
from dateline.index.chunk import chunker_config
from dateline.index.errors import DatelineError
from dateline.index.faiss_index import choose_index_type, exact_neighbours, make_index, recall_at, tune
from dateline.index.generations import (current_generation, index_root, load_generation, open_live, publish,
                                        write_generation)


def _clustered(n: int, dim: int = 32, clusters: int = 50, seed: int = 0) -> np.ndarray:
    """Unit vectors around cluster centres, like embeddings of a topical archive."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dim))
    v = centres[rng.integers(0, clusters, n)] + 0.6 * rng.standard_normal((n, dim))
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def _manifest(dim: int, model: str = "fake-model@000000000000") -> dict:
    return {"model": model, "dim": dim, "chunker": chunker_config(), "index_type": "flat",
            "search": {"recall_at_10": 1.0}}


def _publish(data_dir, vectors, ids, kind="flat", model="fake-model@000000000000") -> str:
    index = make_index(kind, vectors.shape[1], vectors, ids)
    generation = write_generation(data_dir, index, ids, dict(_manifest(vectors.shape[1], model), index_type=kind,
                                                               search=tune(index, vectors, ids)))
    publish(data_dir, generation)
    return generation


def test_flat_search_is_exact_with_chunk_ids_and_scores(tmp_path):
    vectors = _clustered(500)
    ids = np.arange(1000, 1500, dtype=np.int64)
    _publish(tmp_path, vectors, ids)
    live = open_live(tmp_path, FakeEmbedder(dim=32))
    hits = live.search(vectors[:3], k=5)
    scores = vectors[:3] @ vectors.T
    for row, (q_hits, q_scores) in enumerate(zip(hits, scores)):
        expected = ids[np.argsort(-q_scores)[:5]]
        assert [h[0] for h in q_hits] == list(expected)
        assert q_hits[0] == (1000 + row, pytest.approx(1.0, abs=1e-5))
        assert [s for _, s in q_hits] == sorted((s for _, s in q_hits), reverse=True)
    assert live.ntotal == 500 and live.generation == current_generation(tmp_path)


def test_missing_slots_are_dropped_and_bad_queries_refused(tmp_path):
    vectors = _clustered(3)
    _publish(tmp_path, vectors, np.array([7, 8, 9]))
    live = open_live(tmp_path)
    assert len(live.search(vectors[:1], k=10)[0]) == 3
    with pytest.raises(TypeError, match="float32"):
        live.search(vectors.astype(np.float64), k=3)
    with pytest.raises(TypeError, match="shape"):
        live.search(np.zeros((1, 5), np.float32), k=3)
    with pytest.raises(DatelineError, match="positive"):
        live.search(vectors, k=0)


@pytest.mark.parametrize("kind", ["ivf", "hnsw"])
def test_approximate_indexes_are_tuned_to_the_recall_target(kind):
    vectors = _clustered(20300, dim=32, clusters=200)
    vectors, queries = vectors[:20000], vectors[20000:]  # held out: fresh queries from the same topics
    ids = np.arange(20000, dtype=np.int64) * 3  # ids need not be positions
    index = make_index(kind, 32, vectors, ids)
    params = tune(index, vectors, ids)
    assert params["recall_at_10"] >= 0.95
    # Check on fresh queries, not the tuning sample.
    _, found = index.search(queries, 10)
    assert recall_at(found, exact_neighbours(vectors, ids, queries, 10)) >= 0.93


def _off_topic(n: int, dim: int = 32, seed: int = 1) -> np.ndarray:
    """Question-like vectors far from every cluster: their top 10 spread over many IVF lists."""
    q = np.random.default_rng(seed).standard_normal((n, dim))
    return (q / np.linalg.norm(q, axis=1, keepdims=True)).astype(np.float32)


@pytest.mark.parametrize("kind", ["ivf", "hnsw"])
def test_tuning_on_question_probes_keeps_recall_for_off_topic_questions(kind):
    vectors = _clustered(20000, dim=32, clusters=200)
    ids = np.arange(20000, dtype=np.int64)
    index = make_index(kind, 32, vectors, ids)
    probes, fresh = _off_topic(250, seed=1), _off_topic(250, seed=2)
    name = "nprobe" if kind == "ivf" else "ef_search"
    chunk_only = tune(index, vectors, ids)
    params = tune(index, vectors, ids, questions=probes)
    assert params["recall_at_10"] >= 0.95 and set(params["recall_by_probe"]) == {"near_chunks", "questions", "off_topic"}
    assert params[name] >= chunk_only[name] and params["probes"]["questions"] == 250
    # Judged on questions the tuning never saw.
    _, found = index.search(fresh, 10)
    assert recall_at(found, exact_neighbours(vectors, ids, fresh, 10)) >= 0.93


def test_a_loaded_generation_searches_with_its_tuned_parameters(tmp_path):
    import faiss

    vectors = _clustered(5000)
    ids = np.arange(5000, dtype=np.int64)
    index = make_index("ivf", 32, vectors, ids)
    search = tune(index, vectors, ids, questions=_off_topic(100))
    generation = write_generation(tmp_path, index, ids, dict(_manifest(32), index_type="ivf", search=search))
    publish(tmp_path, generation)
    live = open_live(tmp_path)
    assert live.manifest["search"]["nprobe"] == search["nprobe"] > 1
    assert faiss.extract_index_ivf(live.index).nprobe == search["nprobe"]


def test_a_narrowed_search_probes_a_share_of_the_tuned_lists(tmp_path):
    # The feedback search's vector sits among the chunks: fewer lists than the width tuned for
    # questions find nearly all that the full width finds.
    import faiss

    from dateline.index.faiss_index import MIN_NARROWED_PROBES

    vectors = _clustered(5000)
    ids = np.arange(5000, dtype=np.int64)
    index = make_index("ivf", 32, vectors, ids)
    search = tune(index, vectors, ids, questions=_off_topic(100))
    publish(tmp_path, write_generation(tmp_path, index, ids, dict(_manifest(32), index_type="ivf", search=search)))
    live = open_live(tmp_path)
    ivf = faiss.extract_index_ivf(live.index)
    tuned = ivf.nprobe
    narrow = max(tuned // 4, min(tuned, MIN_NARROWED_PROBES))
    assert narrow < tuned
    # Questions far from every cluster spread over many lists: there the narrowing shows.
    questions = _off_topic(100, seed=7)
    narrowed = live.search(questions, 10, probe_share=0.25)
    assert ivf.nprobe == tuned  # the index keeps its own width for every other search
    assert narrowed != live.search(questions, 10)
    ivf.nprobe = narrow
    assert narrowed == live.search(questions, 10)
    ivf.nprobe = tuned
    # Vectors among the chunks lose next to nothing.
    rng = np.random.default_rng(1)
    near = vectors[:50] + 0.1 * rng.standard_normal((50, 32)).astype(np.float32)
    near /= np.linalg.norm(near, axis=1, keepdims=True)
    pairs = zip(live.search(near, 10, probe_share=0.25), live.search(near, 10))
    assert np.mean([len({c for c, _ in a} & {c for c, _ in b}) / 10 for a, b in pairs]) >= 0.9
    among = np.zeros(len(ids), dtype=bool)
    among[::2] = True  # filtered, the share applies too
    assert all(c % 2 == 0 for row in live.search(near, 10, among=among, probe_share=0.25) for c, _ in row)


def test_ivf_removes_and_adds_by_id():
    vectors = _clustered(5000)
    ids = np.arange(5000, dtype=np.int64)
    index = make_index("ivf", 32, vectors, ids)
    import faiss

    assert index.remove_ids(faiss.IDSelectorBatch(np.arange(100, dtype=np.int64))) == 100
    faiss.extract_index_ivf(index).nprobe = 1024
    _, found = index.search(vectors[:100], 1)
    assert not set(found[:, 0]) & set(range(100))
    index.add_with_ids(vectors[:10], np.arange(90000, 90010, dtype=np.int64))
    _, found = index.search(vectors[:10], 1)
    assert list(found[:, 0]) == list(range(90000, 90010))


def test_index_type_follows_size_and_setting(monkeypatch):
    assert choose_index_type(1000) == "flat"
    assert choose_index_type(10**6) == "ivf"
    monkeypatch.setenv("DATELINE_IVF_THRESHOLD", "500")
    assert choose_index_type(1000) == "ivf"
    monkeypatch.setenv("DATELINE_INDEX_TYPE", "hnsw")
    assert choose_index_type(10) == "hnsw"
    with pytest.raises(DatelineError, match="unknown index type"):
        choose_index_type(10, "annoy")


def test_no_published_index_is_a_503_that_says_what_to_run(tmp_path):
    assert current_generation(tmp_path) is None
    with pytest.raises(DatelineError) as e:
        open_live(tmp_path)
    assert e.value.code == "no_index" and e.value.status == 503
    assert "`dateline index`" in e.value.message and str(tmp_path) not in e.value.message  # an HTTP body
    assert str(tmp_path) in str(e.value)  # the CLI and the log name the folder


def test_another_model_or_chunker_says_what_to_run(tmp_path, monkeypatch):
    vectors = _clustered(20)
    _publish(tmp_path, vectors, np.arange(20), model="other-model@123456789abc")
    with pytest.raises(DatelineError) as e:
        open_live(tmp_path, FakeEmbedder(dim=32))
    assert e.value.code == "index_mismatch"
    assert "other-model@123456789abc" in e.value.message and "fake-model" in e.value.message
    assert "`dateline index`" in e.value.message and str(tmp_path) in str(e.value)
    _publish(tmp_path, vectors, np.arange(20))
    assert open_live(tmp_path, FakeEmbedder(dim=32)).ntotal == 20
    with pytest.raises(DatelineError, match="dimension 32"):
        open_live(tmp_path, FakeEmbedder(dim=64))
    monkeypatch.setenv("DATELINE_CHUNK_TOKENS", "120")
    with pytest.raises(DatelineError, match="chunker settings"):
        open_live(tmp_path, FakeEmbedder(dim=32))


def test_manifest_describes_the_index_and_checksums_catch_damage(tmp_path):
    vectors = _clustered(50)
    generation = _publish(tmp_path, vectors, np.arange(50))
    folder = index_root(tmp_path) / generation
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["model"] == "fake-model@000000000000" and manifest["dim"] == 32
    assert manifest["chunker"] == chunker_config() and manifest["counts"]["vectors"] == 50
    assert manifest["checksums"]["vectors.faiss"].startswith("sha256:")
    with open(folder / "vectors.faiss", "r+b") as f:
        f.seek(-8, 2)
        f.write(b"\x00" * 8)
    with pytest.raises(DatelineError, match="checksum") as e:
        open_live(tmp_path)
    assert e.value.status == 503


def test_files_found_intact_are_not_hashed_again_until_they_change(tmp_path, monkeypatch):
    # Every server worker opens each new generation: at 1M chunks hashing it costs a second each.
    import dateline.index.generations as vectors

    hashed = []
    real = vectors._sha256
    monkeypatch.setattr(vectors, "_sha256", lambda path: hashed.append(path.name) or real(path))
    vectors_ = _clustered(50)
    generation = _publish(tmp_path, vectors_, np.arange(50))
    hashed.clear()
    open_live(tmp_path)
    assert hashed == []  # the build hashed them as it wrote them
    folder = index_root(tmp_path) / generation
    (folder / "ids.npy").write_bytes((folder / "ids.npy").read_bytes())  # rewritten, same bytes
    open_live(tmp_path)
    assert hashed == ["ids.npy"]  # checked again, found intact, recorded
    open_live(tmp_path)
    assert hashed == ["ids.npy"]
    (folder / "verified.json").write_text("not json")
    open_live(tmp_path)
    assert sorted(hashed) == ["ids.npy", "ids.npy", "vectors.faiss"]


def test_a_file_written_while_it_is_hashed_is_not_recorded_as_intact(tmp_path, monkeypatch):
    import dateline.index.generations as vectors

    generation = _publish(tmp_path, _clustered(50), np.arange(50))
    folder = index_root(tmp_path) / generation
    (folder / "verified.json").unlink()
    real = vectors._sha256

    def hash_then_damage(path):
        digest = real(path)
        if path.name == "ids.npy":
            with open(path, "r+b") as f:  # damaged right after it was read
                f.seek(-8, 2)
                f.write(b"\xff" * 8)
        return digest
    monkeypatch.setattr(vectors, "_sha256", hash_then_damage)
    open_live(tmp_path)  # hashed before the damage: loads
    monkeypatch.setattr(vectors, "_sha256", real)
    with pytest.raises(DatelineError, match="ids.npy does not match its checksum"):
        open_live(tmp_path)


def test_readers_keep_their_generation_after_a_new_publish(tmp_path):
    vectors = _clustered(300)
    first = _publish(tmp_path, vectors[:100], np.arange(100))
    reader = open_live(tmp_path)
    second = _publish(tmp_path, vectors[:200], np.arange(200))
    assert current_generation(tmp_path) == second != first
    # The loaded reader still answers from its own generation, and the previous one still opens.
    assert reader.generation == first and reader.ntotal == 100
    assert reader.search(vectors[150:151], 1)[0][0][0] < 100
    assert open_live(tmp_path, generation=first).ntotal == 100
    third = _publish(tmp_path, vectors, np.arange(300))
    # Only the live and the previous generation stay on disk.
    assert sorted(p.name for p in index_root(tmp_path).iterdir() if p.is_dir()) == sorted([second, third])
    assert reader.search(vectors[:1], 1)[0][0][0] == 0


@pytest.mark.parametrize("kind", ["flat", "ivf", "hnsw"])
def test_served_index_is_mapped_from_its_file_and_answers_like_a_loaded_copy(tmp_path, kind):
    # Serving maps the vectors instead of copying them, so gunicorn's workers share one copy
    # through the page cache; the build loads a private copy, since it edits it.
    vectors = _clustered(3000)
    ids = np.arange(10, 3010, dtype=np.int64)
    generation = _publish(tmp_path, vectors, ids, kind=kind)
    served = open_live(tmp_path)
    copy = load_generation(tmp_path, generation)
    path = str(index_root(tmp_path) / generation / "vectors.faiss")
    with open("/proc/self/maps") as f:
        assert path in f.read()
    among = np.zeros(len(ids), dtype=bool)
    among[::3] = True  # a filter keeping a third of the chunks
    queries = vectors[:20] + 0.05
    assert served.search(queries, 10) == copy.search(queries, 10)
    assert served.search(queries, 10, among=among) == copy.search(queries, 10, among=among)
    assert all(c in set(ids[::3]) for hits in served.search(queries, 10, among=among) for c, _ in hits)


def test_a_generation_is_invisible_until_published(tmp_path):
    vectors = _clustered(10)
    live = _publish(tmp_path, vectors, np.arange(10))
    index = make_index("flat", 32, vectors[:5], np.arange(5))
    pending = write_generation(tmp_path, index, np.arange(5), _manifest(32))
    assert current_generation(tmp_path) == live
    assert open_live(tmp_path).ntotal == 10
    assert load_generation(tmp_path, pending).ntotal == 5
