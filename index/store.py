"""The archive: one SQLite file with items, chunks, full text, embeddings and the import log.

Each imported file is written in one transaction, so a killed import leaves the archive as it
was before that file. WAL mode lets the server read while an import or a build writes.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DatelineError
from .item import FIELDS, Item

log = logging.getLogger(__name__)

BUSY_TIMEOUT_S = 30  # how long a writer waits for another's transaction (a whole imported file) to end

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
class ImportReport:
    """What one file's import did."""

    path: str
    format: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    def summary(self) -> str:
        text = (f"{self.path} ({self.format}): {self.added} added, {self.updated} updated, "
                f"{self.unchanged} unchanged, {self.rejected} rejected")
        if not (self.added or self.updated):
            text += " - nothing changed"
        return text


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


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
    def open(cls, data_dir: str | Path, *, create: bool = True) -> "Archive":
        """Open (and create, unless ``create`` is False) the archive in ``data_dir``."""
        data_dir = Path(data_dir)
        path = data_dir / cls.FILENAME
        if not path.exists():
            if not create:
                raise DatelineError(
                    f"no archive in {data_dir}: import items first with `dateline import PATH`",
                    code="no_archive", status=503,
                )
            data_dir.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, check_same_thread=False, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.executescript(SCHEMA)
        if cls._older(conn):
            conn.execute("BEGIN IMMEDIATE")
            try:
                # Another process (or thread) may have migrated while this one waited for the lock.
                if cls._older(conn):
                    log.info("archive %s: moving full-text search from chunks to whole items", path)
                    for statement in MIGRATE_TO_ITEMS_FTS:
                        conn.execute(statement)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return cls(conn, data_dir)

    @staticmethod
    def _older(conn: sqlite3.Connection) -> bool:
        """Whether the archive still has the chunk-level full text of earlier versions."""
        return conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'chunks_fts'").fetchone() is not None

    def close(self) -> None:
        self.conn.close()

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
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        try:
            # The ids this file has given so far, with their first record's hash and origin: a
            # table on disk (SQLite's temporary database), since a file may hold millions.
            c.execute("CREATE TEMP TABLE IF NOT EXISTS import_seen(id TEXT PRIMARY KEY, hash TEXT, origin TEXT)")
            cur = c.execute(
                "INSERT INTO imports(path, format, started_at, finished_at, added, updated,"
                " unchanged, rejected) VALUES (?, ?, ?, ?, 0, 0, 0, 0)",
                (path, fmt, started, started),
            )
            import_id = cur.lastrowid
            for item in items:
                if not c.execute("INSERT OR IGNORE INTO import_seen VALUES (?, ?, ?)",
                                 (item.id, item.content_hash, item.origin)).rowcount:
                    first = c.execute("SELECT hash, origin FROM import_seen WHERE id = ?", (item.id,)).fetchone()
                    if first["hash"] == item.content_hash:
                        report.unchanged += 1
                    else:
                        duplicates.append(Rejection(
                            item.origin, f"same identity as the record at {first['origin']} "
                            "but different content (kept the first)"))
                    continue
                row = c.execute("SELECT content_hash FROM items WHERE id = ?", (item.id,)).fetchone()
                values = self._row_values(item)
                if row is None:
                    c.execute(
                        f"INSERT INTO items({', '.join(FIELDS)}, import_id) "
                        f"VALUES ({', '.join('?' * len(FIELDS))}, ?)", (*values, import_id))
                    report.added += 1
                elif row["content_hash"] != item.content_hash:
                    assignments = ", ".join(f"{f} = ?" for f in FIELDS[1:])
                    c.execute(f"UPDATE items SET {assignments}, import_id = ? WHERE id = ?",
                              (*values[1:], import_id, item.id))
                    report.updated += 1
                else:
                    report.unchanged += 1
            report.rejections = [*rejections, *duplicates]
            c.execute("DROP TABLE temp.import_seen")
            c.execute(
                "UPDATE imports SET finished_at = ?, added = ?, updated = ?, unchanged = ?,"
                " rejected = ?, rejections = ? WHERE id = ?",
                (_now(), report.added, report.updated, report.unchanged, report.rejected,
                 json.dumps([str(r) for r in report.rejections[:1000]]), import_id),
            )
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise
        return report

    @staticmethod
    def _row_values(item: Item) -> tuple:
        record = item.to_record()
        record["year_inferred"] = int(record["year_inferred"])
        record["title_derived"] = int(record["title_derived"])
        record["metadata"] = json.dumps(record["metadata"], ensure_ascii=False, sort_keys=True)
        return tuple(record[f] for f in FIELDS)

    def remove(self, ids: list[str] | None = None, source: str | None = None) -> int:
        """Delete items by id and/or by source (with their chunks); return how many went."""
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        try:
            removed = 0
            for item_id in ids or []:
                removed += c.execute("DELETE FROM items WHERE id = ?", (item_id,)).rowcount
            if source:
                removed += c.execute("DELETE FROM items WHERE source = ?", (source,)).rowcount
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise
        return removed

    # -- reading -------------------------------------------------------------------------

    @staticmethod
    def item_from_row(row: sqlite3.Row) -> Item:
        """Rebuild an Item from its stored row."""
        data = {f: row[f] for f in FIELDS}
        data["year_inferred"] = bool(data["year_inferred"])
        data["title_derived"] = bool(data["title_derived"])
        data["metadata"] = json.loads(data["metadata"])
        return Item(**data)

    def get_item(self, item_id: str) -> Item | None:
        row = self.conn.execute("SELECT * FROM items WHERE id = ?", (item_id,)).fetchone()
        return self.item_from_row(row) if row else None

    def get_items(self, ids: list[str]) -> dict[str, Item]:
        """Items by id, in one query per 500 ids."""
        found: dict[str, Item] = {}
        for i in range(0, len(ids), 500):
            batch = ids[i:i + 500]
            rows = self.conn.execute(
                f"SELECT * FROM items WHERE id IN ({', '.join('?' * len(batch))})", batch)
            for row in rows:
                found[row["id"]] = self.item_from_row(row)
        return found

    def iter_items(self, source: str | None = None):
        """All items (of one source), oldest first, then by id."""
        sql = "SELECT * FROM items"
        args: tuple = ()
        if source:
            sql += " WHERE source = ?"
            args = (source,)
        for row in self.conn.execute(sql + " ORDER BY date IS NULL, date, id", args):
            yield self.item_from_row(row)

    def count_items(self) -> int:
        return self.conn.execute("SELECT count(*) FROM items").fetchone()[0]

    def status(self, recent: int = 5) -> dict:
        """Counts, sources, date range and the most recent imports."""
        c = self.conn
        first, last, undated = c.execute(
            "SELECT min(date), max(date), sum(date IS NULL) FROM items").fetchone()
        sources = [
            {"source": r[0], "items": r[1]}
            for r in c.execute(
                "SELECT source, count(*) FROM items GROUP BY source ORDER BY count(*) DESC, source")
        ]
        imports = [
            {k: r[k] for k in ("path", "format", "finished_at", "added", "updated", "unchanged", "rejected")}
            for r in c.execute("SELECT * FROM imports ORDER BY id DESC LIMIT ?", (recent,))
        ]
        return {
            "items": self.count_items(),
            "chunks": c.execute("SELECT count(*) FROM chunks").fetchone()[0],
            "sources": sources,
            "date_from": first,
            "date_to": last,
            "undated": undated or 0,
            "imports": imports,
        }
