"""A consistent copy of a data directory while it is in use: `dateline backup DEST`.

The archive is copied with SQLite's online backup API in one step, which reads one snapshot
of it while importers and builds go on writing; the live index generation is copied file by
file and checked against its manifest's checksums as it is copied. The copy is a data
directory of its own: serve it with ``--data DEST``, check it with `dateline check --data DEST`.

Nothing in DEST is replaced until every new file is complete, so a backup that fails (a full
disk) leaves the previous backup in DEST as it was.
"""
from __future__ import annotations

import hashlib
import logging
import os
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from . import disk
from .errors import DatelineError
from .files import write_atomically
from .generations import POINTER, current_generation, index_root, read_manifest
from .store import Archive

log = logging.getLogger(__name__)

_COPY_BLOCK = 1 << 22  # bytes copied (and hashed) at a time (4 MiB)
# A publish between reading index/CURRENT and copying the generation it named may remove that
# generation; the copy then starts again from the new pointer, this many times at most.
_COPY_ATTEMPTS = 3
_CHUNKER_MARKER = "chunker.json"  # in index/: which chunker settings the chunks follow (index/build.py)


@dataclass
class BackupReport:
    """What one backup copied."""

    dest: Path
    items: int = 0
    archive_bytes: int = 0
    generation: str | None = None  # the index generation copied; None when none was
    vectors: int = 0
    index_problem: str = ""  # why the index was not copied (the archive was)
    seconds: float = 0.0

    def summary(self) -> str:
        """Return the lines the CLI prints."""
        text = f"backed up {self.items} items ({self.archive_bytes / 1e6:.1f} MB)"
        if self.generation:
            text += f" and index generation {self.generation} ({self.vectors} vectors)"
        text += f" to {self.dest} in {self.seconds:.1f}s; `dateline check --data {self.dest}` verifies the copy"
        if self.index_problem:
            text += (f"\nthe index was not copied ({self.index_problem}); after restoring, "
                     "`dateline index` rebuilds it from the archive")
        return text


def backup(data_dir: str | Path, dest: str | Path) -> BackupReport:
    """Copy the archive and the live index generation of ``data_dir`` into the folder ``dest``.

    ``dest`` must be a new or empty folder, or an earlier backup, which is replaced. Raises a
    DatelineError naming the cause when the copy cannot be made (a full disk, a read-only
    folder, a damaged archive).

    >>> print(backup("./dateline-data", "/backups/2024-06-01").summary())
    backed up 34 items (0.3 MB) and index generation 20240601T... (34 vectors) to /backups/2024-06-01 ...
    """
    started = time.perf_counter()
    data_dir, dest = Path(data_dir), Path(dest)
    _check_dest(data_dir, dest)
    report = BackupReport(dest=dest)
    with disk.explained(dest / Archive.FILENAME, folder=dest,
                        then=f"no backup was made, {dest} holds what it held before"):
        copy_data(data_dir, dest, report)
    report.seconds = time.perf_counter() - started
    log.info("%s", report.summary())
    return report


def copy_data(data_dir: Path, dest: Path, report: BackupReport, *, one_file: bool = False) -> None:
    """Copy the archive and the live index generation of ``data_dir`` into ``dest`` (made if
    missing), staged beside their places and moved there only once both are complete.

    ``one_file`` writes the archive in rollback-journal mode, complete in its one file, for
    readers that open it immutable (index/snapshot.py); otherwise it keeps the source's mode.
    What was copied goes into ``report``; OSError and sqlite3.Error are left to the caller's
    ``disk.explained``, which says what the copy was for.
    """
    archive = Archive.open(data_dir, create=False, reading=True)
    staged_index = staged_archive = None  # complete copies, not yet in their places
    try:
        dest.mkdir(parents=True, exist_ok=True)
        # The index first: an archive copied after it holds every chunk the index names.
        staged_index = _stage_index(data_dir, dest, report)
        staged_archive = _stage_archive(archive, dest, report, one_file=one_file)
        _put_in_place(dest, staged_archive, staged_index, report.generation)
    finally:
        archive.close()
        for path in (staged_index, staged_archive):  # left over where something failed
            if path is not None and path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            elif path is not None:
                path.unlink(missing_ok=True)


def _check_dest(data_dir: Path, dest: Path) -> None:
    """Refuse a ``dest`` that is the data directory itself, or a folder holding other things."""
    if dest.resolve() == data_dir.resolve() or data_dir.resolve() in dest.resolve().parents:
        raise DatelineError(f"{dest} is inside the data directory {data_dir}: back up to another folder, "
                            "best on another disk")
    if dest.exists() and not dest.is_dir():
        raise DatelineError(f"{dest} is a file: give a folder to back up to")
    if dest.is_dir() and any(dest.iterdir()) and not (dest / Archive.FILENAME).is_file():
        raise DatelineError(f"{dest} is not empty and holds no earlier backup: give a new or empty folder")


