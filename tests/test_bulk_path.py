"""How `auto` embeds on this machine: a GPU in fp16, else a same-run fp32 vs bf16 check against
the 2x / cosine 0.99 gate, kept per CPU model and library versions; the build summary says which
path it took and why; a device that is asked for and missing is one clear line."""
from __future__ import annotations

import json

import pytest

from conftest import SEED
from dateline.index import bulk_path
from dateline.index.embed import Embedder, bf16_supported, load_embedder
from dateline.index.errors import DatelineError

pytestmark = pytest.mark.slow


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """An embedder that has decided nothing yet, with an empty cache directory of its own."""
    monkeypatch.setenv("DATELINE_CACHE_DIR", str(tmp_path / "cache"))
    bundled = load_embedder()
    return Embedder(bundled.model_dir, "auto", "all-MiniLM-L6-v2")


@pytest.mark.skipif(not bf16_supported(), reason="the check runs only where the CPU has native bf16")
def test_auto_measures_once_then_reads_the_kept_check(fresh, tmp_path, monkeypatch):
    path = fresh.bulk_path()
    kept = json.loads((tmp_path / "cache" / "bulk_path.json").read_text())
    [(key, check)] = kept.items()
    assert bulk_path._cpu_model() in key and "torch=" in key and fresh.name in key
    assert check["cosine_mean"] >= 0.999 and check["speedup"] > 0
    expected = "torch-bf16" if check["speedup"] >= 2.0 else "torch"
    assert path.backend == expected and path.device == "cpu"
    assert f"{check['speedup']:.2f}x fp32" in path.reason

    # A second process on the same machine reads the check instead of measuring again...
    monkeypatch.setattr(bulk_path, "_measure", lambda e: pytest.fail("measured twice"))
    again = Embedder(fresh.model_dir, "auto", "all-MiniLM-L6-v2").bulk_path()
    assert again == path
    # ...and the choice follows the kept figures: a CPU where bf16 was 1.8x stays on fp32.
    check["speedup"] = 1.8
    (tmp_path / "cache" / "bulk_path.json").write_text(json.dumps({key: check}))
    slow = Embedder(fresh.model_dir, "auto", "all-MiniLM-L6-v2").bulk_path()
    assert slow.backend == "torch" and "bf16 needs 2x" in slow.reason
    check["speedup"], check["cosine_mean"] = 3.1, 0.95  # fast, but not the same vectors
    (tmp_path / "cache" / "bulk_path.json").write_text(json.dumps({key: check}))
    assert Embedder(fresh.model_dir, "auto", "all-MiniLM-L6-v2").bulk_path().backend == "torch"


def test_the_chosen_path_embeds_within_cosine_0_9999_of_fp32(fresh):
    texts = bulk_path.sample_texts()[:8]
    reference = fresh.encode(texts, backend="torch")
    chosen = fresh.encode(texts)
    assert (reference * chosen).sum(axis=1).min() >= 0.9999


def test_a_device_asked_for_and_missing_is_one_clear_line(fresh, monkeypatch):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    assert bulk_path.resolve_device("auto") == "cpu"
    monkeypatch.setenv("DATELINE_DEVICE", "cuda")
    with pytest.raises(DatelineError, match="DATELINE_DEVICE=cuda, but torch sees no GPU"):
        fresh.encode(["text"])
    monkeypatch.setenv("DATELINE_DEVICE", "tpu")
    with pytest.raises(DatelineError, match="unknown device 'tpu'"):
        bulk_path.resolve_device()
    monkeypatch.setenv("DATELINE_DEVICE", "cpu")
    cpu_fp16 = Embedder(fresh.model_dir, "torch-fp16", "all-MiniLM-L6-v2")
    with pytest.raises(DatelineError, match="torch-fp16 runs on a GPU"):
        cpu_fp16.encode(["text"])


def test_index_says_which_path_it_took_and_a_missing_gpu_is_refused(cli, runner, data_dir, monkeypatch):
    assert cli("import", str(SEED)).exit_code == 0
    # The CLI's embedder is this process's; a process decides its path once, so forget it here.
    monkeypatch.setattr(load_embedder(), "_bulk_path", None)
    monkeypatch.setenv("DATELINE_DEVICE", "cuda:0")
    import torch

    if not torch.cuda.is_available():
        result = cli("index")
        assert result.exit_code != 0
        assert "DATELINE_DEVICE=cuda:0, but torch sees no GPU" in result.output
        assert "Traceback" not in result.output
    monkeypatch.setenv("DATELINE_DEVICE", "auto")
    result = cli("index")
    assert result.exit_code == 0, result.output
    path = load_embedder().bulk_path()
    assert f"embedded with {path.backend} on {path.device} (" in result.output
