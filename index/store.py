"""The archive: one SQLite file with items, chunks, full text, embeddings and the import log.

Each imported file is written in one transaction, so a killed import leaves the archive as it
was before that file. WAL mode lets the server read while an import or a build writes.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.request import pathname2url

from . import disk
from .errors import DatelineError
from .item import FIELDS, Item
from .reader import ArchiveReader, item_from_row
from .replica import is_replica_root, is_snapshot

log = logging.getLogger(__name__)

BUSY_TIMEOUT_S = 30  # how long a writer waits for another's transaction (a whole imported file) to end
# Rejections listed in the import log's row (its count is always whole), so a file of millions
# of bad records does not make a row of millions of messages.
_LOGGED_REJECTIONS = 1000

SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    dateline TEXT NOT NULL DEFAULT '',
    date TEXT,
    body TEXT NOT NULL DEFAULT '',
    date_precision TEXT,
    year_inferred INTEGER NOT NULL DEFAULT 0,
    dateline_text TEXT NOT NULL DEFAULT '',
    title_derived INTEGER NOT NULL DEFAULT 0,
    content_hash TEXT NOT NULL,
    origin TEXT NOT NULL DEFAULT '',
    metadata TEXT NOT NULL DEFAULT '{}',
    import_id INTEGER REFERENCES imports(id),
    chunked_hash TEXT  -- content_hash when the item was last chunked; NULL = never
);
CREATE INDEX IF NOT EXISTS items_date ON items(date);
CREATE INDEX IF NOT EXISTS items_source ON items(source);
-- Place filters of questions ("from London"): without it each is a scan of every item.
CREATE INDEX IF NOT EXISTS items_dateline ON items(dateline COLLATE NOCASE);

CREATE TABLE IF NOT EXISTS imports (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    format TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    added INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    unchanged INTEGER NOT NULL,
    rejected INTEGER NOT NULL,
    rejections TEXT NOT NULL DEFAULT '[]'
);

-- Token windows of item bodies; start/end are character offsets into items.body.
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- the FAISS vector id; never reused, so a live index never points at the wrong chunk
    item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    text TEXT NOT NULL,  -- what is embedded: context header + body span
    n_tokens INTEGER NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (item_id, seq)
);
CREATE INDEX IF NOT EXISTS chunks_hash ON chunks(hash);

-- Full text of whole items, kept in step with the items table by triggers: BM25 over whole
-- articles ranks better than over chunks. Rows are keyed by the items' implicit rowid, which
-- only VACUUM renumbers: after a VACUUM, run INSERT INTO items_fts(items_fts) VALUES('rebuild').
CREATE VIRTUAL TABLE IF NOT EXISTS items_fts USING fts5(
    title, dateline, body, content='items', tokenize='porter unicode61'
);
CREATE TRIGGER IF NOT EXISTS items_fts_ai AFTER INSERT ON items BEGIN
    INSERT INTO items_fts(rowid, title, dateline, body) VALUES (new.rowid, new.title, new.dateline, new.body);
END;
CREATE TRIGGER IF NOT EXISTS items_fts_ad AFTER DELETE ON items BEGIN
    INSERT INTO items_fts(items_fts, rowid, title, dateline, body)
    VALUES ('delete', old.rowid, old.title, old.dateline, old.body);
END;
CREATE TRIGGER IF NOT EXISTS items_fts_au AFTER UPDATE OF title, dateline, body ON items BEGIN
    INSERT INTO items_fts(items_fts, rowid, title, dateline, body)
    VALUES ('delete', old.rowid, old.title, old.dateline, old.body);
    INSERT INTO items_fts(rowid, title, dateline, body) VALUES (new.rowid, new.title, new.dateline, new.body);
END;

-- Imports and index builds as jobs, from the CLI, an upload, `dateline watch` or the API
-- (index/jobs.py): what each did and how far it got, kept across restarts.
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,  -- import or index
    state TEXT NOT NULL,  -- queued, running, done or failed
    origin TEXT NOT NULL,  -- cli, upload, watch or api
    params TEXT NOT NULL DEFAULT '{}',  -- what a job queued by the server is to do
    phase TEXT,  -- the step under way: importing, chunking, embedding
    done INTEGER, total INTEGER, unit TEXT,
    rate REAL,  -- units per second in the current phase
    result TEXT,  -- JSON: the summary the CLI prints
    error TEXT,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    pid INTEGER,  -- the process running it (or to run it), on host
    host TEXT,
    pid_started TEXT  -- when that process started, so that a reused pid is not taken for it
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state);

-- Embedding cache: a chunk text is embedded once per model, across rebuilds.
CREATE TABLE IF NOT EXISTS embeddings (
    hash TEXT NOT NULL,
    model TEXT NOT NULL,
    vector BLOB NOT NULL,  -- float32, normalized
    PRIMARY KEY (hash, model)
) WITHOUT ROWID;
"""

