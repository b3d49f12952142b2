"""Import all 22 Reuters-21578 files into a fresh archive and print records per second.

Goal (issue 2): the whole corpus (21,578 records) in under 30 s on the 2-core dev machine.

    .venv/bin/python benchmarks/import_speed.py --reuters PATH/reuters21578 [--big N]

With ``--big N`` it then writes the corpus as one JSONL export of N copies (new ids), imports
that with `dateline import` in a child process and prints its time and peak memory: a big
export is read a record at a time, so memory should not grow with the file.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpora import add_corpus
from dateline.index.ingest import parse_file
from dateline.index.store import Archive


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_corpus(parser, "reuters")
    parser.add_argument("--big", type=int, default=0, help="copies of the corpus in one JSONL export")
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
        if args.big:
            big_export(archive, Path(tmp), args.big)


def big_export(archive: Archive, tmp: Path, copies: int) -> None:
    """Import ``copies`` of the archive as one JSONL file in a child process; print time and peak memory."""
    export = tmp / "big.jsonl"
    with open(export, "w", encoding="utf-8") as f:
        for copy in range(copies):
            for item in archive.iter_items():
                record = item.to_record()
                record["id"], record["url"] = f"{record['id']}-{copy}", ""
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
    code = ("import resource, sys; from dateline.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('peak', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)")
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, "import", str(export), "--data", str(tmp / "big")],
                          capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - t0
    peak_mb = int(done.stderr.split("peak")[-1]) / 1024
    print(done.stdout.strip())
    print(f"one JSONL export of {export.stat().st_size / 2**20:,.0f} MB: {seconds:.1f} s, "
          f"peak memory {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
