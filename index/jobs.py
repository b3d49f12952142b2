"""Jobs: every import and index build, from the CLI, an upload, `dateline watch` or the API, kept
in the archive's ``jobs`` table with its state, progress and result, so that they survive restarts.

One writer at a time: a running job holds an exclusive ``flock`` on ``<data>/.writer.lock``; a
second job waits for it in state ``queued``. A job whose process died (killed, a crash, a
reboot) is marked failed by the next process that opens the jobs of this host: the server on
each read, any job on its start. Each imported file is one transaction, so a killed import
leaves only whole files behind.

Recording is best effort: a job whose row cannot be written (no archive yet, a full disk, a
read-only folder) still runs, and its own work reports the problem.

>>> with run(data_dir, "index", origin="cli") as job:
...     report = build_index(data_dir, on_progress=lambda done, total: job.progress(done, total, unit="chunks"))
...     job.result = report.to_dict()
"""
from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import socket
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import disk
from .errors import DatelineError
from .store import BUSY_TIMEOUT_S, Archive

log = logging.getLogger(__name__)

KINDS = ("import", "index")
STATES = ("queued", "running", "done", "failed")
ORIGINS = ("cli", "upload", "watch", "api")
LOCK_NAME = ".writer.lock"
PROGRESS_EVERY_S = 0.5  # progress is written at most twice a second: the page polls once a second
RATE_AFTER_S = 1.0  # a rate measured over less than this is noise; none is given before
READ_BUSY_MS = 250  # how long a reader's one write (marking a dead job failed) waits for the lock
UNCLAIMED_S = 120  # a queued job no process has claimed for this long was never started
STOPPED = "the process running it stopped"

_COLUMNS = ("id", "kind", "state", "origin", "phase", "done", "total", "unit", "rate", "result", "error",
            "created_at", "started_at", "finished_at", "pid", "host")


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


@dataclass
class Job:
    """One job as recorded: what it is, where it stands, and what it did."""

    id: int
    kind: str  # import or index
    state: str  # queued, running, done or failed
    origin: str  # cli, upload, watch or api
    phase: str | None  # the step under way: importing, embedding
    done: int | None  # units of the phase done ...
    total: int | None  # ... of this many
    unit: str | None  # files, chunks
    rate: float | None  # units per second in the phase
    result: dict | None  # the summary the CLI prints, as JSON data
    error: str | None
    created_at: str
    started_at: str | None
    finished_at: str | None
    pid: int | None
    host: str | None

    @property
    def seconds_left(self) -> float | None:
        """The phase's time left at its rate; None when either is unknown."""
        if not self.rate or self.total is None or self.done is None or self.state != "running":
            return None
        return round(max(self.total - self.done, 0) / self.rate, 1)

    def to_dict(self, *, process: bool = True) -> dict:
        """The job as JSON-ready data; ``process`` False leaves out the pid and host (HTTP)."""
        data = {"id": self.id, "kind": self.kind, "state": self.state, "origin": self.origin,
                "progress": None, "result": self.result, "error": self.error,
                "created_at": self.created_at, "started_at": self.started_at, "finished_at": self.finished_at}
        if self.total is not None or self.done is not None:
            data["progress"] = {"phase": self.phase, "done": self.done, "total": self.total, "unit": self.unit,
                                "rate": self.rate, "seconds_left": self.seconds_left}
        if process:
            data.update(pid=self.pid, host=self.host)
        return data

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Job:
        values = {k: row[k] for k in _COLUMNS}
        values["result"] = json.loads(row["result"]) if row["result"] else None
        return cls(**values)


# -- which process runs a job ----------------------------------------------------------------

def _host() -> str:
    return socket.gethostname()


def _process_start(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot, from /proc); None where unknown."""
    try:
        # /proc/PID/stat: "pid (name) state ppid ..."; the name may hold spaces; starttime is field 22.
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _alive(pid: int, started: str | None) -> bool:
    """Whether process ``pid`` of this host still runs and is the one that started at ``started``."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        pass
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc to ask: the pid exists
    if state in ("Z", "X"):  # exited, waiting for its parent to reap it
        return False
    return started is None or _process_start(pid) in (None, started)  # a reused pid is another process


# -- the jobs table ----------------------------------------------------------------------------

