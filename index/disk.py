"""Failures of the disk and of the archive file, said in one line that names the cause and the file.

SQLite and the operating system report a full disk, a read-only folder or a damaged file with
terse codes ("database or disk is full", ``ENOSPC``) deep inside whatever was running. These
functions turn them into DatelineErrors (status 503: the operator must act) that say which
file and what to do; any other error is left alone, to surface as the bug it is.

``shown`` is how a message names the file. The CLI shows the absolute path; what may reach an
HTTP response names the file within the data directory (``archive.sqlite``) and keeps the
absolute path in ``detail``, which only the CLI and the server log print.
"""
from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import DatelineError

# What to do about a damaged archive; README "Backup and repair" says it at length.
RESTORE_ARCHIVE = ("restore archive.sqlite from a backup (README: Backup and repair) or import the source "
                   "files again into a fresh --data folder")
REPAIR_ARCHIVE = "run `dateline check` for the details, then " + RESTORE_ARCHIVE

_DAMAGED = {"SQLITE_CORRUPT", "SQLITE_NOTADB"}


def _sqlite_kind(e: sqlite3.Error) -> str:
    """Return SQLite's error name for ``e`` (its primary code: SQLITE_IOERR for SQLITE_IOERR_WRITE)."""
    name = getattr(e, "sqlite_errorname", None) or ""
    for primary in ("SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_FULL", "SQLITE_READONLY", "SQLITE_CANTOPEN",
                    "SQLITE_IOERR", "SQLITE_PERM"):
        if name.startswith(primary):
            return primary
    # Python's own decoding of a text column: the bytes stored there are not the text written.
    if "Could not decode to UTF-8" in str(e):
        return "SQLITE_CORRUPT"
    return name


def is_damage(e: BaseException) -> bool:
    """Whether ``e`` says that the SQLite file itself is damaged (not the disk full, not busy)."""
    return isinstance(e, sqlite3.Error) and _sqlite_kind(e) in _DAMAGED


def sqlite_error(e: sqlite3.Error, path: Path, *, shown: str | None = None, then: str = "") -> DatelineError | None:
    """Return a DatelineError that explains ``e``, raised on the SQLite file ``path``; None when
    ``e`` is not about the file or its disk (a busy archive, an SQL mistake). ``then`` says
    what was left undone ("nothing was imported from x.jsonl")."""
    name = shown or str(path)
    kind = _sqlite_kind(e)
    if kind in _DAMAGED:
        found = (f"{name} is damaged ({e})", REPAIR_ARCHIVE, "damaged_archive")
    elif kind == "SQLITE_FULL":
        found = (f"the disk holding {name} is full ({e})", "free some space and run this again", "disk_full")
    elif kind in ("SQLITE_READONLY", "SQLITE_PERM"):
        found = (f"{name} is read-only ({e})", "this user must be able to write it and its folder", "read_only")
    elif kind == "SQLITE_CANTOPEN":
        found = (f"cannot open {name} ({e})", "its folder must exist and be writable by this user", "cannot_open")
    elif kind == "SQLITE_IOERR":
        found = (f"cannot read or write {name} ({e})", "the disk may be full, read-only or failing", "disk_error")
    else:
        return None
    return _error(*found, then=then, detail=str(path) if shown else None)


def os_error(e: OSError, path: Path | str | None = None, *, shown: str | None = None,
             then: str = "") -> DatelineError | None:
    """Return a DatelineError that explains ``e``, an operating-system error on ``path`` (by
    default the file the error names); None for errors that are not about space or permissions."""
    path = path if path is not None else e.filename
    if path is None:
        return None
    name = shown or str(path)
    reason = e.strerror or str(e)
    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        found = (f"the disk holding {name} is full ({reason})", "free some space and run this again", "disk_full")
    elif e.errno == errno.EFBIG:
        found = (f"cannot write {name} ({reason})", "the disk is full or a file size limit is set", "disk_full")
    elif e.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        found = (f"cannot write {name} ({reason})", "make it and its folder writable by this user", "read_only")
    elif e.errno == errno.EIO:
        found = (f"cannot read or write {name} ({reason})", "the disk may be failing", "disk_error")
    elif e.errno == errno.ENOTDIR:
        found = (f"cannot use {name} ({reason})", "a part of its path is a file, not a folder", "not_a_folder")
    elif e.errno == errno.ENOENT:  # gone while in use, or a folder that cannot be made where it would go
        found = (f"cannot use {name} ({reason})", "it or a folder on its path is missing", "no_such_file")
    else:
        return None
    return _error(*found, then=then, detail=str(path) if shown else None)


def _error(problem: str, advice: str, code: str, *, then: str, detail: str | None) -> DatelineError:
    """Return the DatelineError "problem; then: advice" (status 503: the operator must act)."""
    return DatelineError(f"{problem}{'; ' + then if then else ''}: {advice}", code=code, status=503, detail=detail)


@contextmanager
def explained(archive: Path, *, folder: Path | None = None, shown: str | None = None,
              then: str = "") -> Iterator[None]:
    """Run the ``with`` block, turning a failure of the disk or of the SQLite file ``archive``
    into a DatelineError; ``then`` says what was left undone. ``folder`` is where the block
    writes other files, named when an OS error does not say which file (a failed write does not).

    >>> with explained(data_dir / "archive.sqlite", then=f"nothing was imported from {file}"):
    ...     archive.import_items(...)
    """
    try:
        yield
    except sqlite3.Error as e:
        error = sqlite_error(e, archive, shown=shown, then=then)
        if error is None:
            raise
        raise error from e
    except OSError as e:
        error = os_error(e, e.filename or folder, then=then)
        if error is None:
            raise
        raise error from e
