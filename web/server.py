"""`dateline serve`: the app under gunicorn, one engine (model + index) per worker process."""
from __future__ import annotations

import logging
from typing import Any

from gunicorn.app.base import BaseApplication

log = logging.getLogger(__name__)


class Server(BaseApplication):
    """Gunicorn running ``create_app(config)``; each worker builds its own app after the fork.

    The model is not preloaded in the master: torch's thread pools do not survive a fork,
    and a worker that loads its own engine can be replaced without touching the others.
    """

    def __init__(self, config: dict, options: dict[str, Any]):
        self.app_config = config
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # newer gunicorn settings are skipped on older releases
                self.cfg.set(key, value)

    def load(self):
        from . import create_app
        from .engine import holder

        if not logging.getLogger().handlers:
            logging.basicConfig(level=logging.INFO,
                                format="[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s")
        app = create_app(self.app_config)
        with app.app_context():
            holder().warm()
        return app


def options(host: str, port: int, workers: int, *, access_log: bool = False) -> dict[str, Any]:
    """Gunicorn settings for `dateline serve`."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "sync",
        # A worker loads the model and the index before it answers: give it time on a busy box.
        "timeout": 120,
        "graceful_timeout": 10,
        "keepalive": 2,
        "proc_name": "dateline",
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        "loglevel": "info",
        # gunicorn 25+ opens a control socket at one fixed path per user: two servers would share it.
        "control_socket_disable": True,
    }


def serve(data_dir: str, *, host: str, port: int, workers: int, access_log: bool = False) -> None:
    """Run the app on ``host:port`` until interrupted."""
    Server({"DATA_DIR": str(data_dir)}, options(host, port, workers, access_log=access_log)).run()
