"""Which bulk embedding path the ``auto`` backend takes on this machine, and why.

A GPU, where torch sees one (or ``DATELINE_DEVICE`` names one), embeds in fp16. On a CPU the
choice is between plain fp32 and the bfloat16 copy of the transformer (``torch-bf16``). bf16
pays off only on some CPUs: 1.5-2.06x fp32 on one with AVX512-BF16 and no AMX, 2.9-3.2x on a
Xeon with AMX (docs/performance.md, "Embedding paths"). So ``auto`` measures it here, once:
a same-run check of a few seconds on fixed news text, kept per CPU model, thread count and
library versions, against the gate the fast paths have always had to meet (>= 2x the speed of
fp32 at a mean cosine >= 0.99 to its vectors). Ray workers run this for themselves.
"""
from __future__ import annotations

import json
import logging
import os
import platform
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Protocol

from . import settings
from .errors import DatelineError
from .files import write_atomically

log = logging.getLogger(__name__)


class Encoder(Protocol):
    """What the check needs of an embed.Embedder (which imports this module, hence no import)."""

    name: str
    layout: object | None

    def encode(self, texts: list[str], batch_size: int = 64, progress: bool = False, *,
               backend: str | None = None): ...


SPEED_GATE = 2.0  # bf16 must be at least this many times as fast as fp32...
COSINE_GATE = 0.99  # ...with its vectors at least this close to fp32's on average
_SAMPLE_TEXTS = 32  # texts per timed pass: enough for a steady rate, a few seconds on two cores
_SAMPLE_CHARS = 900  # about 200 tokens: a chunk's length
_SAMPLE_STRIDE = 280
_ROUNDS = 2  # fp32 and bf16 passes alternate, so a neighbour's load falls on both alike
_CACHE_FILE = "bulk_path.json"
_DEMO_TEXT = Path(__file__).resolve().parent.parent / "qa" / "demo" / "iran_focus_2017.txt"


@dataclass(frozen=True)
class BulkPath:
    """The bulk path chosen: ``backend`` (torch, torch-bf16, torch-fp16 or onnx), ``device``
    (cpu, cuda, cuda:1...) and ``reason``, why."""

    backend: str
    device: str
    reason: str

    def __str__(self) -> str:
        """Return the words the build summary prints: "torch-bf16 on cpu (bf16 2.44x fp32 ...)"."""
        return f"{self.backend} on {self.device} ({self.reason})"


def cache_dir() -> Path:
    """Return the directory for derived model files (ONNX exports, the bulk path check)."""
    configured = settings.get("cache_dir")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "dateline"


