"""Hostile imports (issue 12): a record nested too deep, too long or with broken markup is
rejected and listed with its file and line while the rest of the file is imported; an HTML page
is read within bounded time and memory, or rejected naming the limit. Inputs are generated."""
import json
import os
import subprocess
import sys
import time

import pytest

from dateline.index.ingest.limits import MAX_NESTING, MAX_RECORD_CHARS

TOO_DEEP = f"nested more than {MAX_NESTING} levels deep (the limit for one record)"
TOO_LONG = f"record is longer than {MAX_RECORD_CHARS:,} characters (the limit for one record)"


def _record(n: int, **fields) -> str:
    return json.dumps({"id": f"good-{n}", "title": f"Good record {n}",
                       "body": f"Oslo, 2 Feb - Good record {n} has a body.", "date": "2020-02-02", **fields})


def _ids(cli) -> set[str]:
    return {json.loads(line)["id"] for line in cli("export").output.splitlines()}


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_deeply_nested_jsonl_records_are_listed_and_the_others_imported(cli, tmp_path):
    path = tmp_path / "deep.jsonl"
    path.write_text("\n".join([
        _record(1),
        '{"id": "deep", "title": "Deep", "metadata": {"x": ' + _nested(100_000) + "}}",
        # Deep enough to pass json but not to be stored and exported (both recurse).
        '{"id": "deeper", "title": "Deep", "tags": ' + _nested(900) + "}",
        _record(2),
    ]) + "\n", encoding="utf-8")
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert "2 added, 0 updated, 0 unchanged, 2 rejected" in result.output
    assert f"{path}:2: {TOO_DEEP}" in result.output
    assert f"{path}:3: {TOO_DEEP}" in result.output
    assert _ids(cli) == {"good-1", "good-2"}


def test_deeply_nested_record_in_a_json_array(cli, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[\n" + ",\n".join([
        _record(1),
        '{"id": "deep", "title": "Deep", "x": ' + _nested(100_000) + "}",
        '{"id": "deeper", "title": "Deep", "x": ' + _nested(500) + "}",
        _record(2),
    ]) + "\n]\n", encoding="utf-8")
    result = cli("import", str(path))
    assert "2 added, 0 updated, 0 unchanged, 2 rejected" in result.output, result.output
    assert f"{path}:3: {TOO_DEEP}" in result.output and f"{path}:4: {TOO_DEEP}" in result.output
    assert _ids(cli) == {"good-1", "good-2"}


def test_over_long_jsonl_record_is_listed_without_being_read_whole(cli, tmp_path):
    path = tmp_path / "long.jsonl"
    path.write_text("\n".join([_record(1), _record(9, body="word " * MAX_RECORD_CHARS), _record(2)]) + "\n",
                    encoding="utf-8")
    result = cli("import", str(path))
    assert "2 added, 0 updated, 0 unchanged, 1 rejected" in result.output, result.output[:2000]
    assert f"{path}:2: {TOO_LONG}" in result.output
    assert _ids(cli) == {"good-1", "good-2"}


def test_csv_cells_long_and_over_long(cli, tmp_path):
    """A 300 KB cell (over csv's own 128 KB limit) is imported; one over the record limit is
    listed, and the rows after it are still read."""
    path = tmp_path / "long.csv"
    path.write_text("id,title,body\n"
                    "a,First,A short body.\n"
                    f"b,Long,{'word ' * 60_000}\n"
                    f"c,Too long,{'word ' * (MAX_RECORD_CHARS // 4)}\n"
                    "d,Last,Another short body.\n", encoding="utf-8")
    result = cli("import", str(path))
    assert "3 added, 0 updated, 0 unchanged, 1 rejected" in result.output, result.output[:2000]
    assert f"{path}:4: {TOO_LONG}" in result.output
    assert _ids(cli) == {"a", "b", "d"}


def test_a_file_too_big_to_read_whole_is_refused_by_name(cli, tmp_path, monkeypatch):
    import dateline.index.ingest as ingest

    monkeypatch.setattr(ingest, "MAX_FILE_BYTES", 100_000)
    records = [_record(n) for n in range(1500)]  # 0.2 MB
    (tmp_path / "big.json").write_text("[" + ",\n".join(records) + "]", encoding="utf-8")
    result = cli("import", str(tmp_path / "big.json"))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {tmp_path / 'big.json'}: the file is 0.2 MB, over the limit "
                                    "of 0.1 MB for a file read whole"), result.output
    # The same records as JSONL are streamed a record at a time: no file limit.
    (tmp_path / "big.jsonl").write_text("\n".join(records) + "\n", encoding="utf-8")
    assert "1500 added" in cli("import", str(tmp_path / "big.jsonl")).output


