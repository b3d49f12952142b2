"""Read-only replicas: `dateline snapshot DEST` publishes copies of a data directory that servers
on other machines answer from, read-only (`dateline serve --data DEST`).

DEST holds::

    CURRENT           the name of the live snapshot, swapped atomically (as index/CURRENT is)
    <name>/           one snapshot, a data directory of its own, never changed once published:
      archive.sqlite    in rollback-journal mode, so the file alone is the whole archive
      index/            the live generation of the source when the snapshot was taken
      snapshot.json     marks the folder read-only and says what it holds and when it went live
    .<name>.tmp/      a snapshot being written (a killed run's is removed by the next)
    .snapshot.lock    held by the one `dateline snapshot` writing to DEST

A snapshot is written beside the live one and made live by the pointer only once complete, so
a failed one (a full disk, a damaged source) leaves DEST serving what it served. Replicas open a
snapshot immutable (index/store.py): no -wal, no -shm, no lock, nothing written, so DEST may be
a network mount that they cannot or should not write. They follow CURRENT as workers follow
index/CURRENT (web/engine.py).

Old snapshots are removed after a grace period, not kept to a count: what a replica needs is
time (to notice the new pointer, within the reload interval, and to finish the requests it
answers from the old files, which a network filesystem may not keep readable once removed),
and a count gives no time at all when snapshots are published in quick succession.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import disk
from .errors import DatelineError
from .files import fsync_dir, write_atomically
from .replica import MARKER, NAME, POINTER, live_snapshot, read_marker
from .store import Archive

log = logging.getLogger(__name__)

LOCK_NAME = ".snapshot.lock"
GRACE_S = 600.0  # a replaced snapshot stays this long for the replicas still reading it


@dataclass
class SnapshotReport:
    """What one snapshot copied, and which old ones it removed."""

    dest: Path
    name: str = ""
    items: int = 0
    archive_bytes: int = 0
    generation: str | None = None
    vectors: int = 0
    previous: str | None = None  # the snapshot that was live before this one
    removed: list[str] = field(default_factory=list)  # replaced ones past their grace period
    seconds: float = 0.0

    def summary(self) -> str:
        """Return the line the CLI prints."""
        text = (f"snapshot {self.name}: {self.items} items ({self.archive_bytes / 1e6:.1f} MB) and index "
                f"generation {self.generation} ({self.vectors} vectors) in {self.seconds:.1f}s; "
                f"{self.dest / POINTER} names it")
        if self.previous:
            text += f" (before: {self.previous})"
        if self.removed:
            text += f"; removed {len(self.removed)} snapshot(s) replaced over the grace period ago"
        return text


def take_snapshot(data_dir: str | Path, dest: str | Path, *, grace_s: float = GRACE_S) -> SnapshotReport:
    """Copy the archive and the live index generation of ``data_dir`` into a new snapshot in
    ``dest`` and make it the live one; remove snapshots replaced more than ``grace_s`` ago.

    Raises a DatelineError naming the cause (a full disk, a read-only or wrong ``dest``, a
    damaged source, no index to copy); ``dest`` then serves the snapshot it served before.

    >>> print(take_snapshot("./dateline-data", "/mnt/replica").summary())
    snapshot 20240601T120000123456Z: 35 items (0.4 MB) and index generation ... names it
    """
    started = time.perf_counter()
    data_dir, dest = Path(data_dir), Path(dest)
    _check_dest(data_dir, dest)
    try:
        previous = live_snapshot(dest) if dest.is_dir() else None
    except DatelineError as e:  # a damaged pointer: the new snapshot's replaces it
        log.warning("%s; publishing a new snapshot over it", e)
        previous = None
    then = f"no snapshot was made; {dest} still serves " + (f"snapshot {previous}" if previous else "none")
    name = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")  # sortable, as generations are
    staging = dest / f".{name}.tmp"
    report = SnapshotReport(dest=dest, name=name, previous=previous)
    try:
        with disk.explained(dest, folder=dest, then=then), _locked(dest):
            try:
                _remove_leftovers(dest)
                _publish(data_dir, dest, staging, report)
            finally:
                shutil.rmtree(staging, ignore_errors=True)  # gone when published; half a snapshot otherwise
            report.removed = _remove_replaced(dest, name, grace_s)
    except DatelineError as e:
        if then in e.message:
            raise
        raise DatelineError(f"{e.message}; {then}", code=e.code, status=e.status, detail=e.detail) from e
    report.seconds = time.perf_counter() - started
    log.info("%s", report.summary())
    return report


def _publish(data_dir: Path, dest: Path, staging: Path, report: SnapshotReport) -> None:
    """Copy ``data_dir`` into ``staging``, check it, move it to ``dest/<report.name>`` and point
    ``dest/CURRENT`` at it."""
    from .backup import BackupReport, copy_data
    from .generations import check_index

    copied = BackupReport(dest=staging)
    copy_data(data_dir, staging, copied, one_file=True)
    if copied.generation is None:
        raise DatelineError(f"the index of {data_dir} could not be copied ({copied.index_problem}): "
                            f"run `dateline index --data {data_dir}`, then this again", code="no_index", status=503)
    # Read back from DEST what was written there (a network mount included), and record that it
    # matched (generations.py: verified.json), so that replicas need not hash the files again.
    _, problems = check_index(staging)
    if problems:
        raise DatelineError(f"the copy in {staging} did not read back as written ({problems[0]}): check the disk",
                            code="bad_index", status=503)
    report.items, report.archive_bytes = copied.items, copied.archive_bytes
    report.generation, report.vectors = copied.generation, copied.vectors
    _write_marker(staging, data_dir, report)
    os.replace(staging, dest / report.name)
    fsync_dir(dest)
    write_atomically(dest / POINTER, lambda p: p.write_text(report.name + "\n", encoding="utf-8"), durable=True)
    fsync_dir(dest)


def _check_dest(data_dir: Path, dest: Path) -> None:
    """Refuse a ``dest`` that is a file, a data directory, inside ``data_dir``, or a folder of other things."""
    if dest.exists() and not dest.is_dir():
        raise DatelineError(f"{dest} is a file: give a folder for the snapshots (new, or one `dateline snapshot` wrote)")
    if dest.resolve() == data_dir.resolve() or data_dir.resolve() in dest.resolve().parents:
        raise DatelineError(f"{dest} is inside the data directory {data_dir}: give a folder outside it, "
                            "typically on the disk the replicas mount")
    if (dest / Archive.FILENAME).exists():
        raise DatelineError(f"{dest} is a data directory, not a folder of snapshots: give a new or empty folder")
    if dest.is_dir() and not (dest / POINTER).exists():
        others = [p.name for p in dest.iterdir() if p.name != LOCK_NAME and not p.name.endswith(".tmp")]
        if others:
            raise DatelineError(f"{dest} is not empty and holds no snapshots (it has {others[0]}): "
                                "give a new or empty folder")


class _locked:
    """Hold ``dest``'s lock over a ``with`` block (made with ``dest`` if missing): one writer at a time."""

    def __init__(self, dest: Path):
        self.dest, self.file = dest, None

    def __enter__(self) -> None:
        self.dest.mkdir(parents=True, exist_ok=True)
        self.file = open(self.dest / LOCK_NAME, "a")
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.file.close()
            raise DatelineError(f"another `dateline snapshot` is writing to {self.dest}") from None

    def __exit__(self, *exc) -> None:
        self.file.close()  # closing it lets go of the lock


