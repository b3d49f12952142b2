"""What `dateline watch` has seen, kept between cycles and restarts in ``<data>/watch.json``:
each watched file's size, modification time and content hash with what became of it, and each
feed's validators (ETag, Last-Modified) for conditional requests.

A JSON file rather than a table in the archive: it is a memo of what was already looked at, not
news. Losing it costs one cycle that reads every file and feed again, and re-importing changes
nothing (imports are idempotent), so it needs neither the archive's transactions nor its
backups; the archive keeps its one owner of SQL (store.py); and a person can read it to see why
a file is not retried. It is replaced whole (write, then rename): a killed watch leaves the old
one or the new one, never half of either.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import DatelineError

log = logging.getLogger(__name__)

FILENAME = "watch.json"
LOCK_NAME = ".watch.lock"
VERSION = 1


@dataclass
class FileSeen:
    """A watched file as last looked at, and what its import did."""

    size: int
    mtime_ns: int
    sha256: str
    outcome: str  # "imported", or "rejected": not retried until the file changes
    message: str | None = None  # why it was rejected


@dataclass
class FeedSeen:
    """A feed's validators from its last answer that was imported."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass
class WatchState:
    """The files and feeds seen, keyed by absolute path and by URL."""

    path: Path
    files: dict[str, FileSeen] = field(default_factory=dict)
    feeds: dict[str, FeedSeen] = field(default_factory=dict)
    # Items were imported but the build after them did not finish (killed, a full disk): the
    # next cycle builds even if nothing else is new.
    build_due: bool = False

    @classmethod
    def load(cls, data_dir: str | Path) -> WatchState:
        """Read the state of ``data_dir``; an empty one when there is none or it cannot be read
        (logged: the next cycle then looks at everything again, which changes nothing stored)."""
        path = Path(data_dir) / FILENAME
        state = cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != VERSION:
                raise ValueError(f"version {data.get('version')!r}, not {VERSION}")
            state.files = {k: FileSeen(**v) for k, v in data["files"].items()}
            state.feeds = {k: FeedSeen(**v) for k, v in data["feeds"].items()}
            state.build_due = bool(data.get("build_due", False))
        except FileNotFoundError:
            pass
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
            log.warning("%s unreadable (%s): every watched file and feed is read again", path, e)
            state.files, state.feeds = {}, {}
        return state

    def save(self) -> None:
        """Replace the state file with what is seen now; a full disk or a read-only folder is
        logged, and the state kept in memory for the next cycle."""
        data = {"version": VERSION, "build_due": self.build_due,
                "files": {k: asdict(v) for k, v in sorted(self.files.items())},
                "feeds": {k: asdict(v) for k, v in sorted(self.feeds.items())}}
        partial = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            os.replace(partial, self.path)
        except OSError as e:
            log.warning("cannot save %s (%s): what this watch has seen is kept in memory only", self.path,
                        e.strerror or e)
            partial.unlink(missing_ok=True)


@contextmanager
def only_watcher(data_dir: str | Path) -> Iterator[None]:
    """Hold ``<data>/.watch.lock`` over the block: one `dateline watch` per data directory, or
    two would import the same files and overwrite each other's state. DatelineError when another
    holds it; where the lock file cannot be made (a full disk), the block runs unlocked."""
    try:
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        lock = open(Path(data_dir) / LOCK_NAME, "a")
    except OSError as e:
        log.warning("running without the watch lock: %s", e)
        yield
        return
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatelineError(f"another `dateline watch` runs on {data_dir}: one watch per data directory",
                                code="busy", status=409) from None
        yield