def _stage_archive(archive: Archive, dest: Path, report: BackupReport, *, one_file: bool = False) -> Path:
    """Copy the archive to a temporary file in ``dest`` with SQLite's backup API; return it.
    ``one_file``: in rollback-journal mode, so that the file alone is the whole archive."""
    tmp = dest / f".{Archive.FILENAME}.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    target = sqlite3.connect(tmp)
    try:
        # pages=-1: every page in one step, under one read transaction of the source, so the copy
        # is one consistent snapshot however many imports run meanwhile.
        archive.conn.backup(target, pages=-1)
        if one_file:
            # The copy takes the source's WAL mode from its header; a reader that opens it
            # immutable (no -wal, no -shm: a network mount) needs it in rollback-journal mode.
            target.execute("PRAGMA journal_mode=DELETE").fetchone()
        problems = [r[0] for r in target.execute("PRAGMA quick_check")]
        if problems == ["ok"]:
            report.items = target.execute("SELECT count(*) FROM items").fetchone()[0]
    except sqlite3.DatabaseError as e:
        if not disk.is_damage(e):
            raise
        problems = [str(e)]
    finally:
        target.close()
    if problems != ["ok"]:
        tmp.unlink(missing_ok=True)
        # An earlier backup is worth more than a copy of the damage.
        raise DatelineError(f"{archive.path} is damaged ({problems[0]}), so nothing was copied: "
                            f"{disk.REPAIR_ARCHIVE}", code="damaged_archive", status=503)
    report.archive_bytes = tmp.stat().st_size
    return tmp


def _stage_index(data_dir: Path, dest: Path, report: BackupReport) -> Path | None:
    """Copy the live generation's files to a temporary folder in ``dest/index``, checking them
    against its manifest, and return that folder (``report.generation`` names the generation);
    None, with ``report.index_problem``, when there is none to copy or it is damaged."""
    for _ in range(_COPY_ATTEMPTS):
        try:
            name = current_generation(data_dir)
            if name is None:
                report.index_problem = "none is published yet"
                return None
            manifest = read_manifest(data_dir, name)
        except DatelineError as e:
            report.index_problem = e.message
            return None
        tmp = index_root(dest) / f".{name}.{os.getpid()}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        try:
            damage = _copy_generation(index_root(data_dir) / name, tmp, manifest)
        except FileNotFoundError:  # removed by a publish meanwhile: copy the one that replaced it
            shutil.rmtree(tmp, ignore_errors=True)
            continue
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        if damage:
            shutil.rmtree(tmp, ignore_errors=True)
            report.index_problem = f"index generation {name}: {damage}"
            return None
        report.generation, report.vectors = name, int(manifest.get("counts", {}).get("vectors", 0))
        return tmp
    report.index_problem = "new builds kept replacing it while it was copied"
    return None


def _copy_generation(folder: Path, target: Path, manifest: dict) -> str | None:
    """Copy a generation's files and manifest into ``target``; return what does not match its
    checksum, or None."""
    for file, checksum in manifest.get("checksums", {}).items():
        if _copy_hashed(folder / file, target / file) != checksum:
            return f"{file} does not match its checksum"
    shutil.copyfile(folder / "manifest.json", target / "manifest.json")
    marker = folder.parent / _CHUNKER_MARKER
    if marker.is_file():
        shutil.copyfile(marker, target / _CHUNKER_MARKER)
    return None


def _copy_hashed(source: Path, target: Path) -> str:
    """Copy ``source`` to ``target``; return the sha256 of what was written, as manifests write it."""
    h = hashlib.sha256()
    with open(source, "rb") as src, open(target, "wb") as out:
        for block in iter(lambda: src.read(_COPY_BLOCK), b""):
            out.write(block)
            h.update(block)
        out.flush()
        os.fsync(out.fileno())
    return "sha256:" + h.hexdigest()


def _put_in_place(dest: Path, archive: Path, index: Path | None, generation: str | None) -> None:
    """Move the staged copies of the archive and the index to their places in ``dest``, the index
    pointer last."""
    final = dest / Archive.FILENAME
    # An earlier backup's write-ahead log would be read as part of the new copy: it goes first.
    for leftover in (final.with_name(final.name + "-wal"), final.with_name(final.name + "-shm")):
        leftover.unlink(missing_ok=True)
    os.replace(archive, final)
    root = index_root(dest)
    if index is None or generation is None:
        (root / POINTER).unlink(missing_ok=True)  # an earlier backup's index does not fit this archive
        return
    marker = index / _CHUNKER_MARKER
    if marker.exists():
        os.replace(marker, root / _CHUNKER_MARKER)
    shutil.rmtree(root / generation, ignore_errors=True)
    os.replace(index, root / generation)
    write_atomically(root / POINTER, lambda p: p.write_text(generation + "\n", encoding="utf-8"), durable=True)
    for path in root.iterdir():  # an earlier backup's generations
        if path.is_dir() and path.name != generation:
            shutil.rmtree(path, ignore_errors=True)
