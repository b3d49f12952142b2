"""The embedder with the real bundled model: normalized vectors, the fast paths agree with fp32,
queries through ONNX match, and bad configuration is reported."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, SEED
from dateline.index.embed import Embedder, load_embedder, resolve_backend
from dateline.index.errors import DatelineError

pytestmark = pytest.mark.slow

TEXTS = [
    "Reuters | Houston | 1987-03-02 | OIL PRICES RISE\nCrude oil prices rose a dollar a barrel as OPEC kept output down.",
    "Reuters | Chicago | 1987-03-02 | WHEAT EXPORTS FALL\nU.S. wheat export inspections fell to 12 mln bushels last week.",
    "Iran Focus | London | 2017-06-27 | 1988 massacre\nThousands of political prisoners were executed in the summer of 1988.",
    "The central bank cut its discount rate to six pct.",
]


@pytest.fixture(scope="module")
def embedder():
    return load_embedder()


def test_the_bundled_model_loads_once_per_process(embedder):
    assert load_embedder() is embedder
    assert load_embedder(None, embedder.backend) is embedder
    assert embedder.dim == 384 and embedder.max_length == 256
    assert embedder.name.startswith("all-MiniLM-L6-v2@")


def test_encode_returns_unit_float32_rows(embedder):
    vectors = embedder.encode(TEXTS, batch_size=2)
    assert vectors.shape == (4, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.encode([]).shape == (0, 384)
    with pytest.raises(TypeError):
        embedder.encode("one text")


@pytest.mark.parametrize("backend", ["torch-bf16", "onnx"])
def test_fast_paths_agree_with_plain_fp32(embedder, backend):
    reference = embedder.encode(TEXTS, backend="torch")
    fast = embedder.encode(TEXTS, backend=backend)
    cosines = (reference * fast).sum(axis=1)
    assert cosines.min() >= 0.99, cosines


def test_query_vectors_match_fp32_and_find_the_right_text(embedder):
    reference = embedder.encode(TEXTS, backend="torch")
    question = "How many prisoners were executed in 1988?"
    q = embedder.encode_query(question)
    assert q.shape == (384,) and q.dtype == np.float32
    assert embedder._query_session is not None, f"ONNX query path failed: {embedder._onnx_failed}"
    assert float(q @ embedder.encode([question], backend="torch")[0]) > 0.9999
    assert int(np.argmax(reference @ q)) == 2
    assert int(np.argmax(reference @ embedder.encode_query("price of crude oil"))) == 0
    assert int(np.argmax(reference @ embedder.encode_query("grain shipments abroad"))) == 1
    with pytest.raises(TypeError):
        embedder.encode_query(["a list"])


def test_the_onnx_export_is_kept_in_the_cache_dir(embedder):
    embedder.encode_query("warm up")
    assert embedder.onnx_path().is_file()


QUESTION = "How many prisoners were executed in 1988?"


def test_asking_runs_without_torch_once_the_export_exists(embedder, tmp_path):
    # A server worker or `dateline ask` only encodes questions: ONNX Runtime and the tokenizer
    # alone, which saves the memory and the seconds that importing torch costs.
    embedder.encode_query("warm up")  # the export and torch's probe vector now exist
    script = ("import sys, numpy; from dateline.index.embed import load_embedder; e = load_embedder(); "
              f"v = e.encode_query({QUESTION!r}); numpy.save(sys.argv[1], v); "
              "print('torch' in sys.modules, e._onnx_failed)")
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path / "q.npy")], cwd=ROOT,
                         capture_output=True, text=True, env=os.environ.copy(), timeout=120)
    assert out.stdout.split() == ["False", "None"], out.stderr[-2000:]
    assert float(np.load(tmp_path / "q.npy") @ embedder.encode([QUESTION], backend="torch")[0]) > 0.9999


def test_an_export_that_misses_torchs_vector_is_dropped_and_torch_answers(embedder, tmp_path, monkeypatch):
    embedder.encode_query("warm up")
    good = embedder.onnx_path()
    monkeypatch.setenv("DATELINE_CACHE_DIR", str(tmp_path))
    fresh = Embedder(embedder.model_dir, "torch", "all-MiniLM-L6-v2")
    export = fresh.onnx_path()
    export.parent.mkdir(parents=True)
    shutil.copy(good, export)
    # Recorded vectors the export cannot reproduce, as after a damaged or foreign export.
    meta = json.loads(good.with_name("query.json").read_text())
    meta["probes"] = [[-x for x in vector] for vector in meta["probes"]]
    export.with_name("query.json").write_text(json.dumps(meta))
    vector = fresh.encode_query(QUESTION)
    assert "disagrees with torch" in fresh._onnx_failed and not export.exists()
    assert float(vector @ embedder.encode([QUESTION], backend="torch")[0]) > 0.9999


def test_a_build_leaves_the_query_path_ready(cli, tmp_path, monkeypatch):
    # `dateline index` has torch loaded anyway: it makes the export, so servers never need to.
    monkeypatch.setenv("DATELINE_CACHE_DIR", str(tmp_path / "cache"))
    assert cli("import", str(SEED)).exit_code == 0
    assert cli("index").exit_code == 0
    export = load_embedder().onnx_path()
    assert str(export).startswith(str(tmp_path / "cache"))
    assert export.is_file() and json.loads(export.with_name("query.json").read_text())["tokenizer"] == "fast"


def _model_copy(embedder, tmp_path, edit) -> Path:
    """A copy of the bundled model with one of its JSON files changed by ``edit(name, data)``."""
    model = tmp_path / "model"
    shutil.copytree(embedder.model_dir, model)
    for path in model.rglob("*.json"):
        data = json.loads(path.read_text())
        if edit(path.name, data):
            path.write_text(json.dumps(data))
    return model


def test_a_tokenizer_setting_that_tokenizer_json_lacks_is_honoured(embedder, tmp_path, monkeypatch):
    # tokenizer_config.json cuts long texts from the left: the tokenizers library alone would cut
    # from the right, so the export notes that questions need the transformers tokenizer.
    def left(name, data):
        if name == "tokenizer_config.json":
            data["truncation_side"] = "left"
            return True
    monkeypatch.setenv("DATELINE_CACHE_DIR", str(tmp_path / "cache"))
    model = Embedder(_model_copy(embedder, tmp_path, left), "torch", "left-cut")
    question = "What did the minister say about oil prices? " * 60  # far past 256 word pieces
    vector = model.encode_query(question)
    assert model._onnx_failed is None and not model._fast_tokens
    assert float(vector @ model.encode([question], backend="torch")[0]) > 0.9999


def test_a_model_its_files_do_not_fully_describe_loads_through_sentence_transformers(embedder, tmp_path):
    def no_limit(name, data):
        if name == "sentence_bert_config.json":
            data["max_seq_length"] = None
            return True
    model = Embedder(_model_copy(embedder, tmp_path, no_limit), "torch", "no-limit")
    assert model.layout is None and model._model is not None and model.dim == 384


def test_an_unwritable_cache_keeps_the_onnx_path(embedder, tmp_path, monkeypatch):
    import dateline.index.embed as embed

    def refuse(path, data):
        raise PermissionError(13, "Read-only file system", str(path))
    embedder.encode_query("warm up")
    good = embedder.onnx_path()
    monkeypatch.setenv("DATELINE_CACHE_DIR", str(tmp_path))
    fresh = Embedder(embedder.model_dir, "torch", "all-MiniLM-L6-v2")
    fresh.onnx_path().parent.mkdir(parents=True)
    shutil.copy(good, fresh.onnx_path())  # an export from before query.json existed
    monkeypatch.setattr(embed, "write_atomically", refuse)
    vector = fresh.encode_query(QUESTION)
    assert fresh._onnx_failed is None and fresh._query_session is not None
    assert float(vector @ embedder.encode([QUESTION], backend="torch")[0]) > 0.9999


def test_bad_model_and_backend_are_reported(tmp_path, monkeypatch):
    with pytest.raises(DatelineError, match="not a sentence-transformers model directory"):
        load_embedder(str(tmp_path))
    monkeypatch.setenv("DATELINE_MODEL", str(tmp_path / "missing"))
    with pytest.raises(DatelineError, match="DATELINE_MODEL"):
        load_embedder()
    with pytest.raises(DatelineError, match="unknown embedding backend"):
        resolve_backend("tensorrt")
    # "auto" is decided on first bulk use, where torch is loaded anyway (tests/test_bulk_path.py).
    assert resolve_backend("auto") == "auto"