def bf16_supported() -> bool:
    """Return True when this CPU runs bfloat16 matrix products natively (AVX512-BF16 or AMX)."""
    import torch

    try:
        return bool(torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def resolve_device(requested: str | None = None) -> str:
    """Return the torch device bulk embedding runs on: the ``device`` setting, "auto" meaning
    the first GPU torch sees, else the CPU. A GPU that is asked for and missing is an error."""
    requested = (requested or settings.get("device")).strip().lower()
    if requested == "cpu":
        return "cpu"
    if requested != "auto" and requested != "cuda" and not requested.startswith("cuda:"):
        raise DatelineError(f"unknown device {requested!r}: choose auto, cpu, cuda or cuda:N "
                            f"({settings.setting('device').env})")
    import torch

    if not torch.cuda.is_available():
        if requested == "auto":
            return "cpu"
        raise DatelineError(f"{settings.setting('device').env}={requested}, but torch sees no GPU here "
                            f"(torch {torch.__version__}, CUDA {torch.version.cuda or 'not built in'})")
    if requested.startswith("cuda:") and not requested[5:].isdigit():
        raise DatelineError(f"unknown device {requested!r}: a GPU is cuda:N with N a number")
    if requested.startswith("cuda:") and int(requested[5:]) >= torch.cuda.device_count():
        raise DatelineError(f"{settings.setting('device').env}={requested}, but torch sees "
                            f"{torch.cuda.device_count()} GPU(s), numbered from 0")
    return "cuda" if requested == "auto" else requested


def choose(embedder: Encoder) -> BulkPath:
    """Return the bulk path ``auto`` takes for ``embedder`` on this machine."""
    device = resolve_device()
    if device != "cpu":
        import torch

        return BulkPath("torch-fp16", device, f"torch sees GPU {torch.cuda.get_device_name(device)}")
    if not bf16_supported():
        return BulkPath("torch", "cpu", "this CPU has no native bf16")
    if embedder.layout is None:  # bf16 runs under autocast, never measured fast enough
        return BulkPath("torch", "cpu", "bf16 is only checked for Transformer + mean pooling models")
    key = _machine_key(embedder)
    found = _read_cache().get(key)
    if found is None:
        found = _measure(embedder)
        _keep(key, found)
    return _verdict(found)


def _verdict(check: dict) -> BulkPath:
    """Turn a check's figures into a path and the sentence that says why."""
    figures = (f"bf16 {check['speedup']:.2f}x fp32 at mean cosine {check['cosine_mean']:.5f} "
               f"on {check['cpu']}, checked {check['checked']}")
    if check["speedup"] >= SPEED_GATE and check["cosine_mean"] >= COSINE_GATE:
        return BulkPath("torch-bf16", "cpu", figures)
    return BulkPath("torch", "cpu", f"{figures}; bf16 needs {SPEED_GATE:g}x at cosine {COSINE_GATE}")


def sample_texts() -> list[str]:
    """Return the check's fixed texts: chunk-sized windows of the bundled demo article."""
    text = " ".join(_DEMO_TEXT.read_text(encoding="utf-8").split())
    starts = range(0, max(1, len(text) - _SAMPLE_CHARS), _SAMPLE_STRIDE)
    windows = [text[s:s + _SAMPLE_CHARS] for s in starts]
    return (windows * (_SAMPLE_TEXTS // len(windows) + 1))[:_SAMPLE_TEXTS]


def _measure(embedder: Encoder) -> dict:
    """Time fp32 against bf16 on the sample, alternating, and compare their vectors."""
    texts = sample_texts()
    embedder.encode(texts[:2], backend="torch")  # warm both paths: the first call pays set-up
    embedder.encode(texts[:2], backend="torch-bf16")
    seconds = {"torch": 0.0, "torch-bf16": 0.0}
    vectors = {}
    for _ in range(_ROUNDS):
        for backend in seconds:
            started = time.perf_counter()
            vectors[backend] = embedder.encode(texts, backend=backend)
            seconds[backend] += time.perf_counter() - started
    cosines = (vectors["torch"] * vectors["torch-bf16"]).sum(axis=1)
    check = {"cpu": _cpu_model(), "speedup": round(seconds["torch"] / seconds["torch-bf16"], 3),
             "cosine_mean": round(float(cosines.mean()), 6), "cosine_min": round(float(cosines.min()), 6),
             "fp32_chunks_per_s": round(_ROUNDS * len(texts) / seconds["torch"], 1),
             "checked": time.strftime("%Y-%m-%d")}
    log.info("bulk path check: %s", check)
    return check


def _machine_key(embedder: Encoder) -> str:
    """What the check's result depends on: the CPU, the threads torch uses, library versions, the model."""
    import torch

    versions = [f"{name}={_version(name)}" for name in ("torch", "sentence-transformers", "transformers")]
    return " | ".join([_cpu_model(), f"{torch.get_num_threads()} threads", *versions, embedder.name])


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "none"


def _cpu_model() -> str:
    """Return the CPU's model name (from /proc/cpuinfo on Linux)."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                return " ".join(line.split(":", 1)[1].split())
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def _cache_path() -> Path:
    return cache_dir() / _CACHE_FILE


def _read_cache() -> dict:
    try:
        found = json.loads(_cache_path().read_text(encoding="utf-8"))
        return found if isinstance(found, dict) else {}
    except (OSError, ValueError):  # none yet, or damaged: measure again
        return {}


def _keep(key: str, check: dict) -> None:
    """Add one machine's check to the cache file; a cache that cannot be written costs a re-check."""
    cached = _read_cache()
    cached[key] = check
    try:
        _cache_path().parent.mkdir(parents=True, exist_ok=True)
        write_atomically(_cache_path(), lambda p: p.write_text(json.dumps(cached, indent=1), encoding="utf-8"))
    except OSError as e:
        log.warning("cannot keep the bulk path check in %s (%s); the next build checks again", _cache_path(), e)