# Archives made before items_fts searched chunks: fill the new table from the items and drop
# the old one, in one transaction.
MIGRATE_TO_ITEMS_FTS = (
    "INSERT INTO items_fts(items_fts) VALUES ('rebuild')",
    "DROP TRIGGER IF EXISTS chunks_ai",
    "DROP TRIGGER IF EXISTS chunks_ad",
    "DROP TABLE IF EXISTS chunks_fts",
)


@dataclass
class Rejection:
    """A record that was skipped, with where it was and why."""

    origin: str
    reason: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}"


@dataclass
class Removed:
    """What Archive.remove deleted."""

    by_id: int = 0
    missing_ids: list[str] = field(default_factory=list)  # ids no item had
    by_source: int = 0
    sources: list[str] = field(default_factory=list)  # the sources (as stored) the name matched

    @property
    def items(self) -> int:
        return self.by_id + self.by_source


@dataclass
class ImportReport:
    """What one file's import did."""

    path: str
    format: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    undated: int = 0  # of those added or updated, items without a date (nor a year for their dateline's day and month)

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    def summary(self) -> str:
        text = (f"{self.path} ({self.format}): {self.added} added, {self.updated} updated, "
                f"{self.unchanged} unchanged, {self.rejected} rejected")
        if self.undated:
            text += f", {self.undated} undated"
        if not (self.added or self.updated):
            text += " - nothing changed"
        return text


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


@contextmanager
def _transaction(conn: sqlite3.Connection, begin: str) -> Iterator[sqlite3.Connection]:
    """Run the ``with`` block in one transaction opened by ``begin``: COMMIT at its end, ROLLBACK
    when it raises (KeyboardInterrupt included)."""
    conn.execute(begin)
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # SQLite may have rolled back already (a full disk, an interrupt)
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error as e:
                # SQLite ended the transaction itself (a full disk does): the error to report
                # is the one that ended it, not "cannot rollback - no transaction is active".
                log.info("rollback after a failed transaction: %s", e)
        raise


