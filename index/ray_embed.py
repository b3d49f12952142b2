"""Embed chunks on a Ray cluster: a Ray Data pipeline with one embedding model per actor.

`dateline index --ray ADDRESS` hands the chunks the embedding cache lacks to this module
instead of embedding them in process. The driver (the `dateline index` process) stays the
archive's only reader and writer: it feeds the pipeline windows of (hash, text) rows read from
the archive, a bounded number at a time, and commits the vectors that stream back, batch by
batch, as the in-process path does (index/build.py ``embed_missing``).

Each window is one Ray Dataset: its rows, split into batches, go through ``map_batches`` with
``_EmbedActor`` (a callable class: one model per actor, loaded once per window) and come back
to the driver as they are done. Ray Data restarts a killed actor and retries its batch; a batch
that was retried arrives once, and the cache's primary key (hash, model) stores it once anyway.
(Ray Data's defaults restart an actor and retry its batch without limit; Ray 2.60 deprecates
the remote arguments that would bound them.)

Ray is an optional extra (``pip install 'dateline[ray]'``): nothing here imports it until a
build asks for it.
"""
from __future__ import annotations

import contextlib
import logging
import os
import socket
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import settings
from .errors import DatelineError

INSTALL_HINT = "pip install 'dateline[ray]'"
LOCAL = "local"  # the address that starts a Ray instance on this machine's cores
# Object store of a local Ray instance: small, since /dev/shm and memory are shared with the
# build itself; a window of texts and its vectors need a few tens of MB.
_LOCAL_OBJECT_STORE_BYTES = 300 * 1024 * 1024
# Chunks per window: each window starts its actors (one model load each, seconds), so a window
# must hold minutes of work; its texts (about 1.2 KB a chunk) stay in the driver and the object
# store until it is done, which bounds the memory a build of millions of chunks needs.
_MIN_WINDOW = 16384
_WINDOW_BATCHES_PER_WORKER = 32
_CONNECT_TIMEOUT_S = 10  # to reach a cluster's head before ray.init is asked to join it


@dataclass(frozen=True)
class RayOptions:
    """Where and how to run the embedding pipeline."""

    address: str  # "local", or a cluster address ray.init accepts ("auto", "ray://head:10001")
    workers: int = 2  # embedding actors, one model each
    batch: int = 64  # chunks per batch handed to an actor
    gpus: float = 0.0  # GPUs per actor; 0 runs actors on one CPU each
    # What each worker loads: the ``model`` setting (empty: the bundled model, installed with
    # dateline on every node) and the backend as asked, not as the driver resolved it, so
    # ``auto`` decides on each node for that node.
    model: str = ""
    backend: str = "auto"

    @classmethod
    def from_settings(cls, address: str | None = None, workers: int | None = None, batch: int | None = None,
                      gpus: float | None = None, backend: str | None = None) -> "RayOptions | None":
        """Return the options of the ``ray*`` settings (arguments override them); None when no
        address is set, which means embedding in process."""
        address = settings.get("ray", address)
        if not address:
            return None
        options = cls(address=str(address), workers=settings.get("ray_workers", workers),
                      batch=settings.get("ray_batch", batch), gpus=settings.get("ray_gpus", gpus),
                      model=_absolute(settings.get("model")), backend=settings.get("embed_backend", backend))
        for name, value, least in (("ray_workers", options.workers, 1), ("ray_batch", options.batch, 1),
                                   ("ray_gpus", options.gpus, 0)):
            if value < least:
                raise DatelineError(f"{settings.setting(name).env} is {value}: it must be at least {least}",
                                    code="bad_setting", status=400)
        return options

    def describe(self) -> str:
        """Say where and how the chunks were embedded, for the build summary."""
        per_worker = f"{self.gpus:g} GPU" if self.gpus else "1 CPU"
        backend = "each choosing its backend" if self.backend == "auto" else f"backend {self.backend}"
        return f"Ray at {self.address} ({self.workers} workers of {per_worker}, {self.batch} chunks a batch, {backend})"

    @property
    def window(self) -> int:
        """Chunks the driver hands to one Ray Dataset."""
        return max(_MIN_WINDOW, _WINDOW_BATCHES_PER_WORKER * self.workers * self.batch)


def _absolute(model: str) -> str:
    """Return a model directory as an absolute path (workers start elsewhere); empty stays empty."""
    return str(Path(model).expanduser().resolve()) if model else ""


def import_ray():
    """Return the ``ray`` module with Ray Data loaded; a DatelineError saying how to install it."""
    try:
        import ray
        import ray.data  # noqa: F401  (the pipeline needs it; ray alone may be installed without it)
    except ImportError:
        raise DatelineError(f"--ray needs Ray, which is not installed: {INSTALL_HINT}",
                            code="ray_missing", status=500) from None
    return ray


def _check_reachable(address: str) -> None:
    """Raise a DatelineError at once when ``address`` names a host and port that refuse a
    connection: ray.init would retry for minutes."""
    if address == "auto":  # the cluster this machine belongs to: ray.init says at once if none
        return
    rest, default_port = (address[len("ray://"):], 10001) if address.startswith("ray://") else (address, 6379)
    host, _, port = rest.rpartition(":") if ":" in rest else (rest, "", str(default_port))
    try:
        socket.create_connection((host, int(port)), timeout=_CONNECT_TIMEOUT_S).close()
    except (OSError, ValueError) as e:
        raise DatelineError(f"{host}:{port} does not answer ({e})") from None


