"""Which files under the watched folders are new or changed since `dateline watch` last saw them.

A file is looked at by size and modification time first, and read (hashed) only when either
moved: a cycle over thousands of unchanged files costs a ``stat`` each. A file whose content
hash did not change (copied again, touched) is not imported again, and a rejected file is not
retried until it changes.
"""
from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..ingest import is_importable
from .state import FileSeen

# A file modified this recently may still be being written (a copy, a download): it waits for
# the next cycle rather than being imported half-written, which would store a cut-off item.
SETTLE_S = 2.0
_HASH_BLOCK = 1 << 20


@dataclass
class Changed:
    """A new or changed file, with what it was seen as (recorded once it is imported)."""

    path: Path
    seen: FileSeen


@dataclass
class Scan:
    """What a look over the watched folders found."""

    changed: list[Changed] = field(default_factory=list)
    unchanged: int = 0  # seen before as they are now (rejected ones included)
    settling: list[Path] = field(default_factory=list)  # modified under SETTLE_S ago: next cycle
    missing: list[Path] = field(default_factory=list)  # watched paths that are not there
    unreadable: list[tuple[Path, str]] = field(default_factory=list)  # (file, why): tried again next cycle


def files_under(path: Path) -> Iterator[Path]:
    """The importable files at ``path``: the file itself, or those under the folder that
    `dateline import` would take (by extension), leaving out hidden files and folders."""
    if path.is_file():
        yield path
        return
    for root, folders, files in os.walk(path):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        for name in sorted(files):
            file = Path(root) / name
            if not name.startswith(".") and is_importable(file):
                yield file


def content_hash(path: Path) -> str:
    """The SHA-256 of the file's bytes, read a block at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def key(path: Path) -> str:
    """How the state names a file: its absolute path (the same file however the folder was given)."""
    return os.path.abspath(path)


def scan(watched: list[Path], seen: dict[str, FileSeen], *, now: float | None = None) -> Scan:
    """Look over ``watched`` (folders or files) against ``seen``; return what to import.

    Files seen as they are now count as unchanged; a file whose size or time moved but whose
    content did not has its new size and time noted in ``seen``. Files no longer there are
    dropped from ``seen`` (their items stay in the archive).
    """
    now = time.time() if now is None else now
    found = Scan()
    present: set[str] = set()
    for path in watched:
        if not path.exists():
            found.missing.append(path)
            continue
        for file in files_under(path):
            name = key(file)
            try:
                st = file.stat()
                if now - st.st_mtime < SETTLE_S:
                    found.settling.append(file)
                    present.add(name)
                    continue
                before = seen.get(name)
                present.add(name)
                if before and (before.size, before.mtime_ns) == (st.st_size, st.st_mtime_ns):
                    found.unchanged += 1
                    continue
                digest = content_hash(file)
            except FileNotFoundError:
                continue  # removed since it was listed
            except OSError as e:
                found.unreadable.append((file, e.strerror or str(e)))
                continue
            if before and before.sha256 == digest:
                before.size, before.mtime_ns = st.st_size, st.st_mtime_ns
                found.unchanged += 1
                continue
            found.changed.append(Changed(file, FileSeen(st.st_size, st.st_mtime_ns, digest, "imported")))
    for name in set(seen) - present:
        if not any(name == key(p) or name.startswith(key(p) + os.sep) for p in found.missing):
            del seen[name]  # gone; a watched folder that is missing (unmounted) keeps its files' state
    return found