class _Ledger:
    """The jobs table of one archive, on a connection of its own."""

    def __init__(self, archive: Archive):
        self.archive = archive
        self.conn = archive.conn

    @classmethod
    def open(cls, data_dir: Path, *, reading: bool = False) -> _Ledger | None:
        """The ledger of ``data_dir``'s archive; None when there is no archive, or it cannot be opened."""
        try:
            archive = Archive.open(data_dir, create=False, reading=reading)
        except DatelineError as e:
            log.info("jobs of %s not recorded: %s", data_dir, e)
            return None
        return cls(archive)

    def close(self) -> None:
        self.archive.close()

    @contextmanager
    def busy_timeout(self, ms: int) -> Iterator[None]:
        """Wait at most ``ms`` for another writer's lock inside the block."""
        self.conn.execute(f"PRAGMA busy_timeout = {int(ms)}")
        try:
            yield
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")

    def execute(self, sql: str, args: tuple = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, args)

    def job(self, job_id: int) -> Job | None:
        row = self.conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return Job.from_row(row) if row else None

    def jobs(self, limit: int) -> list[Job]:
        return [Job.from_row(r) for r in self.conn.execute("SELECT * FROM jobs ORDER BY id DESC LIMIT ?", (limit,))]

    def active(self, kind: str | None = None) -> Job | None:
        """The running job, else the first queued one (of ``kind``, when given)."""
        sql = "SELECT * FROM jobs WHERE state IN ('running', 'queued')"
        args: tuple = ()
        if kind:
            sql += " AND kind = ?"
            args = (kind,)
        row = self.conn.execute(sql + " ORDER BY state = 'queued', id LIMIT 1", args).fetchone()
        return Job.from_row(row) if row else None

    def reap(self) -> int:
        """Mark failed the unfinished jobs of this host whose process is gone; return how many."""
        rows = self.conn.execute("SELECT id, state, pid, pid_started, created_at FROM jobs "
                                 "WHERE state IN ('queued', 'running') AND (host = ? OR pid IS NULL)",
                                 (_host(),)).fetchall()
        gone = []
        for row in rows:
            if row["pid"] is None:
                age = dt.datetime.now(dt.timezone.utc) - dt.datetime.fromisoformat(row["created_at"])
                if age.total_seconds() > UNCLAIMED_S:
                    gone.append((row["id"], "no process took the job up"))
            elif not _alive(row["pid"], row["pid_started"]):
                gone.append((row["id"], STOPPED if row["state"] == "running" else
                             "the process that was to run it stopped before it started"))
        for job_id, why in gone:
            log.warning("job %d failed: %s", job_id, why)
            self.conn.execute("UPDATE jobs SET state = 'failed', error = ?, finished_at = ? "
                              "WHERE id = ? AND state IN ('queued', 'running')", (why, _now(), job_id))
        return len(gone)


def _quietly(what: str, write: Callable[[], object]) -> object | None:
    """Run one write of the jobs table; a full disk or a busy archive is logged, not raised."""
    try:
        return write()
    except sqlite3.Error as e:
        log.info("could not record %s: %s", what, e)
        return None


# -- reading, for the server and `dateline jobs` -----------------------------------------------

@contextmanager
def _reading(data_dir: str | Path) -> Iterator[_Ledger | None]:
    """A ledger for reading, after marking dead jobs failed (waiting briefly, if at all, for the lock)."""
    ledger = _Ledger.open(Path(data_dir), reading=True)
    if ledger is None:
        yield None
        return
    try:
        # An archive opened read-only (a full disk) may be older than the jobs table.
        if ledger.execute("SELECT 1 FROM sqlite_master WHERE name = 'jobs'").fetchone() is None:
            yield None
            return
        with ledger.busy_timeout(READ_BUSY_MS):
            _quietly("failed jobs", ledger.reap)
        yield ledger
    finally:
        ledger.close()


def recent(data_dir: str | Path, limit: int = 20) -> list[Job]:
    """The latest ``limit`` jobs, newest first."""
    with _reading(data_dir) as ledger:
        return ledger.jobs(limit) if ledger else []


def get(data_dir: str | Path, job_id: int) -> Job | None:
    """The job with this id, or None."""
    with _reading(data_dir) as ledger:
        return ledger.job(job_id) if ledger else None


def active(data_dir: str | Path, kind: str | None = None) -> Job | None:
    """The running job, else the first queued one (of ``kind`` when given); None when idle."""
    with _reading(data_dir) as ledger:
        return ledger.active(kind) if ledger else None


# -- queueing, for the server: the job runs in a child process ----------------------------------

