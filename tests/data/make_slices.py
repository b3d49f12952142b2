"""Cut the test slices in tests/data from the full corpora; run by hand, never by the tests.

    python tests/data/make_slices.py --reuters PATH/reuters21578 --time PATH/time-collection

Reuters-21578 records are copied byte for byte, each into a file named like the one it came
from, after that file's DOCTYPE line; the TIME files are copied whole. The RealTime QA files
are not cut from anything: they were written for the project (see SOURCE.md).
"""
from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCTYPE = b'<!DOCTYPE lewis SYSTEM "lewis.dtd">\n'
RECORD = re.compile(rb'<REUTERS [^>]*NEWID="(\d+)">.*?</REUTERS>\n', re.DOTALL)

# NEWIDs kept from each file, and why. The first 300 of reut2-000 are the answer tests' archive
# (conftest.reuters_data); the rest are the cases the reader and the chunker must survive,
# chosen by scanning all 21,578 records.
REUTERS = {
    "reut2-000.sgm": [*range(1, 301),  # 26 Feb - 2 Mar 1987: BRIEF, UNPROC, &lt; &amp;, NEWID 99
                      419,  # &#127; in the body
                      884,  # <DATE> with two leading spaces
                      996],  # <DATE> with two spaces before the time
    "reut2-003.sgm": [3871],  # <DATE> " 11-MAR-1987 ..." (a space before a two-digit day)
    "reut2-010.sgm": [10279, 10280,  # <DATE> followed by control characters and desk codes
                      10506,  # both: a leading space and trailing desk codes
                      10947],  # a NORM item whose chunks come within 5 word pieces of 256
    "reut2-011.sgm": [11083,  # the same, 11 chunks
                      11224],  # a long body (8,480 characters) with few digits
    "reut2-012.sgm": [12792, 12793, 12794],  # 12793: <TEXT TYPE="UNPROC"> with nothing in it
    "reut2-013.sgm": [13158],  # UNPROC table whose one chunk is exactly 256 word pieces
    "reut2-014.sgm": [14044,  # UNPROC table of 282 digits, chunks of up to 253 word pieces
                      14609],  # <DATE> with one digit of hundredths
    "reut2-015.sgm": [15370,  # <DATE> with a comment after it ("# date added by S Finch ...")
                      15871,  # 25 chunks, 2,013 digits
                      15875],  # the longest body (10,155 characters), most digits, most chunks
    "reut2-017.sgm": [17192,  # <DATE> with a three-digit hour ("605:12:19.12")
                      17953,  # dateline "LONDON, June 2 -", a long body
                      17980],  # the corpus's only non-UTF-8 byte (0xFC, latin-1 'ü') and &#30;
    "reut2-018.sgm": [18806],  # a BRIEF with &#27; in it
}

TIME_FILES = ("README", "TIME.ALL", "TIME.QUE", "TIME.REL")


def cut_reuters(source: Path, out: Path) -> None:
    """Write each slice file: the DOCTYPE line, then the chosen records in their original order."""
    out.mkdir(parents=True, exist_ok=True)
    for name, newids in REUTERS.items():
        data = (source / name).read_bytes()
        if not data.startswith(DOCTYPE):
            raise SystemExit(f"{source / name}: does not start with the DOCTYPE line")
        wanted = set(newids)
        records = [m.group(0) for m in RECORD.finditer(data) if int(m.group(1)) in wanted]
        if len(records) != len(wanted):
            raise SystemExit(f"{source / name}: found {len(records)} of the {len(wanted)} records")
        (out / name).write_bytes(DOCTYPE + b"".join(records))


def copy_time(source: Path, out: Path) -> None:
    """Copy the TIME collection's documents, queries, judgments and README unchanged."""
    out.mkdir(parents=True, exist_ok=True)
    for name in TIME_FILES:
        shutil.copyfile(source / name, out / name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuters", type=Path, required=True,
                        help="the Reuters-21578 folder (reut2-000.sgm ... reut2-021.sgm)")
    parser.add_argument("--time", type=Path, required=True,
                        help="the TIME collection folder (TIME.ALL, TIME.QUE, TIME.REL)")
    parser.add_argument("--out", type=Path, default=HERE, help="where to write (default: %(default)s)")
    args = parser.parse_args()
    cut_reuters(args.reuters, args.out / "reuters21578")
    copy_time(args.time, args.out / "time-collection")


if __name__ == "__main__":
    main()