class Archive:
    """The SQLite archive in a data directory.

    >>> archive = Archive.open("./dateline-data")
    >>> archive.count_items()
    0
    """

    FILENAME = "archive.sqlite"

    def __init__(self, conn: sqlite3.Connection, data_dir: Path):
        self.conn = conn
        self.data_dir = data_dir

    @classmethod
    def open(cls, data_dir: str | Path, *, create: bool = True, reading: bool = False,
             shown: str | None = None) -> "Archive":
        """Open (and create, unless ``create`` is False) the archive in ``data_dir``.

        ``reading`` says the caller only reads (status, export, questions): where a full disk or
        a read-only folder stops the usual open, the archive is opened read-only instead. A
        damaged, unreadable or unwritable archive raises a DatelineError (503) naming the file;
        ``shown`` is how its message names it (index/disk.py), by default the absolute path.
        """
        data_dir = Path(data_dir)
        path = data_dir / cls.FILENAME
        if is_snapshot(data_dir):
            return cls(cls._connect_immutable(data_dir, reading=reading, shown=shown), data_dir)
        if is_replica_root(data_dir):
            # ``shown`` names the archive file within the folder; here the folder is at fault.
            raise DatelineError(f"{'the data directory' if shown else data_dir} holds read-only snapshots made by "
                                "`dateline snapshot`, not an archive: `dateline serve --data` it to answer from the "
                                "live one, and import into the data directory they are taken from",
                                code="read_only_replica", status=403, detail=str(data_dir) if shown else None)
        if not path.exists():
            if not create:
                raise DatelineError(
                    "no archive yet: import items first with `dateline import PATH`",
                    code="no_archive", status=503, detail=f"data directory {data_dir}",
                )
            with disk.explained(path, shown=shown):
                data_dir.mkdir(parents=True, exist_ok=True)
        elif not path.is_file():
            raise DatelineError(f"{shown or path} is not a file: the archive must be an SQLite file",
                                code="damaged_archive", status=503, detail=str(path) if shown else None)
        try:
            conn = cls._connect(path)
        except sqlite3.Error as e:
            error = disk.sqlite_error(e, path, shown=shown)
            if error is None:
                raise
            if not reading or error.code == "damaged_archive":
                raise error from e
            conn = cls._connect_read_only(path, error)
        archive = cls(conn, data_dir)
        if cls._older(conn):
            with disk.explained(path, shown=shown), archive.write():
                # Another process (or thread) may have migrated while this one waited for the lock.
                if cls._older(conn):
                    log.info("archive %s: moving full-text search from chunks to whole items", path)
                    for statement in MIGRATE_TO_ITEMS_FTS:
                        conn.execute(statement)
        return archive

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        """Open ``path`` for reading and writing, in WAL mode, with the schema in place."""
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, check_same_thread=False, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(SCHEMA)
        except BaseException:
            conn.close()
            raise
        return conn

    @classmethod
    def _connect_immutable(cls, data_dir: Path, *, reading: bool, shown: str | None) -> sqlite3.Connection:
        """Open the archive of the snapshot ``data_dir`` (index/snapshot.py) for reading only.

        Immutable: no lock, no -wal, no -shm and no journal, nothing written beside the file, so
        that replicas may read it from a network mount that they do not write. Snapshots are
        written in rollback-journal mode, so the file alone holds the whole archive.
        """
        path = data_dir / cls.FILENAME
        if not reading:
            raise DatelineError(f"{shown or data_dir} is a read-only snapshot made by `dateline snapshot`: import "
                                "and index into the data directory it was taken from, then take a new snapshot",
                                code="read_only_replica", status=403)
        if not path.is_file():
            raise DatelineError(f"{shown or path} is missing from the snapshot {data_dir.name}: publish a sound one "
                                "with `dateline snapshot`", code="damaged_archive", status=503, detail=str(path))
        uri = "file:" + pathname2url(str(path.resolve())) + "?mode=ro&immutable=1"
        conn = None
        try:
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # a damaged file fails here
        except sqlite3.Error as e:
            if conn is not None:
                conn.close()
            error = disk.sqlite_error(e, path, shown=shown)
            if error is None:
                raise
            raise error from e
        return conn

    @staticmethod
    def _connect_read_only(path: Path, why: DatelineError) -> sqlite3.Connection:
        """Open ``path`` read-only after ``why`` stopped the usual open; raise ``why`` when even
        that fails."""
        uri = "file:" + pathname2url(str(path.resolve())) + "?mode=ro"
        wal = path.with_name(path.name + "-wal")
        # A WAL archive needs its shared-memory index (-shm), which a full disk or a read-only
        # folder may not let SQLite make. With no write-ahead log left to read, the file alone
        # holds every committed item, and SQLite may read it as immutable, without that index.
        tries = [uri] if wal.exists() and wal.stat().st_size else [uri, uri + "&immutable=1"]
        for attempt in tries:
            conn = sqlite3.connect(attempt, uri=True, timeout=BUSY_TIMEOUT_S, check_same_thread=False,
                                   isolation_level=None)
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlite3.Error:
                conn.close()
                continue
            conn.row_factory = sqlite3.Row
            log.warning("opened %s read-only: %s", path, why.message)
            return conn
        raise why

    @property
    def path(self) -> Path:
        """The archive's SQLite file."""
        return self.data_dir / self.FILENAME

    def check(self, *, full: bool = False) -> list[str]:
        """Return what SQLite finds wrong with the archive file; empty when it is sound.

        Without ``full``, ``PRAGMA quick_check``: the structure of every page, a few seconds on
        a big archive. With ``full``, ``PRAGMA integrity_check`` (every index against its
        table, too) and FTS5's check of the full-text index against the items.
        """
        problems = self._pragma_check("integrity_check" if full else "quick_check")
        if full and not problems:
            try:
                self.conn.execute("INSERT INTO items_fts(items_fts, rank) VALUES ('integrity-check', 1)")
            except sqlite3.DatabaseError as e:
                if not disk.is_damage(e):  # an archive opened read-only cannot run it
                    log.info("full-text index not checked: %s", e)
                else:
                    problems.append(f"full-text index: {e}")
        return problems

    def _pragma_check(self, pragma: str) -> list[str]:
        """Return the problems ``PRAGMA quick_check`` or ``integrity_check`` lists (at most 100)."""
        try:
            rows = [r[0] for r in self.conn.execute(f"PRAGMA {pragma}(100)")]
        except sqlite3.DatabaseError as e:  # a page too damaged to walk stops the check itself
            return [str(e)]
        return [] if rows == ["ok"] else rows

    @staticmethod
    def _older(conn: sqlite3.Connection) -> bool:
        """Whether the archive still has the chunk-level full text of earlier versions."""
        return conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'chunks_fts'").fetchone() is not None

    def close(self) -> None:
        self.conn.close()

    # -- transactions --------------------------------------------------------------------

    def write(self) -> AbstractContextManager[sqlite3.Connection]:
        """Hold one write transaction over a ``with`` block; the block gets the connection.

        BEGIN IMMEDIATE takes the write lock at once (a second writer waits up to
        ``BUSY_TIMEOUT_S`` before it starts rather than failing halfway); COMMIT at the block's
        end; ROLLBACK when it raises, so a failed block leaves the archive as it was.

        >>> with archive.write() as conn:
        ...     gone = conn.execute("DELETE FROM items WHERE id = ?", ("r1",)).rowcount
        """
        return _transaction(self.conn, "BEGIN IMMEDIATE")

    def snapshot(self) -> AbstractContextManager[sqlite3.Connection]:
        """Hold one read transaction over a ``with`` block: every read in it sees the archive as
        it was at the first, while importers keep writing. The block gets the connection."""
        return _transaction(self.conn, "BEGIN")

    # -- writing -------------------------------------------------------------------------

    def import_items(self, path: str, fmt: str, items: Iterable[Item],
                     rejections: list[Rejection]) -> ImportReport:
        """Upsert ``items`` from one file in a single transaction and log the import.

        ``items`` may be a generator that reads the file as it goes (a big JSONL or CSV export
        is never held in memory whole); ``rejections`` is read after it is exhausted, so the
        generator may still add to it. An exception from it rolls the whole file back.
        """
        report = ImportReport(path=path, format=fmt)
        duplicates: list[Rejection] = []
        started = _now()
        with disk.explained(self.path, then=f"nothing was imported from {path}"), self.write():
            import_id = self._start_import(path, fmt, started)
            for item in items:
                first = self._earlier_record(item)
                if first is None:
                    self._upsert(item, import_id, report)
                elif first["hash"] == item.content_hash:
                    report.unchanged += 1
                else:
                    duplicates.append(Rejection(
                        item.origin, f"same identity as the record at {first['origin']} "
                        "but different content (kept the first)"))
            report.rejections = [*rejections, *duplicates]
            self._finish_import(import_id, report)
        return report

    def _start_import(self, path: str, fmt: str, started: str) -> int:
        """Log the start of one file's import and make the table of the ids it gives; return
        the import's id."""
        # The ids this file has given so far, with their first record's hash and origin: a
        # table on disk (SQLite's temporary database), since a file may hold millions.
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS import_seen(id TEXT PRIMARY KEY, hash TEXT, origin TEXT)")
        return self.conn.execute(
            "INSERT INTO imports(path, format, started_at, finished_at, added, updated,"
            " unchanged, rejected) VALUES (?, ?, ?, ?, 0, 0, 0, 0)",
            (path, fmt, started, started),
        ).lastrowid

    def _earlier_record(self, item: Item) -> sqlite3.Row | None:
        """Note that the file being imported gave ``item``'s id; return the hash and origin of
        its earlier record with the same id, or None when this is the first."""
        c = self.conn
        if c.execute("INSERT OR IGNORE INTO import_seen VALUES (?, ?, ?)",
                     (item.id, item.content_hash, item.origin)).rowcount:
            return None
        return c.execute("SELECT hash, origin FROM import_seen WHERE id = ?", (item.id,)).fetchone()

    def _upsert(self, item: Item, import_id: int, report: ImportReport) -> None:
        """Insert ``item``, or update the stored one if its content changed; count it in ``report``."""
        c = self.conn
        row = c.execute("SELECT content_hash FROM items WHERE id = ?", (item.id,)).fetchone()
        values = self._row_values(item)
        if row is None:
            c.execute(
                f"INSERT INTO items({', '.join(FIELDS)}, import_id) "
                f"VALUES ({', '.join('?' * len(FIELDS))}, ?)", (*values, import_id))
            report.added += 1
            report.undated += item.date is None
        elif row["content_hash"] != item.content_hash:
            assignments = ", ".join(f"{f} = ?" for f in FIELDS[1:])
            c.execute(f"UPDATE items SET {assignments}, import_id = ? WHERE id = ?",
                      (*values[1:], import_id, item.id))
            report.updated += 1
            report.undated += item.date is None
        else:
            report.unchanged += 1

    def _finish_import(self, import_id: int, report: ImportReport) -> None:
        """Drop the table of the file's ids and log the import's counts and rejections."""
        self.conn.execute("DROP TABLE temp.import_seen")
        self.conn.execute(
            "UPDATE imports SET finished_at = ?, added = ?, updated = ?, unchanged = ?,"
            " rejected = ?, rejections = ? WHERE id = ?",
            (_now(), report.added, report.updated, report.unchanged, report.rejected,
             json.dumps([str(r) for r in report.rejections[:_LOGGED_REJECTIONS]]), import_id),
        )

    @staticmethod
    def _row_values(item: Item) -> tuple:
        record = item.to_record()
        record["year_inferred"] = int(record["year_inferred"])
        record["title_derived"] = int(record["title_derived"])
        record["metadata"] = json.dumps(record["metadata"], ensure_ascii=False, sort_keys=True)
        return tuple(record[f] for f in FIELDS)

    def remove(self, ids: list[str] | None = None, source: str | None = None) -> "Removed":
        """Delete items by id and/or by source, the source named in any case as a question's
        filter names it (with their chunks), in one transaction; say what went."""
        removed = Removed()
        with disk.explained(self.path, then="nothing was removed"), self.write() as c:
            for item_id in ids or []:
                if c.execute("DELETE FROM items WHERE id = ?", (item_id,)).rowcount:
                    removed.by_id += 1
                else:
                    removed.missing_ids.append(item_id)
            if source:
                removed.sources = [r[0] for r in c.execute(
                    "SELECT DISTINCT source FROM items WHERE source = ? COLLATE NOCASE ORDER BY source", (source,))]
                removed.by_source = c.execute("DELETE FROM items WHERE source = ? COLLATE NOCASE", (source,)).rowcount
        return removed

    # -- reading -------------------------------------------------------------------------

    def reader(self, *, mmap_bytes: int = 0, cache_kib: int = 0) -> ArchiveReader:
        """A read-only view of this archive (index/reader.py holds the queries)."""
        return ArchiveReader(self.conn, mmap_bytes=mmap_bytes, cache_kib=cache_kib)

    def get_item(self, item_id: str) -> Item | None:
        """The item with this id, or None."""
        return self.reader().item(item_id)

    def get_items(self, ids: list[str]) -> dict[str, Item]:
        """Items by id, in one query per 500 ids."""
        return self.reader().items(ids)

    def iter_items(self, source: str | None = None):
        """All items (of one source), oldest first, then by id."""
        sql = "SELECT * FROM items"
        args: tuple = ()
        if source:
            sql += " WHERE source = ? COLLATE NOCASE"  # as a question's source filter matches
            args = (source,)
        for row in self.conn.execute(sql + " ORDER BY date IS NULL, date, id", args):
            yield item_from_row(row)

    def count_items(self) -> int:
        """How many items the archive holds."""
        return self.reader().item_count()

    def status(self, recent: int = 5) -> dict:
        """Counts, sources, date range and the most recent imports."""
        reader = self.reader()
        return {**reader.summary(), "imports": reader.recent_imports(recent)}
