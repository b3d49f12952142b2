"""Every setting in one table: a name, a default and a help line.

Each setting is read from the environment variable ``DATELINE_<NAME>`` and may be overridden
by a CLI option or the web app's config; the README lists them all (a test checks that).
"""
from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | int | float | None
    help: str

    @property
    def env(self) -> str:
        return "DATELINE_" + self.name.upper()


SETTINGS: list[Setting] = [
    Setting("data", "./dateline-data", "Data directory: the SQLite archive and the index generations."),
    Setting("model", "", "Local sentence-transformers model directory; empty means the bundled all-MiniLM-L6-v2."),
    Setting("embed_backend", "auto", "How chunks are embedded: auto (a GPU in fp16, else fp32 or bf16, whichever this CPU runs at least 2x faster at cosine >= 0.99, checked once per CPU), torch, torch-bf16, torch-fp16 (GPU) or onnx."),
    Setting("device", "auto", "Torch device for embedding chunks: auto (the first GPU torch sees, else the CPU), cpu, cuda or cuda:N."),
    Setting("chunk_tokens", 200, "Chunk size in tiktoken cl100k tokens (before the context header)."),
    Setting("chunk_overlap", 40, "Tokens shared by consecutive chunks of one item."),
    Setting("index_type", "auto", "FAISS index type: auto, flat, ivf, ivf-sq8, ivf-pq or hnsw."),
    Setting("ivf_threshold", 50000, "Chunk count from which index_type auto builds an IVF index instead of exact search (measured: benchmarks/search.py)."),
    Setting("ivf_sq8_threshold", 2000000, "Chunk count from which index_type auto builds a compressed ivf-sq8 index (8-bit codes, candidates re-scored from the stored vectors; measured: benchmarks/search.py)."),
    Setting("ivf_pq_threshold", 5000000, "Chunk count from which index_type auto builds a compressed ivf-pq index (64-byte codes, candidates re-scored from the stored vectors; measured: benchmarks/search.py)."),
    Setting("embed_batch", 64, "Chunks per embedding batch in `dateline index`."),
    Setting("ray", "", "Ray cluster address for `dateline index` and the rebuilds of uploads, reindex and `dateline watch` (`auto`, `ray://head:10001`, ...): the chunks the embedding cache lacks are embedded there by a Ray Data pipeline; `local` starts a local Ray instance on this machine's cores; empty embeds in process. Needs `pip install 'dateline[ray]'`."),
    Setting("ray_workers", 2, "Embedding actors of a Ray build, each with its own copy of the model."),
    Setting("ray_batch", 64, "Chunks per batch handed to a Ray embedding actor."),
    Setting("ray_gpus", 0.0, "GPUs per Ray embedding actor (1, or 0.5 for two actors per GPU); 0 runs each actor on one CPU."),
    Setting("cache_dir", "", "Directory for derived model files (the ONNX export); empty means ~/.cache/dateline."),
    Setting("top_k", 5, "Items returned per answer: its citations plus the related items."),
    Setting("no_answer_threshold", 0.3, "Confidence (0-1, the no-answer model's estimate that the archive answers) below which `ask` answers that the archive holds nothing relevant (model fitted by `dateline eval calibrate`)."),
    Setting("passages_per_item", 2, "Most passages one item contributes to an answer's candidates."),
    Setting("search_threads", 1, "FAISS threads per query in `ask`/`search`; one is fastest for single questions on a busy server."),
    Setting("host", "127.0.0.1", "Address `dateline serve` binds to."),
    Setting("port", 8000, "Port `dateline serve` listens on."),
    Setting("workers", 2, "Worker processes of `dateline serve`."),
    Setting("reindex_token", "", "Token required by POST /api/reindex; empty disables the endpoint."),
    Setting("api_keys", "", "Comma-separated API keys; when set, /api/* (but status, reindex, import and the OpenAPI document) and /v1/* need `Authorization: Bearer <key>`."),
    Setting("public_url", "", "The server's address as readers reach it (e.g. https://news.example.org); links in answers written as Markdown start with it. Empty: the address the request came to."),
    Setting("max_request_bytes", 65536, "Largest request body the API accepts (413 above)."),
    Setting("upload_max_mb", 64, "Largest upload POST /api/import accepts, in MB (413 above); `dateline serve` holds an upload in memory while it arrives."),
    Setting("header_timeout", 10.0, "Seconds `dateline serve` gives a client to send a request's line and headers (408 after)."),
    Setting("body_timeout", 30.0, "Seconds `dateline serve` gives a client to send a request's body, and to read an answer (408 after)."),
    Setting("max_connections", 512, "Client connections `dateline serve` holds open at once; one more is answered 503 with Retry-After."),
    Setting("max_queued", 64, "Complete requests that may wait for a free worker; one more is answered 503 with Retry-After."),
    Setting("reload_interval", 2.0, "Seconds between the server's checks for a newly published index."),
    Setting("page_timeout", 10.0, "Seconds `dateline import` gives one HTML page's article extraction or one feed's reading; a page or feed that takes longer is rejected."),
]

_BY_NAME = {s.name: s for s in SETTINGS}


def setting(name: str) -> Setting:
    """Return the declared setting called ``name``."""
    return _BY_NAME[name]


def get(name: str, override: object | None = None):
    """Return a setting's value: ``override`` if given, else its environment variable, else its default.

    The value is converted to the type of the default, so ``get("port")`` is an int.
    """
    s = _BY_NAME[name]
    raw = override if override is not None else os.environ.get(s.env)
    if raw is None or raw == "":
        return s.default
    if isinstance(s.default, bool):
        return str(raw).lower() in ("1", "true", "yes", "on")
    if isinstance(s.default, int):
        return int(raw)
    if isinstance(s.default, float):
        return float(raw)
    return str(raw)