class _EmbedActor:
    """One embedding model in one Ray actor: turns a batch of (hash, text) rows into vectors."""

    def __init__(self, model: str, backend: str, expected_name: str):
        from dateline.index.embed import load_embedder

        # The worker picks its own device and precision, as an in-process build would.
        self.embedder = load_embedder(model, backend)
        if self.embedder.name != expected_name:  # other weights on this node: their vectors would be wrong
            raise DatelineError(f"the Ray worker's embedding model is {self.embedder.name}, not {expected_name} "
                                "as on the driver: install the same model on every node")
        getattr(self.embedder, "model")  # load it now, not inside the first batch

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        texts = [str(t) for t in batch["text"]]
        vectors = self.embedder.encode(texts, batch_size=len(texts))
        return {"hash": batch["hash"], "vector": vectors}


class RaySession:
    """A connection to Ray for one build: started (``local``) or joined on enter, left on exit."""

    def __init__(self, options: RayOptions):
        self.options = options
        self._ray = None
        self._started = False
        # Ray prints the errors its cluster reports (a worker died, its batch is retried) on
        # stdout, where `dateline index --json` writes its report: they go to stderr instead.
        self._stdout_to_stderr = contextlib.redirect_stdout(sys.stderr)

    def __enter__(self) -> "RaySession":
        ray = self._ray = import_ray()
        self._stdout_to_stderr.__enter__()
        if not ray.is_initialized():
            # Ray's own logs (worker output, the dashboard, its progress bars) stay off the CLI.
            # Its warnings at start-up (token authentication, deprecations) are not the user's
            # business either: a failure still reaches the build as an exception.
            common = {"log_to_driver": False, "include_dashboard": False, "logging_level": logging.ERROR}
            os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")  # the driver's C++ core worker's log lines
            try:
                if self.options.address == LOCAL:
                    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
                    ray.init(num_cpus=cpus, object_store_memory=_LOCAL_OBJECT_STORE_BYTES, **common)
                else:
                    _check_reachable(self.options.address)
                    ray.init(address=self.options.address, **common)
            except (ConnectionError, ValueError, RuntimeError, DatelineError) as e:
                self._stdout_to_stderr.__exit__(None, None, None)
                raise DatelineError(f"cannot reach the Ray cluster at {self.options.address}: "
                                    f"{getattr(e, 'message', e)}", code="ray_unreachable", status=502) from None
            self._started = True
        logging.getLogger("ray.data").setLevel(logging.ERROR)
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False  # the build's own bar says how far it is
        context.print_on_execution_start = False
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self._started:  # stops a local instance; leaves a cluster, which keeps running
                self._ray.shutdown()
        finally:
            self._stdout_to_stderr.__exit__(None, None, None)

    def embed(self, blocks: Iterable[tuple[list[str], list[str]]], name: str) -> Iterator[tuple[list[str], np.ndarray]]:
        """Embed each (hashes, texts) block on the cluster; yield (hashes, vectors) as batches
        come back, in no particular order. ``name`` is the driver's ``embedder.name`` (the
        cache key), which each worker's model must have."""
        window_hashes: list[str] = []
        window_texts: list[str] = []
        for hashes, texts in blocks:
            window_hashes += hashes
            window_texts += texts
            if len(window_hashes) >= self.options.window:
                yield from self._embed_window(window_hashes, window_texts, name)
                window_hashes, window_texts = [], []
        if window_hashes:
            yield from self._embed_window(window_hashes, window_texts, name)

    def _embed_window(self, hashes: list[str], texts: list[str], name: str) -> Iterator[tuple[list[str], np.ndarray]]:
        """Run one window through the actor pool; yield its batches as they are done."""
        import pyarrow as pa

        ray, o = self._ray, self.options
        # One block per batch, so the actors share the window batch by batch.
        tables = [pa.table({"hash": hashes[i:i + o.batch], "text": texts[i:i + o.batch]})
                  for i in range(0, len(hashes), o.batch)]
        resources = {"num_gpus": o.gpus, "num_cpus": 1} if o.gpus else {"num_cpus": 1}
        dataset = ray.data.from_arrow(tables).map_batches(
            _EmbedActor, fn_constructor_kwargs={"model": o.model, "backend": o.backend, "expected_name": name},
            batch_size=o.batch, batch_format="numpy", compute=ray.data.ActorPoolStrategy(size=o.workers), **resources)
        try:
            for batch in dataset.iter_batches(batch_size=None, batch_format="numpy"):
                yield [str(h) for h in batch["hash"]], np.ascontiguousarray(batch["vector"], dtype=np.float32)
        except ray.exceptions.RayError as e:
            cause = getattr(e, "cause", None)
            if isinstance(cause, DatelineError):
                raise cause from None
            raise DatelineError(f"the Ray embedding pipeline failed: {str(e).splitlines()[0].rstrip('.')}; "
                                "vectors stored so far are kept, and the next run resumes from them") from None

