"""`dateline serve`: the buffering front (web/front.py) on the public address, and the app under
gunicorn behind it, one engine (model + index) per sync worker, on a private Unix socket.

One command, two programs: this process runs the front and starts gunicorn as its child
(``python -m dateline.web.server``), which dies with it. The front reads every request whole
before a worker sees it, so the workers can stay sync (one request each, no threads to share the
engine with) while slow and many clients cost only the front a coroutine each.
"""
from __future__ import annotations

import argparse
import asyncio
import errno
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
from typing import TYPE_CHECKING, Any, Callable

from gunicorn.app.base import BaseApplication

from dateline.index.errors import DatelineError

if TYPE_CHECKING:
    from .front import Limits

log = logging.getLogger(__name__)

LOG_FORMAT = "[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s"
GRACE_S = 10.0  # requests under way when asked to stop get this long to finish
WORKERS_STOP_S = 20.0  # then gunicorn gets this long to stop its workers before it is killed
WATCH_S = 0.5  # how often the front checks that gunicorn still runs


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
            logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
        app = create_app(self.app_config)
        with app.app_context():
            holder().warm()
        return app


def options(bind: str, workers: int) -> dict[str, Any]:
    """Gunicorn settings for the workers behind the front, listening on ``bind`` (``unix:PATH``)."""
    from .front import MAX_HEAD_BYTES, MAX_HEADERS

    return {
        "bind": bind,
        "workers": workers,
        # The front hands over only complete requests and reads answers at once: a sync worker
        # never waits on a client, and the engine is never shared between threads.
        "worker_class": "sync",
        # A worker loads the model and the index before it answers: give it time on a busy box.
        "timeout": 120,
        "graceful_timeout": 10,
        # gunicorn heartbeats through a temp file; on a full disk workers could not start.
        "worker_tmp_dir": "/dev/shm" if os.path.isdir("/dev/shm") else None,
        # Whatever the front lets through, gunicorn must take, or it answers with its own HTML.
        "limit_request_line": 8190,
        "limit_request_fields": MAX_HEADERS + 10,
        "limit_request_field_size": MAX_HEAD_BYTES,
        "proc_name": "dateline",
        "accesslog": None,  # the front logs requests (it knows the client)
        "errorlog": "-",
        "loglevel": "info",
        # gunicorn 25+ opens a control socket at one fixed path per user: two servers would share it.
        "control_socket_disable": True,
    }


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``; DatelineError when the address is taken or unknown."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as e:
        raise DatelineError(f"cannot listen on {host}: {e.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as e:
        sock.close()
        raise DatelineError(f"cannot listen on {host}:{port}: {e.strerror}"
                            + (" (another server runs there; pick another --port)" if e.errno == errno.EADDRINUSE else "")) from None
    sock.listen(1024)
    sock.setblocking(False)
    return sock


def _die_with_parent():
    """A pre-exec hook that has the kernel stop the child when the front dies (Linux), so that
    a killed front leaves no workers behind; None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)  # loaded before the fork: the child only calls it
    pr_set_pdeathsig = 1
    return lambda: libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


def start_workers(data_dir: str, bind: str, workers: int) -> subprocess.Popen:
    """Start gunicorn with ``workers`` workers on ``bind`` (this module's main)."""
    return subprocess.Popen(
        [sys.executable, "-m", "dateline.web.server", "--data", data_dir, "--bind", bind,
         "--workers", str(workers)],
        preexec_fn=_die_with_parent())


def stop_workers(proc: subprocess.Popen) -> None:
    """Stop gunicorn (gracefully, then by force)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=WORKERS_STOP_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def _run_front(listener: socket.socket, backend_path: str, workers: int, limits: Limits,
                     gunicorn: subprocess.Popen, access_log: bool) -> int:
    """Serve until SIGINT/SIGTERM or until gunicorn exits; return the exit status."""
    from .front import Front

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    failed = 0

    async def watch() -> None:
        nonlocal failed
        while gunicorn.poll() is None:
            await asyncio.sleep(WATCH_S)
        if not stop.is_set():
            log.error("the workers' server exited with status %s; stopping (its log is above)",
                      gunicorn.returncode)
            failed = 1
            stop.set()

    watcher = asyncio.create_task(watch())
    front = Front(backend_path, workers, limits, access_log=access_log)
    await front.serve(listener, stop, grace_s=GRACE_S)
    watcher.cancel()
    return failed


def _socket_folder() -> tempfile.TemporaryDirectory:
    """Make a folder for the workers' socket that only this user can enter, so nobody reaches
    the workers past the front's limits.

    It goes in /dev/shm (memory) where there is one, so that a full disk does not stop the
    server, else in /tmp: Unix socket paths are short (108 bytes), never under the data folder.
    """
    error = None
    for place in [p for p in ("/dev/shm", "/tmp") if os.path.isdir(p)] or [None]:
        try:
            return tempfile.TemporaryDirectory(prefix="dateline-", dir=place)
        except OSError as e:
            error = e
    raise DatelineError(f"cannot make a folder for the workers' socket in {error.filename}: {error.strerror}")


def serve(data_dir: str, *, host: str, port: int, workers: int, access_log: bool = False,
          listening: Callable[[], None] | None = None) -> None:
    """Run the front on ``host:port`` and ``workers`` gunicorn workers behind it until
    interrupted; call ``listening`` once the address is taken."""
    from .front import Limits

    limits = Limits.from_settings()  # a bad setting stops here, before anything starts
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    listener = listen(host, port)  # before the workers start: a taken port fails at once
    if listening is not None:
        listening()
    with _socket_folder() as private:
        backend_path = os.path.join(private, "workers.sock")
        gunicorn = start_workers(str(data_dir), f"unix:{backend_path}", workers)
        try:
            status = asyncio.run(_run_front(listener, backend_path, workers, limits, gunicorn, access_log))
        finally:
            listener.close()
            stop_workers(gunicorn)
    if status:
        raise SystemExit(status)


def main(argv: list[str] | None = None) -> None:
    """Run the gunicorn side alone (started by `serve`; not meant to be reached directly)."""
    parser = argparse.ArgumentParser(prog="python -m dateline.web.server", description=main.__doc__)
    parser.add_argument("--data", required=True)
    parser.add_argument("--bind", required=True, help="unix:PATH")
    parser.add_argument("--workers", type=int, required=True)
    args = parser.parse_args(argv)
    Server({"DATA_DIR": args.data}, options(args.bind, args.workers)).run()


if __name__ == "__main__":
    main()
