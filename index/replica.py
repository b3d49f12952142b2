"""What a read-only replica reads: the layout of a folder of snapshots (a DEST of `dateline
snapshot`, written by index/snapshot.py), its pointer and each snapshot's marker.

Kept apart from the writer, so that its readers import nothing that writes: index/store.py
opens a snapshot's archive immutable, index/generations.py writes nothing into its index,
web/engine.py follows the pointer.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from .errors import DatelineError
from .files import read_pointer

POINTER = "CURRENT"  # in DEST: the name of the live snapshot
MARKER = "snapshot.json"  # in a snapshot: it is read-only; what it holds
# Snapshot names are UTC times; a pointer holding anything else is damaged, and cannot lead out of DEST.
NAME = re.compile(r"[0-9]{8}T[0-9]{12}Z")
_ARCHIVE = "archive.sqlite"  # Archive.FILENAME, named here since store.py imports this module


def is_snapshot(data_dir: str | Path) -> bool:
    """Whether ``data_dir`` is one published snapshot: read-only, its archive opened immutable."""
    return (Path(data_dir) / MARKER).is_file()


def is_replica_root(path: str | Path) -> bool:
    """Whether ``path`` is a folder of snapshots (a DEST of `dateline snapshot`) rather than a data directory."""
    path = Path(path)
    return (path / POINTER).is_file() and not (path / _ARCHIVE).exists()


def live_snapshot(root: str | Path) -> str | None:
    """Return the snapshot ``root/CURRENT`` names, or None when there is none yet.

    Cheap (one small read): replicas call it between requests. A pointer that cannot name a
    snapshot raises DatelineError ``bad_snapshot`` (503) saying that `dateline snapshot` writes a sound one.
    """
    try:
        name = read_pointer(Path(root) / POINTER)
    except ValueError as e:
        raise _bad_pointer(root, str(e)) from None
    if name is not None and not NAME.fullmatch(name):
        raise _bad_pointer(root, f"{name[:40]!r} is not a snapshot's name")
    return name


def _bad_pointer(root: str | Path, why: str) -> DatelineError:
    return DatelineError(f"the snapshot pointer CURRENT is damaged ({why}): run `dateline snapshot` to publish "
                         "a sound one", code="bad_snapshot", status=503, detail=str(Path(root) / POINTER))


def read_marker(folder: str | Path) -> dict:
    """Return what a snapshot's ``snapshot.json`` says (empty when it is unreadable)."""
    try:
        marker = json.loads((Path(folder) / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return marker if isinstance(marker, dict) else {}
