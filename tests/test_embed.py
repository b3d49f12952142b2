"""The embedder with the real bundled model: normalized vectors, the fast paths agree with fp32,
queries through ONNX match, and bad configuration is reported."""
from __future__ import annotations

import numpy as np
import pytest

from index.embed import load_embedder, resolve_backend
from index.errors import DatelineError

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


def test_bad_model_and_backend_are_reported(tmp_path, monkeypatch):
    with pytest.raises(DatelineError, match="not a sentence-transformers model directory"):
        load_embedder(str(tmp_path))
    monkeypatch.setenv("DATELINE_MODEL", str(tmp_path / "missing"))
    with pytest.raises(DatelineError, match="DATELINE_MODEL"):
        load_embedder()
    with pytest.raises(DatelineError, match="unknown embedding backend"):
        resolve_backend("tensorrt")
    # torch-bf16 misses the 2x speed gate on this machine, so it is opt-in (README).
    assert resolve_backend("auto") == "torch"
