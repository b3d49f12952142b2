"""POST /api/reindex's worker: `dateline index` in a child process, one at a time per data dir.

The child holds an exclusive ``flock`` on ``<data>/.reindex.lock`` for as long as it runs, so
"already running" holds across every server worker process; the server's workers pick up the
generation it publishes by themselves (see web.engine).
"""
from __future__ import annotations

import fcntl
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

log = logging.getLogger(__name__)

LOCK_NAME = ".reindex.lock"
LOG_NAME = "reindex.log"


def _lock_path(data_dir: str | Path) -> Path:
    return Path(data_dir) / LOCK_NAME


def running(data_dir: str | Path) -> bool:
    """Whether a rebuild started by POST /api/reindex is still running on ``data_dir``."""
    path = _lock_path(data_dir)
    if not path.exists():
        return False
    with open(path, "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(f, fcntl.LOCK_UN)
    return False


def start(data_dir: str | Path, *, full: bool = False) -> int | None:
    """Start `dateline index` on ``data_dir``; return its pid, or None if one is running."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = open(_lock_path(data_dir), "a")
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None
        args = _command(data_dir, full)
        with open(data_dir / LOG_NAME, "ab") as out:
            # The child inherits the locked file, so the lock lasts exactly as long as it runs.
            child = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                     pass_fds=(lock.fileno(),), start_new_session=True)
    finally:
        lock.close()
    threading.Thread(target=_reap, args=(child, data_dir), daemon=True,
                     name=f"reindex-{child.pid}").start()
    log.info("reindex of %s started (pid %d)", data_dir, child.pid)
    return child.pid


def _command(data_dir: Path, full: bool) -> list[str]:
    """`dateline index --data DIR [--full]`, run by this interpreter."""
    return [sys.executable, "-m", "dateline", "index",
            "--data", str(data_dir)] + (["--full"] if full else [])


def _reap(child: subprocess.Popen, data_dir: Path) -> None:
    """Wait for the child (no zombie) and log how it ended."""
    code = child.wait()
    if code:
        log.error("reindex of %s failed (exit %d); see %s", data_dir, code, data_dir / LOG_NAME)
    else:
        log.info("reindex of %s finished", data_dir)
