"""The process's one `qa.engine.Engine`: made on first use, kept in ``app.extensions``, and
told to pick up a newly published index at most every ``RELOAD_INTERVAL`` seconds."""
from __future__ import annotations

import logging
import threading
import time
from typing import Any

from flask import Flask, current_app

from dateline.index.errors import DatelineError

log = logging.getLogger(__name__)

EXTENSION = "dateline"


class EngineHolder:
    """Hold one engine per process and reload it when `dateline index` publishes a generation.

    The engine is made lazily, so a server started before any index exists answers 503 with
    the command to run, then starts answering once the index is built, without a restart.
    """

    def __init__(self, data_dir: str, *, model: str | None, reload_interval: float,
                 engine: Any = None):
        self.data_dir = data_dir
        self.model = model
        self.reload_interval = reload_interval
        self._engine = engine
        self._checked = time.monotonic()
        self._lock = threading.Lock()

    def get(self) -> Any:
        """Return the engine, making it or reloading its index when due; DatelineError if none."""
        engine = self._engine
        if engine is None:
            with self._lock:
                if self._engine is None:
                    from dateline.qa.engine import Engine

                    self._engine = Engine(self.data_dir, model=self.model)
                    self._checked = time.monotonic()
                    log.info("engine ready on %s", self.data_dir)
                engine = self._engine
        elif time.monotonic() - self._checked >= self.reload_interval:
            # One thread checks; the others answer from the current index meanwhile.
            if self._lock.acquire(blocking=False):
                try:
                    self._checked = time.monotonic()
                    if engine.maybe_reload():
                        log.info("the index of %s changed", self.data_dir)
                except Exception:  # the check must not fail the request: the loaded index still answers
                    log.exception("checking the index of %s for changes failed", self.data_dir)
                finally:
                    self._lock.release()
        return engine

    def warm(self) -> None:
        """Load the model and the index now (at server start) instead of on the first request.

        A worker that cannot (no index yet, a damaged archive) still starts, and answers 503
        with what to run; the log line names the file, the responses do not.
        """
        try:
            self.get().search("news", k=1)
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
