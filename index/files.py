"""Files written whole or not at all: a reader sees the old content or the new, never half."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomically(path: Path, write: Callable[[Path], object], *, durable: bool = False) -> None:
    """Have ``write(tmp)`` fill a temporary file beside ``path``, then rename it over ``path``.

    The temporary name is unique, so concurrent writers (server workers, two builds) never
    share one; it ends in ".tmp", which `generations.publish` clears when a writer was killed.
    ``durable`` fsyncs the data before the rename. The file is readable by all, as a plain write
    would leave it: server workers may run as another user than the build.
    """
    fd, name = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        os.chmod(tmp, 0o644)
        write(tmp)
        if durable:
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        if e.filename is None:  # a failed write names no file (a full disk): name the one written
            raise OSError(e.errno, e.strerror, str(path)) from e
        raise
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def fsync_dir(path: Path) -> None:
    """Flush a directory's entries to disk, so a rename or a new file in it survives a crash."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


POINTER_MAX_BYTES = 256  # a pointer file longer than this is damaged, whatever it holds


def read_pointer(path: Path) -> str | None:
    """Return the name a pointer file (index/CURRENT, a snapshot folder's CURRENT) holds, stripped;
    None when the file is missing. ValueError, saying why, when it cannot be read as a name."""
    try:
        with open(path, "rb") as f:
            raw = f.read(POINTER_MAX_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as e:
        raise ValueError(f"unreadable: {e.strerror}") from None
    if len(raw) > POINTER_MAX_BYTES:
        raise ValueError(f"over {POINTER_MAX_BYTES} bytes")
    try:
        return raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