def enqueue(data_dir: str | Path, kind: str, *, origin: str, params: dict | None = None,
            unless_pending: bool = False, create: bool = False) -> tuple[int, bool]:
    """Queue a job of ``kind`` for a process to come (``assign`` names it); return (id, created).

    With ``unless_pending``, a job of the same kind that is queued or running is returned
    instead of a new one (created False). ``create`` makes the archive when there is none yet.
    DatelineError (503) when there is no archive, or it cannot be written; waits up to the
    archive's busy timeout for a file being imported to be committed.
    """
    _check(kind, origin)
    archive = Archive.open(data_dir, create=create)
    try:
        with _busy_said(), disk.explained(archive.path, then="the job was not started"), archive.write() as c:
            if unless_pending:
                row = c.execute("SELECT id FROM jobs WHERE kind = ? AND state IN ('queued', 'running') "
                                "ORDER BY id LIMIT 1", (kind,)).fetchone()
                if row:
                    return row["id"], False
            job_id = c.execute("INSERT INTO jobs(kind, state, origin, params, created_at) VALUES (?, 'queued', ?, ?, ?)",
                               (kind, origin, json.dumps(params or {}), _now())).lastrowid
        return job_id, True
    finally:
        archive.close()


@contextmanager
def _busy_said() -> Iterator[None]:
    """Turn SQLite's "database is locked" (a writer kept the archive past BUSY_TIMEOUT_S) into a 503."""
    try:
        yield
    except sqlite3.OperationalError as e:
        if "locked" not in str(e):
            raise
        raise DatelineError(f"the archive is busy: a file being imported kept it locked for {BUSY_TIMEOUT_S} s; "
                            "try again in a moment", code="busy", status=503) from None


def assign(data_dir: str | Path, job_id: int, pid: int) -> None:
    """Name process ``pid`` of this host as the one that will run queued job ``job_id``."""
    _update(data_dir, job_id, "pid = ?, host = ?, pid_started = ?", (pid, _host(), _process_start(pid)))


def fail(data_dir: str | Path, job_id: int, error: str) -> None:
    """Mark job ``job_id`` failed with ``error`` (a job that could not be started)."""
    _update(data_dir, job_id, "state = 'failed', error = ?, finished_at = ?", (error, _now()))


def params(data_dir: str | Path, job_id: int) -> tuple[str, str, dict]:
    """The kind, origin and parameters of job ``job_id``; DatelineError when there is none."""
    with _reading(data_dir) as ledger:
        row = ledger.execute("SELECT kind, origin, params FROM jobs WHERE id = ?", (job_id,)).fetchone() if ledger else None
    if row is None:
        raise DatelineError(f"no job {job_id} in {data_dir}", code="not_found", status=404)
    return row["kind"], row["origin"], json.loads(row["params"])


def _update(data_dir: str | Path, job_id: int, assignments: str, args: tuple) -> None:
    archive = Archive.open(data_dir, create=False)
    try:
        with disk.explained(archive.path):
            archive.conn.execute(f"UPDATE jobs SET {assignments} WHERE id = ?", (*args, job_id))
    finally:
        archive.close()


def _check(kind: str, origin: str) -> None:
    if kind not in KINDS or origin not in ORIGINS:
        raise ValueError(f"a job is one of {KINDS} from one of {ORIGINS}, not {kind!r} from {origin!r}")


# -- running ---------------------------------------------------------------------------------

