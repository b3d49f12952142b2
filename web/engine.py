"""The process's one `qa.engine.Engine`: made on first use, kept in ``app.extensions``, and
told to pick up a newly published index at most every ``RELOAD_INTERVAL`` seconds.

On a read-only replica (``DATA_DIR`` is a folder of snapshots, index/snapshot.py) the engine
answers from the snapshot ``CURRENT`` names; when the pointer moves, a new engine is opened on
the new snapshot (its index and archive loaded before it answers) and the old one dropped.
"""
from __future__ import annotations

import gc
import logging
import threading
import time
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from dateline.index.errors import DatelineError
from dateline.index.replica import is_replica_root, is_snapshot, live_snapshot, read_marker
from dateline.qa.words import rare_in_general

log = logging.getLogger(__name__)

EXTENSION = "dateline"
# A snapshot that could not be opened is tried again after this long (a network mount's hiccup),
# not at every check.
RETRY_SNAPSHOT_S = 60.0


class EngineHolder:
    """Hold one engine per process and reload it when `dateline index` publishes a generation,
    or, on a replica, open a new one when `dateline snapshot` publishes a snapshot.

    The engine is made lazily, so a server started before any index exists answers 503 with
    the command to run, then starts answering once the index is built, without a restart.
    """

    def __init__(self, data_dir: str, *, model: str | None, reload_interval: float,
                 engine: Any = None):
        self.data_dir = data_dir
        self.model = model
        self.reload_interval = reload_interval
        # A folder of snapshots: follow its pointer. One snapshot: read-only, but nothing to follow.
        self.replica = is_replica_root(data_dir)
        self.read_only = self.replica or is_snapshot(data_dir)
        self._engine = engine
        self._checked = time.monotonic()
        self._lock = threading.Lock()
        self._refused: tuple[str, float] | None = None  # (snapshot, when) the last one that would not open

    def get(self) -> Any:
        """Return the engine, making it or reloading its index when due; DatelineError if none."""
        engine = self._engine
        if engine is None:
            with self._lock:
                if self._engine is None:
                    self._notice_first_snapshot()
                    folder = self._folder()
                    self._engine = self._open(folder)
                    self._checked = time.monotonic()
                    log.info("engine ready on %s", folder)
                engine = self._engine
        elif time.monotonic() - self._checked >= self.reload_interval:
            # One thread checks; the others answer from the current index meanwhile.
            if self._lock.acquire(blocking=False):
                try:
                    self._checked = time.monotonic()
                    self._notice_first_snapshot()
                    if self.replica and self._follow_snapshot(engine):
                        engine = self._engine
                        # The old engine's SQLite connections sit in reference cycles (each with
                        # its statement cache) that only the cycle collector frees: without this
                        # a worker kept the old snapshot's archive open until some later collection.
                        started = time.perf_counter()
                        gc.collect()
                        log.info("let go of the old snapshot in %.0f ms", (time.perf_counter() - started) * 1000)
                    elif engine.maybe_reload():
                        log.info("the index of %s changed", self.data_dir)
                except Exception:  # the check must not fail the request: the loaded index still answers
                    log.exception("checking the index of %s for changes failed", self.data_dir)
                finally:
                    self._lock.release()
        return engine

    def _notice_first_snapshot(self) -> None:
        """Become a replica when ``data_dir``, empty when the server started, now holds the
        first snapshot `dateline snapshot` published there: no restart needed."""
        if not self.replica and is_replica_root(self.data_dir):
            self.replica = self.read_only = True
            log.info("%s now holds snapshots: answering from them, read-only", self.data_dir)

    def _folder(self) -> str:
        """The data directory to answer from: ``data_dir``, or on a replica its live snapshot."""
        if not self.replica:
            return self.data_dir
        name = live_snapshot(self.data_dir)
        if name is None:
            raise DatelineError("no snapshot published yet: run `dateline snapshot DEST` where the archive is",
                                code="no_index", status=503, detail=f"snapshots in {self.data_dir}")
        return str(Path(self.data_dir) / name)

    def _open(self, folder: str, embedder: Any = None) -> Any:
        """A new engine on ``folder``; ``embedder``, one already loaded, saves loading the model again."""
        from dateline.qa.engine import Engine

        if embedder is None:
            return Engine(folder, model=self.model)
        return Engine(folder, model=self.model, embedder=embedder)

    def _follow_snapshot(self, engine: Any) -> bool:
        """Answer from the snapshot the pointer names now, if it is not ``engine``'s; return
        whether the engine changed. Call with the lock held.

        The new engine loads its index and reads its archive before it takes over, so the
        request that notices the move waits for that, and no request fails; one that cannot be
        opened (damaged, removed) is logged and the old one keeps answering.
        """
        try:
            name = live_snapshot(self.data_dir)
        except DatelineError as e:
            log.warning("%s; still answering from snapshot %s", e, Path(engine.data_dir).name)
            return False
        if name is None or name == Path(engine.data_dir).name:
            return False
        if self._refused and self._refused[0] == name and time.monotonic() - self._refused[1] < RETRY_SNAPSHOT_S:
            return False
        try:
            fresh = self._open(str(Path(self.data_dir) / name), embedder=engine.embedder)
            fresh.live  # noqa: B018 - opens the index now, not in a later request
            fresh.facts()  # opens this thread's archive connection and reads the filters' facts
        except DatelineError as e:
            log.warning("snapshot %s cannot be opened (%s); still answering from snapshot %s", name, e,
                        Path(engine.data_dir).name)
            self._refused = (name, time.monotonic())
            return False
        self._engine, self._refused = fresh, None
        log.info("answering from snapshot %s (was %s)", name, Path(engine.data_dir).name)
        return True

    def replica_info(self, engine: Any) -> dict | None:
        """What /api/status says of the replica ``engine`` answers for: its snapshot; None when
        this server answers from a data directory of its own."""
        if not self.read_only:
            return None
        marker = read_marker(engine.data_dir)
        return {"snapshot": Path(engine.data_dir).name, "published_at": marker.get("published_at"),
                "following": self.replica}

    def warm(self) -> None:
        """Load the model and the index now (at server start) instead of on the first request.

        A worker that cannot (no index yet, a damaged archive) still starts, and answers 503
        with what to run; the log line names the file, the responses do not.
        """
        try:
            self.get().search("news", k=1)
            rare_in_general("news")  # loads tiktoken's table (0.2 s), which the no-answer check reads
        except DatelineError as e:
            log.warning("%s", e)
        except Exception:  # a worker that fails to boot takes the whole server down with it
            log.exception("cannot answer questions from %s yet", self.data_dir)


def init_app(app: Flask) -> None:
    """Attach the engine holder for ``app``'s data directory."""
    app.extensions[EXTENSION] = EngineHolder(
        app.config["DATA_DIR"], model=app.config["MODEL"],
        reload_interval=float(app.config["RELOAD_INTERVAL"]), engine=app.config["ENGINE"],
    )


def holder() -> EngineHolder:
    return current_app.extensions[EXTENSION]


def get_engine() -> Any:
    """The current app's engine, reloaded if a new index was published (DatelineError if none)."""
    return holder().get()


def refuse_on_replica(what: str) -> None:
    """Refuse (403) a request that would write, on a read-only replica: ``what`` it would do."""
    if holder().read_only:
        raise DatelineError(f"this server is a read-only replica of snapshots: {what} happens where the archive "
                            "is, and `dateline snapshot` publishes the result here", code="read_only_replica",
                            status=403)
