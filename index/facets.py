"""Filter columns (date, source, dateline place) stored beside an index generation.

A filtered search that keeps too many chunks to score exactly has to learn which hits fall
inside the filters. Asking SQLite costs about 4 microseconds a hit: 17 ms to check 4,096 FAISS
hits at 1M chunks, and a date-filtered full-text query joins every item that matches (p50
21 ms, p99 175 ms at 656k items). With these columns in memory the filters become one boolean
mask: FAISS searches only inside it, and FTS5 scores only the items inside it (p50 4 ms there).

The columns are written by `dateline index` with the generation they describe. An item
re-imported with a new date or place after that build is not cited until the next build
anyway (its chunks may no longer fit), and callers still check the few hits they keep against
the archive, which has the last word.
"""
from __future__ import annotations

import json
import sqlite3
import struct
import zipfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

FILENAME = "facets.npz"


def _day(date: str | None) -> int:
    """"1987-03-02" -> 19870302; "1987-03" -> 19870300 (ordered as SQLite orders the strings); None -> 0."""
    if not date:
        return 0
    digits = date.replace("-", "")[:8]
    return int(digits.ljust(8, "0")) if digits.isdigit() else 0


@dataclass
class Facets:
    """Filter columns of one index generation: per chunk, aligned with ``ids`` (its sorted chunk
    ids), for dense search; and per item, indexed by the items' rowid, for full-text search."""

    ids: np.ndarray  # int64, sorted
    days: np.ndarray  # int32 YYYYMMDD of the chunk's item; 0 when undated
    source: np.ndarray  # int32 code into ``sources``
    place: np.ndarray  # int32 code into ``places`` (the item's dateline)
    sources: list[str]
    places: list[str]
    item_days: np.ndarray  # the same three columns by items rowid (0s for rowids of no item)
    item_source: np.ndarray
    item_place: np.ndarray

    @classmethod
    def read(cls, conn: sqlite3.Connection, ids: np.ndarray) -> "Facets":
        """Read the columns of chunk ``ids`` and of every item from the archive.

        Rows go from cursors straight into the arrays, never listed whole: 1M chunks of 669k
        items read in 1.8 s adding 10 MB to the process's peak, where lists of rows took 3.4 s
        and 294 MB.
        """
        ids = np.sort(np.asarray(ids, dtype=np.int64))
        sources: dict[str, int] = {"": 0}
        places: dict[str, int] = {"": 0}
        size = conn.execute("SELECT coalesce(max(rowid), 0) FROM items").fetchone()[0] + 1
        item_days = np.zeros(size, dtype=np.int32)
        item_source = np.zeros(size, dtype=np.int32)
        item_place = np.zeros(size, dtype=np.int32)
        for rowid, date, source, dateline in conn.execute("SELECT rowid, date, source, dateline FROM items"):
            item_days[rowid] = _day(date)
            item_source[rowid] = sources.setdefault(source or "", len(sources))
            item_place[rowid] = places.setdefault(dateline or "", len(places))
        # Each chunk takes its item's columns; a chunk id the index does not hold is skipped.
        days = np.zeros(len(ids), dtype=np.int32)
        source = np.zeros(len(ids), dtype=np.int32)
        place = np.zeros(len(ids), dtype=np.int32)
        cursor = conn.execute("SELECT c.id, i.rowid FROM chunks c JOIN items i ON i.id = c.item_id")
        while rows := cursor.fetchmany(65536):
            pairs = np.array(rows, dtype=np.int64)
            chunk_ids, chunk_rowids = pairs[:, 0], pairs[:, 1]
            at = np.searchsorted(ids, chunk_ids)
            found = at < len(ids)
            found[found] = ids[at[found]] == chunk_ids[found]
            days[at[found]] = item_days[chunk_rowids[found]]
            source[at[found]] = item_source[chunk_rowids[found]]
            place[at[found]] = item_place[chunk_rowids[found]]
        return cls(ids, days, source, place, list(sources), list(places), item_days, item_source, item_place)

    def save(self, path: Path) -> None:
        with open(path, "wb") as f:
            np.savez(f, ids=self.ids, days=self.days, source=self.source, place=self.place,
                     item_days=self.item_days, item_source=self.item_source, item_place=self.item_place,
                     names=np.frombuffer(json.dumps([self.sources, self.places]).encode(), dtype=np.uint8))

    @classmethod
    def load(cls, path: Path) -> "Facets":
        """Map the columns from ``path`` (read-only): every server worker shares one copy
        through the page cache, as it shares the index (about 28 MB at 1M chunks)."""
        columns = _map_npz(path)
        sources, places = json.loads(columns["names"].tobytes().decode())
        return cls(columns["ids"], columns["days"], columns["source"], columns["place"], sources, places,
                   columns["item_days"], columns["item_source"], columns["item_place"])

    def mask(self, date_from: str | None = None, date_to: str | None = None, source: str | None = None,
             place: str | None = None) -> np.ndarray:
        """Which chunks the filters keep, as SQLite's filters would keep them (see
        ``index.reader.filter_sql``): a bound excludes undated items, source and place ignore case,
        and a place also matches datelines that start with it and a comma ("Salvador, Brazil")."""
        return self._keep(self.days, self.source, self.place, date_from, date_to, source, place)

    def item_mask(self, date_from: str | None = None, date_to: str | None = None, source: str | None = None,
                  place: str | None = None) -> np.ndarray:
        """Which items (by rowid) the filters keep, like ``mask``. Items imported after the build
        are past its end: they are not indexed yet, so not cited either."""
        return self._keep(self.item_days, self.item_source, self.item_place, date_from, date_to, source, place)

    def _keep(self, days, source_codes, place_codes, date_from, date_to, source, place) -> np.ndarray:
        keep = np.ones(len(days), dtype=bool)
        # Empty values filter nothing, as in filter_sql.
        if date_from:
            keep &= days >= _day(str(date_from))
        if date_to:
            keep &= (days > 0) & (days <= _day(str(date_to)))
        if source:
            want = str(source).lower()
            keep &= np.isin(source_codes, [i for i, s in enumerate(self._lower_sources) if s == want])
        if place:
            want = str(place).lower()
            codes = [i for i, p in enumerate(self._lower_places) if p == want or want + "," <= p < want + "-"]
            keep &= np.isin(place_codes, codes)
        return keep

    # Lower-cased once per generation, not on every filtered question.
    @cached_property
    def _lower_sources(self) -> list[str]:
        return [s.lower() for s in self.sources]

    @cached_property
    def _lower_places(self) -> list[str]:
        return [p.lower() for p in self.places]