class JobRun:
    """The job a ``with run(...)`` block is: tell it how far the work got, and what it did."""

    def __init__(self, ledger: _Ledger | None, job_id: int | None):
        self.ledger = ledger
        self.id = job_id
        # Set by the work, written with the progress and at the end: a dict, or a function that
        # makes one (called only when written, so a result that grows file by file costs little).
        self.result: dict | Callable[[], dict] | None = None
        self._written = 0.0
        self._phase: tuple[str | None, str | None] = (None, None)
        self._phase_start = (0.0, 0)  # (monotonic time, done) when the phase began

    def progress(self, done: int, total: int | None = None, *, unit: str | None = None,
                 phase: str | None = None, force: bool = False) -> None:
        """Record that ``done`` of ``total`` units of the phase are done (and the result so far).

        Written at most every PROGRESS_EVERY_S seconds (always at a phase's start and end, or
        with ``force``), each write its own short transaction. Call it between the archive's
        transactions, never inside one: the write would wait for the lock its own process holds.
        """
        now = time.monotonic()
        if (phase, unit) != self._phase:
            self._phase, self._phase_start = (phase, unit), (now, done)
            force = True
        if self.ledger is None or self.id is None:
            return
        if not (force or done == total or now - self._written >= PROGRESS_EVERY_S):
            return
        started, done_then = self._phase_start
        rate = (done - done_then) / (now - started) if now - started >= RATE_AFTER_S else None
        self._written = now

        def write():
            with self.ledger.busy_timeout(PROGRESS_EVERY_S * 1000):
                self.ledger.execute(
                    "UPDATE jobs SET phase = ?, done = ?, total = ?, unit = ?, rate = ?, result = ? WHERE id = ?",
                    (phase, done, total, unit, None if rate is None else round(rate, 2), self._result_json(), self.id))
        _quietly(f"the progress of job {self.id}", write)

    def _result_json(self) -> str | None:
        result = self.result() if callable(self.result) else self.result
        return None if result is None else json.dumps(result, ensure_ascii=False)

    def _start(self) -> None:
        if self.ledger and self.id is not None:
            _quietly(f"the start of job {self.id}", lambda: self.ledger.execute(
                "UPDATE jobs SET state = 'running', started_at = ? WHERE id = ?", (_now(), self.id)))

    def _finish(self, state: str, error: str | None) -> None:
        if self.ledger and self.id is not None:
            _quietly(f"the end of job {self.id}", lambda: self.ledger.execute(
                "UPDATE jobs SET state = ?, error = ?, result = ?, finished_at = ? WHERE id = ?",
                (state, error, self._result_json(), _now(), self.id)))


def _error_text(e: BaseException) -> str:
    """What a failed job's record says about ``e``: no traceback, no server path beyond the message's."""
    if isinstance(e, DatelineError):
        return e.message
    if isinstance(e, KeyboardInterrupt):
        return "interrupted"
    if isinstance(e, SystemExit):
        return "stopped"
    if isinstance(e, sqlite3.OperationalError) and "locked" in str(e):
        return "the archive was busy: another process kept it locked"
    return f"unexpected error ({type(e).__name__}); the log of the process that ran it has the details"


@contextmanager
def writer_lock(data_dir: str | Path, *, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the one-writer lock of ``data_dir`` over the block, waiting for it if need be.

    ``on_wait`` is called once when another process holds it. Where the lock file cannot be
    made (no data directory yet, a read-only one) the block runs unlocked: its own writes fail
    and say why.
    """
    try:
        lock = open(Path(data_dir) / LOCK_NAME, "a")
    except OSError as e:
        log.info("running without the writer lock: %s", e)
        yield
        return
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@contextmanager
def run(data_dir: str | Path, kind: str, *, origin: str, job_id: int | None = None,
        params: dict | None = None, on_wait: Callable[[Job | None], None] | None = None) -> Iterator[JobRun]:
    """Run the ``with`` block as a job of ``kind`` ("import" or "index") from ``origin``.

    The job is recorded as queued, waits for the writer lock (``on_wait`` hears of the job that
    holds it), then runs: done when the block ends, failed with the error's message when it
    raises (the exception goes on). ``job_id`` takes up a job queued by ``enqueue`` instead of
    recording a new one. Dead jobs of this host are marked failed first.
    """
    _check(kind, origin)
    data_dir = Path(data_dir)
    ledger = _Ledger.open(data_dir)
    job = JobRun(ledger, None)
    if ledger is not None:
        _quietly("failed jobs", ledger.reap)
        me = (os.getpid(), _host(), _process_start(os.getpid()))
        if job_id is None:
            job.id = _quietly("a new job", lambda: ledger.execute(
                "INSERT INTO jobs(kind, state, origin, params, created_at, pid, host, pid_started) "
                "VALUES (?, 'queued', ?, ?, ?, ?, ?, ?)",
                (kind, origin, json.dumps(params or {}), _now(), *me)).lastrowid)
        else:
            job.id = job_id
            _quietly(f"job {job_id}", lambda: ledger.execute(
                "UPDATE jobs SET pid = ?, host = ?, pid_started = ? WHERE id = ?", (*me, job_id)))

    def waiting() -> None:
        if on_wait is not None:
            holder = ledger.active() if ledger is not None else None
            on_wait(holder if holder is not None and holder.id != job.id else None)

    try:
        try:
            with writer_lock(data_dir, on_wait=waiting):
                job._start()
                yield job
        except BaseException as e:
            job._finish("failed", _error_text(e))
            raise
        job._finish("done", None)
    finally:
        if ledger is not None:
            ledger.close()