# -- Reuters SGML with broken markup ----------------------------------------------------------

def _reuters(newid: int, title: str, body: str) -> str:
    return (f'<REUTERS TOPICS="NO" LEWISSPLIT="TRAIN" CGISPLIT="TRAINING-SET" OLDID="{newid}" NEWID="{newid}">\n'
            "<DATE>26-FEB-1987 15:01:01.79</DATE>\n<TOPICS></TOPICS>\n"
            f"<TEXT>&#2;\n<TITLE>{title}</TITLE>\n"
            f"<DATELINE>    LONDON, Feb 26 - </DATELINE><BODY>{body}\n Reuter\n&#3;</BODY></TEXT>\n"
            "</REUTERS>\n")


def test_sgml_record_with_broken_markup_is_rejected_and_the_next_one_kept(cli, tmp_path):
    path = tmp_path / "damaged.sgm"
    cut_short = _reuters(2, "CUT SHORT RECORD", "This one was cut off.").split("</TITLE>")[0] + "\n"
    no_title_end = _reuters(4, "TITLE LEFT OPEN", "The title tag is never closed.").replace("</TITLE>", "")
    path.write_text('<!DOCTYPE lewis SYSTEM "lewis.dtd">\n'
                    + _reuters(1, "FIRST ARTICLE", "The first body.")
                    + cut_short
                    + _reuters(3, "THIRD ARTICLE", "The third body.")
                    + no_title_end
                    + _reuters(5, "FIFTH ARTICLE", "The fifth body &lt;FIVE> quotes a ticker."),
                    encoding="latin-1")
    lines = path.read_text(encoding="latin-1").splitlines()
    line_of = {n: lines.index(next(x for x in lines if f'NEWID="{n}"' in x)) + 1 for n in (2, 4)}

    result = cli("import", str(path))
    assert "3 added, 0 updated, 0 unchanged, 2 rejected" in result.output, result.output
    assert f"{path}:{line_of[2]}: record has no </REUTERS> before the next record" in result.output
    assert f"{path}:{line_of[4]}: <TITLE> on the record's line 5 is never closed" in result.output
    items = [json.loads(line) for line in cli("export").output.splitlines()]
    assert sorted(i["title"] for i in items) == ["FIFTH ARTICLE", "FIRST ARTICLE", "THIRD ARTICLE"]
    assert {i["body"] for i in items} == {"The first body.", "The third body.",
                                          "The fifth body <FIVE> quotes a ticker."}


# -- HTML pages: bounded time and memory ------------------------------------------------------

def _nested_inline_page(megabytes: float) -> str:
    """A page of paragraphs of nested inline tags, ``megabytes`` long."""
    paragraph = "<p><b><i><span>Word</span> and <em>word</em></i></b> text.</p>\n"
    return ("<!DOCTYPE html><html><head><title>Nested</title></head><body><article>\n"
            + paragraph * int(megabytes * 1_000_000 / len(paragraph)) + "</article></body></html>\n")


def _article_page() -> str:
    paragraphs = "".join(f"<p>Paragraph {n} of a sober article about the harbour, with enough words "
                         f"in it to be taken for the article's text by the extractor.</p>\n" for n in range(8))
    return ("<!DOCTYPE html><html><head><title>Harbour reopens</title>"
            '<meta property="og:site_name" content="Harbour Gazette"></head><body><article>'
            f"<h1>Harbour reopens</h1>\n{paragraphs}</article></body></html>\n")


