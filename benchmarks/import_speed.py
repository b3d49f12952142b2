"""Import all 22 Reuters-21578 files into a fresh archive and print records per second.

Goal (issue 2): the whole corpus (21,578 records) in under 30 s on the 2-core dev machine.

    .venv/bin/python benchmarks/import_speed.py [--reuters ../shared/data/reuters21578]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from index.ingest import parse_file
from index.store import Archive

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "reuters21578"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuters", type=Path, default=DEFAULT)
    args = parser.parse_args()
    files = sorted(args.reuters.glob("reut2-*.sgm"))
    with tempfile.TemporaryDirectory() as tmp:
        archive = Archive.open(tmp)
        parse_s = write_s = 0.0
        records = 0
        for path in files:
            t0 = time.perf_counter()
            fmt, parsed = parse_file(path)
            t1 = time.perf_counter()
            report = archive.import_items(str(path), fmt, parsed.items, parsed.rejections)
            t2 = time.perf_counter()
            parse_s += t1 - t0
            write_s += t2 - t1
            records += report.added + report.updated + report.unchanged + report.rejected
        total = parse_s + write_s
        print(f"files: {len(files)}  records: {records}  items stored: {archive.count_items()}")
        print(f"total {total:.2f} s = parse {parse_s:.2f} s + write {write_s:.2f} s")
        print(f"{records / total:,.0f} records/s  (goal: all records in < 30 s)")


if __name__ == "__main__":
    main()