def _map_npz(path: Path) -> dict[str, np.ndarray]:
    """The arrays of an uncompressed ``.npz`` (what ``np.savez`` writes) as read-only memory maps.

    ``np.load`` copies each member into memory; but a stored (uncompressed) member is a plain
    ``.npy`` file inside the zip, so its data can be mapped at its offset. A compressed member,
    which no version of dateline writes, is read into memory instead.
    """
    out: dict[str, np.ndarray] = {}
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as e:
        raise ValueError(f"{path}: {e}") from None
    with archive, open(path, "rb") as raw:
        for info in archive.infolist():
            name = info.filename.removesuffix(".npy")
            if info.compress_type != zipfile.ZIP_STORED:
                with archive.open(info) as member:
                    out[name] = np.lib.format.read_array(member, allow_pickle=False)
                continue
            # The member's data follows its local header (30 bytes, then its name and extra field).
            raw.seek(info.header_offset)
            local = raw.read(30)
            if local[:4] != b"PK\x03\x04":
                raise ValueError(f"{path}: member {info.filename} has no local header")
            name_len, extra_len = struct.unpack("<HH", local[26:30])
            raw.seek(info.header_offset + 30 + name_len + extra_len)
            version = np.lib.format.read_magic(raw)
            read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            shape, fortran, dtype = read_header(raw)
            if dtype.hasobject:
                raise ValueError(f"{path}: member {info.filename} holds objects")
            if int(np.prod(shape)) == 0:
                out[name] = np.zeros(shape, dtype=dtype)
                continue
            out[name] = np.memmap(path, dtype=dtype, mode="r", offset=raw.tell(), shape=shape,
                                  order="F" if fortran else "C")
    return out