def _run_measured(*args: str, env: dict) -> dict:
    """Run `dateline ARGS` in a child process; return its exit code, output, seconds and the peak
    resident memory (MB) of it and the processes it started."""
    script = (
        "import json, resource, subprocess, sys, time\n"
        "t = time.monotonic()\n"
        "p = subprocess.run([sys.executable, '-m', 'dateline', *sys.argv[1:]], capture_output=True, text=True, timeout=120)\n"
        "print(json.dumps({'rc': p.returncode, 'out': p.stdout + p.stderr, 'seconds': time.monotonic() - t,\n"
        "                  'peak_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))\n")
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                          env={**os.environ, **env})
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def test_a_28_mb_page_of_nested_inline_tags_is_rejected_quickly_through_the_cli(tmp_path):
    """Before the limits this page took minutes and gigabytes; now the import says why it is
    refused, keeps the good file's items, and stays small and fast."""
    page = tmp_path / "nested.html"
    page.write_text(_nested_inline_page(28), encoding="utf-8")
    good = tmp_path / "good.jsonl"
    good.write_text(_record(1) + "\n" + _record(2) + "\n", encoding="utf-8")
    data = tmp_path / "data"

    run = _run_measured("import", str(good), str(page), "--data", str(data), env={})
    assert run["rc"] == 0, run["out"]
    assert f"{page}: the page is 28 MB, over the limit of 10 MB for one HTML page" in run["out"]
    assert "total: 2 added, 0 updated, 0 unchanged, 1 rejected" in run["out"]
    assert run["seconds"] < 10, run
    assert run["peak_mb"] < 400, run
    status = subprocess.run([sys.executable, "-m", "dateline", "status", "--json", "--data", str(data)],
                            capture_output=True, text=True, check=True)
    assert json.loads(status.stdout)["items"] == 2


def test_a_page_slow_to_extract_is_stopped_at_the_time_limit(cli, tmp_path, monkeypatch):
    """Inline tags side by side in one paragraph cost trafilatura the square of their number
    (this 400 KB page takes ~10 s): past DATELINE_PAGE_TIMEOUT the page is rejected."""
    monkeypatch.setenv("DATELINE_PAGE_TIMEOUT", "1")
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "article.html").write_text(_article_page(), encoding="utf-8")
    slow = folder / "slow.html"
    slow.write_text("<!DOCTYPE html><html><head><title>Slow</title></head><body><article><p>"
                    + "<span><b><i>word</i></b></span> " * 12_500 + "</p></article></body></html>",
                    encoding="utf-8")
    started = time.monotonic()
    result = cli("import", str(folder))
    assert time.monotonic() - started < 6, result.output
    assert (f"{slow}: extracting the article took longer than 1 s (the limit, DATELINE_PAGE_TIMEOUT)"
            in result.output), result.output
    assert "total: 1 added, 0 updated, 0 unchanged, 1 rejected" in result.output
    items = [json.loads(line) for line in cli("export").output.splitlines()]
    assert [(i["title"], i["source"]) for i in items] == [("Harbour reopens", "Harbour Gazette")]


def test_a_page_needing_too_much_memory_is_stopped_at_the_memory_limit(tmp_path):
    """A 1 MB page of dense markup needs ~120 MB to extract; under a 20 MB limit it is rejected,
    at the latest at the time limit (trafilatura goes on after some failed allocations). Run in
    a fresh process: the limit counts from what the importing process maps already."""
    page = tmp_path / "dense.html"
    page.write_text(_nested_inline_page(1), encoding="utf-8")
    script = ("import sys; import dateline.index.ingest.web as web; web.PAGE_MEMORY_BYTES = 20_000_000; "
              "from dateline.cli import main; main(sys.argv[1:])")
    done = subprocess.run([sys.executable, "-c", script, "import", str(page), "--data", str(tmp_path / "data")],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "DATELINE_PAGE_TIMEOUT": "2"})
    assert (f"{page}: extracting the article needed more than 20 MB of memory (the limit for one page)"
            in done.stdout), done.stdout + done.stderr
    assert "0 added, 0 updated, 0 unchanged, 1 rejected" in done.stdout


# -- RSS/Atom feeds: bounded time and memory --------------------------------------------------

def _feed(title: str, items: str, doctype: str = "") -> str:
    return (f'<?xml version="1.0"?>{doctype}<rss version="2.0"><channel><title>{title}</title>'
            f"{items}</channel></rss>\n")


def _feed_item(title: str, description: str) -> str:
    return (f"<item><title>{title}</title><link>https://news.example/{title.replace(' ', '-')}</link>"
            f"<pubDate>Mon, 05 Jun 2017 10:00:00 GMT</pubDate><description>{description}</description></item>")