def _remove_leftovers(dest: Path) -> None:
    """Remove the staging folders of runs that were killed (this run holds the lock)."""
    for path in dest.iterdir():
        if path.name.endswith(".tmp"):  # a staging folder, or a pointer being written
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)


def _write_marker(folder: Path, data_dir: Path, report: SnapshotReport) -> None:
    """Write ``snapshot.json``, last: from here on nothing in ``folder`` changes."""
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    marker = {"snapshot": report.name, "source": str(data_dir.resolve()), "items": report.items,
              "generation": report.generation, "vectors": report.vectors,
              # Written just before the pointer names it: when the snapshot before it was replaced.
              "published_at": now, "published_at_s": time.time()}
    text = json.dumps(marker, indent=2) + "\n"
    write_atomically(folder / MARKER, lambda p: p.write_text(text, encoding="utf-8"), durable=True)
    fsync_dir(folder)


def _remove_replaced(dest: Path, live: str, grace_s: float) -> list[str]:
    """Remove the snapshots older than ``live`` that the next one replaced over ``grace_s`` ago;
    return their names. Best effort: one that cannot be removed is logged and left."""
    names = sorted(p.name for p in dest.iterdir() if NAME.fullmatch(p.name) and p.is_dir() and p.name <= live)
    removed = []
    for older, newer in zip(names, names[1:]):
        replaced_at = read_marker(dest / newer).get("published_at_s")
        if not isinstance(replaced_at, (int, float)):
            replaced_at = (dest / newer).stat().st_mtime
        if time.time() - replaced_at < grace_s:
            continue
        try:
            shutil.rmtree(dest / older)
        except OSError as e:
            log.warning("cannot remove the old snapshot %s: %s", dest / older, e)
            continue
        removed.append(older)
    return removed
