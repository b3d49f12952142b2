"""Limits that keep one hostile record from costing a whole import: size, nesting and time.

A record over a limit is rejected and listed like any other bad record, naming the limit; a
file over the whole-file limit is refused with a message naming the file. Each number sits
beside the reason it was chosen.
"""
from __future__ import annotations

import os
import pickle
import resource
import select
import signal
import time
import warnings
from collections.abc import Callable
from typing import TypeVar

# One record (a JSONL line, a CSV row, a JSON array element, a <REUTERS> record, an item's
# text): the longest Reuters-21578 record is 14 KB and the longest RealTime QA line, a whole
# week of search results, 0.6 MB. Reading is done a line at a time up to this, so a file of
# one endless line costs no more memory than this.
MAX_RECORD_CHARS = 2_000_000

# Arrays and objects inside one JSON record. Exports nest two or three deep; at about a
# thousand levels Python's json and dataclasses run out of recursion.
MAX_NESTING = 64

# Files read whole (JSON arrays, Reuters SGML, text dumps, HTML pages, feeds) are held in memory
# with their parse, several times their size; JSONL and CSV are streamed and have no file limit.
MAX_FILE_BYTES = 250_000_000

# One saved HTML page, scripts and inline images included: news pages run to a few MB. Past
# that a page is refused unread; below it, the time and memory limits hold. Unbounded,
# trafilatura 2.3 took 158 s and 460 MB on 4 MB of nested inline tags, and had not finished
# 28 MB after 300 s and 2.4 GB.
MAX_PAGE_CHARS = 10_000_000

# Memory one page's extraction, or one feed's reading, may take on top of what the importing
# process already maps: a 1 MB page of dense markup needs ~120 MB, a 10 MB feed of 5,000
# entries ~60 MB.
PAGE_MEMORY_BYTES = 1_000_000_000

T = TypeVar("T")

_OUT_OF_MEMORY = 3  # the child's exit status when the task raised MemoryError


class OverLimit(Exception):
    """A bounded task ran past its time or memory limit, or failed; the message says which
    and ``limit`` is "time", "memory" or None (the task failed)."""

    def __init__(self, message: str, limit: str | None = None):
        super().__init__(message)
        self.limit = limit


def megabytes(n: int) -> str:
    """Format a size for a message: ``megabytes(28_000_000) == '28 MB'``."""
    return f"{n / 1e6:.1f}".removesuffix(".0") + " MB"


def run_bounded(task: Callable[[], T], seconds: float, memory_bytes: int) -> T:
    """Run ``task()`` in a forked child limited to ``seconds`` of wall-clock time and to the
    parent's address space plus ``memory_bytes``; return its result, which must pickle.

    The child is killed at its deadline; past its memory limit its allocations fail. Raise
    OverLimit saying which limit it ran into ("took longer than 10 s"), or naming the task's
    own exception. Forking, rather than starting Python afresh, keeps what the parent has
    loaded: a call costs ~10-40 ms. The memory limit counts from the parent's address space,
    free heap included, so it bounds the child's total rather than measuring its need exactly.
    """
    limit = _address_space_limit(memory_bytes)
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        # Python 3.12+ warns that fork in a threaded process may deadlock the child on a lock
        # another thread held. The child only runs ``task`` and exits, without the tqdm or
        # SQLite state those threads guard, so the warning does not apply.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:
        os.close(read_end)
        _run_child(task, write_end, limit, memory_bytes)  # never returns
    os.close(write_end)
    over_memory = OverLimit(f"needed more than {megabytes(memory_bytes)} of memory", "memory")
    reaped = False
    try:
        payload = _read_until(read_end, time.monotonic() + seconds)
        if payload is None:
            # Libraries that swallow failed allocations go on slowly: say what stopped them.
            if _near(limit, _peak_address_space(pid), memory_bytes):
                raise over_memory
            raise OverLimit(f"took longer than {seconds:g} s", "time")
        _, status = os.waitpid(pid, 0)
        reaped = True
        if os.waitstatus_to_exitcode(status) == _OUT_OF_MEMORY:
            raise over_memory
        if not payload:
            raise OverLimit(f"stopped with exit status {os.waitstatus_to_exitcode(status)}")
        ok, value = pickle.loads(payload)
        if not ok:
            raise OverLimit(value)
        return value
    finally:
        os.close(read_end)
        if not reaped:  # over time, or interrupted (Ctrl+C): leave no child behind
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


def _read_until(fd: int, deadline: float) -> bytes | None:
    """Everything written to ``fd`` until its writer closes it, or None at ``deadline``."""
    chunks = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _run_child(task: Callable[[], object], fd: int, limit: int | None, memory_bytes: int) -> None:
    """In the forked child: cap memory at ``limit``, run ``task``, send (ok, value) through
    ``fd``, exit. ``os._exit`` skips the parent's atexit handlers and buffered output."""
    status = 0
    try:
        if limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
        try:
            result = (True, task())
        except MemoryError:
            raise  # reported by the exit status: there may be no memory left to pickle a message
        except Exception as e:  # the task's own failure, reported by the parent
            result = (False, f"failed ({type(e).__name__}: {e})")
        # Libraries may swallow a failed allocation (trafilatura then finds "no article").
        if _near(limit, _peak_address_space(os.getpid()), memory_bytes):
            raise MemoryError
        payload = pickle.dumps(result)
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view):]
    except MemoryError:
        status = _OUT_OF_MEMORY
    except BaseException:  # interrupted: the parent reports it
        status = 1
    os._exit(status)


def _address_space_limit(extra: int) -> int | None:
    """This process's address space now plus ``extra`` bytes, within the hard limit; None
    where it cannot be read (no /proc): the time limit still holds there."""
    try:
        with open("/proc/self/statm") as f:
            mapped = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return None
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    return mapped + extra if hard == resource.RLIM_INFINITY else min(mapped + extra, hard)


def _peak_address_space(pid: int) -> int:
    """The most address space process ``pid`` has mapped at once (VmPeak) in bytes; 0 unknown."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmPeak:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _near(limit: int | None, peak: int, memory_bytes: int) -> bool:
    """Whether ``peak`` came within 5% of the memory budget of ``limit``: an allocation failed
    (the one that did not fit may have been larger than what was left), or nearly did."""
    return bool(limit) and peak >= limit - memory_bytes // 20