def _nested_feed(levels: int) -> str:
    """A well-formed feed whose one entry holds ``levels`` nested elements (7 bytes a level)."""
    return _feed("Deep", _feed_item("Deep", "Deep").replace("</item>", "<x>" * levels + "</x>" * levels + "</item>"))


def test_a_feed_slow_to_read_is_stopped_at_the_time_limit(cli, tmp_path, monkeypatch):
    """feedparser spends ~16 µs on each element: 600,000 nested ones (4 MB) took ~10 s unbounded.
    Past DATELINE_PAGE_TIMEOUT the feed is rejected by name; the good feed beside it is read."""
    monkeypatch.setenv("DATELINE_PAGE_TIMEOUT", "1")
    folder = tmp_path / "feeds"
    folder.mkdir()
    (folder / "good.xml").write_text(_feed("Harbour Gazette", _feed_item(
        "Harbour reopens", "Zanzibar, 5 Jun - The harbour reopened on Monday.")), encoding="utf-8")
    deep = folder / "deep.xml"
    deep.write_text(_nested_feed(600_000), encoding="utf-8")
    started = time.monotonic()
    result = cli("import", str(folder))
    assert time.monotonic() - started < 6, result.output
    assert f"{deep}: reading the feed took longer than 1 s (the limit, DATELINE_PAGE_TIMEOUT)" in result.output, result.output
    assert "total: 1 added, 0 updated, 0 unchanged, 1 rejected" in result.output
    items = [json.loads(line) for line in cli("export").output.splitlines()]
    assert [(i["title"], i["source"], i["date"]) for i in items] == [("Harbour reopens", "Harbour Gazette", "2017-06-05")]


def test_a_feed_needing_too_much_memory_is_stopped_at_the_memory_limit(tmp_path):
    """200,000 nested elements need ~100 MB to read: under a 20 MB limit the feed is rejected
    with its name. Run in a fresh process: the limit counts from what the process maps."""
    deep = tmp_path / "deep.rss"
    deep.write_text(_nested_feed(200_000), encoding="utf-8")
    script = ("import sys; import dateline.index.ingest.web as web; web.PAGE_MEMORY_BYTES = 20_000_000; "
              "from dateline.cli import main; main(sys.argv[1:])")
    done = subprocess.run([sys.executable, "-c", script, "import", str(deep), "--data", str(tmp_path / "data")],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "DATELINE_PAGE_TIMEOUT": "20"})
    assert f"{deep}: reading the feed needed more than 20 MB of memory (the limit for one feed)" in done.stdout, \
        done.stdout + done.stderr
    assert "0 added, 0 updated, 0 unchanged, 1 rejected" in done.stdout and "Traceback" not in done.stderr


def test_a_feed_of_nested_entities_is_read_small_and_fast(tmp_path):
    """A billion-laughs feed (entities of entities: 10^9 characters if expanded) is never
    expanded: the import ends in seconds, small, and stores no expanded text."""
    entities = '<!ENTITY a "' + "lol" * 30 + '">' + "".join(
        f'<!ENTITY {chr(98 + i)} "' + f"&{chr(97 + i)};" * 10 + '">' for i in range(8))
    laughs = tmp_path / "laughs.xml"
    laughs.write_text(_feed("Laughs", _feed_item("&i;", "&i;"), doctype=f"<!DOCTYPE rss [{entities}]>"),
                      encoding="utf-8")
    data = tmp_path / "data"
    run = _run_measured("import", str(laughs), "--data", str(data), env={})
    assert run["rc"] in (0, 1) and "Traceback" not in run["out"], run
    assert run["seconds"] < 20 and run["peak_mb"] < 400, run
    exported = subprocess.run([sys.executable, "-m", "dateline", "export", "--data", str(data)],
                              capture_output=True, text=True)
    assert len(exported.stdout) < 10_000, exported.stdout[:500]


@pytest.mark.parametrize("fmt", ["html", "reuters", "jsonl"])
def test_binary_files_are_still_refused_with_their_name(cli, tmp_path, fmt):
    path = tmp_path / f"junk.{ {'html': 'html', 'reuters': 'sgm', 'jsonl': 'jsonl'}[fmt]}"
    path.write_bytes(b"<html>\x00\x01\x02" + bytes(range(256)) * 4)
    result = cli("import", str(path))
    assert result.exit_code == 1 and f"{path}: this is a binary file" in result.output
