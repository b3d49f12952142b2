"""JSONL, JSON arrays and CSV exports: one item per record, bad records skipped and named."""
import json

from conftest import REALTIMEQA


def _gold_articles(n=5):
    """Articles with a CNN-style dateline from a gold file in RealTime QA's format (written for
    the project: tests/data/SOURCE.md): url, text, authors, publish_date."""
    articles = []
    for line in (REALTIMEQA / "gold" / "20220617_gold.jsonl").read_text(encoding="utf-8").splitlines():
        for result in json.loads(line)["search_result"]:
            if result.get("text") and result["text"].startswith(("Washington CNN", "New York CNN")):
                articles.append(result)
    return articles[:n]


def _export(cli):
    return [json.loads(line) for line in cli("export").output.split("\n") if line]


def test_jsonl_with_aliases_and_metadata(cli, tmp_path):
    articles = _gold_articles()
    path = tmp_path / "cnn.jsonl"
    path.write_text("\n".join(json.dumps({
        "url": a["url"], "source": "CNN", "date": a["publish_date"], "text": a["text"],
        "authors": a["authors"],
    }) for a in articles) + "\n", encoding="utf-8")
    result = cli("import", str(path))
    assert f"{len(articles)} added" in result.output, result.output
    items = {i["url"]: i for i in _export(cli)}
    first = items[articles[0]["url"]]
    assert first["source"] == "CNN"
    assert first["date"] == articles[0]["publish_date"].replace("/", "-")
    assert first["dateline"] in ("Washington", "New York")
    assert first["body"] == articles[0]["text"]  # interchange bodies are kept verbatim
    assert first["metadata"]["authors"] == articles[0]["authors"]
    assert first["title_derived"] and first["title"]


def test_json_array_and_csv(cli, tmp_path):
    records = [
        {"id": "a1", "source": "Wire", "title": "Rates held", "dateline": "LONDON, March 2 -",
         "date": "1987-03-02", "body": "The Bank of England held rates."},
        {"id": "a2", "source": "Wire", "title": "Gold rises", "dateline": "Zurich",
         "date": "1987-03-03", "content": "Gold rose in Zurich."},
    ]
    (tmp_path / "items.json").write_text(json.dumps(records), encoding="utf-8")
    (tmp_path / "items.csv").write_text(
        "id,source,title,dateline,date,body,desk\n"
        'c1,Wire,Oil falls,"HOUSTON, March 4 -",1987-03-04,"Oil fell, traders said.",energy\n',
        encoding="utf-8")
    assert "2 added" in cli("import", str(tmp_path / "items.json")).output
    assert "1 added" in cli("import", str(tmp_path / "items.csv")).output
    items = {i["id"]: i for i in _export(cli)}
    assert (items["a1"]["dateline"], items["a1"]["dateline_text"]) == ("London", "LONDON, March 2 -")
    assert items["a2"]["body"] == "Gold rose in Zurich." and items["a2"]["dateline"] == "Zurich"
    assert items["c1"]["dateline"] == "Houston" and items["c1"]["metadata"] == {"desk": "energy"}


def test_other_exports_names_for_title_and_date(cli, tmp_path):
    path = tmp_path / "cms.csv"
    path.write_text('headline,published,text\nOil falls,2021-05-01,"Oil fell, traders said."\n'
                    'Gold rises,yes,Gold rose.\n', encoding="utf-8")
    assert "2 added, 0 updated, 0 unchanged, 0 rejected, 1 undated" in cli("import", str(path)).output
    oil, gold = _export(cli)
    assert (oil["title"], oil["date"], oil["body"], oil["metadata"]) == (
        "Oil falls", "2021-05-01", "Oil fell, traders said.", {})
    # A "published" that is no date (a CMS's flag) stays in metadata, as does a name not read.
    assert (gold["title"], gold["date"], gold["metadata"]) == ("Gold rises", None, {"published": "yes"})
    path = tmp_path / "both.jsonl"
    path.write_text(json.dumps({"id": "b", "title": "T", "headline": "H", "date": "2021-05-02",
                                "published": True, "body": "x"}) + "\n", encoding="utf-8")
    cli("import", str(path))
    both = {i["id"]: i for i in _export(cli)}["b"]
    assert (both["title"], both["date"], both["metadata"]) == ("T", "2021-05-02", {"headline": "H", "published": True})


def test_a_csv_export_without_its_extension_is_read_as_csv(cli, tmp_path):
    path = tmp_path / "export"
    path.write_text('id,title,body\nc1,Oil falls,"Oil fell, traders said."\n', encoding="utf-8")
    assert "export (csv): 1 added" in cli("import", str(path)).output
    assert _export(cli)[0]["body"] == "Oil fell, traders said."
    # A plain-text first line with commas is no header.
    from dateline.index.ingest import detect_format
    assert detect_format(path, "Text, images and video from the wire\n\nLondon, 3 Mar - x") == "text"


def test_format_option_reads_the_file_as_that_format(cli, tmp_path):
    # --format overrides what the content or the name say, and the report names what was read.
    path = tmp_path / "items.csv"
    path.write_text("id,title,body\nc1,Oil falls,Oil fell.\n", encoding="utf-8")
    forced = cli("import", str(path), "--format", "jsonl")
    assert "items.csv (jsonl): 0 added, 0 updated, 0 unchanged, 2 rejected" in forced.output, forced.output
    assert "items.csv:1: broken JSON" in forced.output
    assert "items.csv (csv): 1 added" in cli("import", str(path), "--format", "csv").output
    array = cli("import", str(path), "--format", "json")
    assert "items.csv:1: not a JSON array (it starts with 'i'); --format jsonl reads" in array.output, array.output


def test_a_rejected_element_of_an_array_on_one_line_is_named_by_its_number(cli, tmp_path):
    from dateline.index.importing import rejection_dict
    from dateline.index.store import Rejection

    path = tmp_path / "api.json"
    path.write_text('[{"id": "o3", "title": "t", "body": "b"}, 5, '
                    '{"id": "o4", "date": "2021-13-01", "title": "t4", "body": "b4"}]', encoding="utf-8")
    result = cli("import", str(path))
    assert "api.json:1, element 2: a record must be a JSON object" in result.output, result.output
    assert "api.json:1, element 3: field 'date': impossible date 2021-13-01" in result.output
    assert rejection_dict(Rejection(f"{path}:1, element 2", "a record must be a JSON object")) == {
        "file": str(path), "line": 1, "reason": "element 2: a record must be a JSON object"}


def test_a_csv_quote_left_open_is_named_at_its_line(cli, tmp_path):
    # Closed rows later: the cell runs across them.
    path = tmp_path / "wire.csv"
    path.write_text('title,body,date\n"Unclosed quote,Body,2021-01-01\nT2,B2",2021-01-02\nT3,B3,2021-01-03\n',
                    encoding="utf-8")
    result = cli("import", str(path))
    assert ("wire.csv:2: row has 2 columns, the header has 3; a quoted cell runs from line 2 to line 3 "
            "(a quote left open?): 'Unclosed quote,Body,2021-01-01 T2,B2'") in result.output, result.output
    assert "1 added" in result.output
    # Never closed, in the last column too: the rows after it are not swallowed into one body.
    path.write_text('title,body\nA,"one\nB,two\nC,three\n', encoding="utf-8")
    result = cli("import", str(path))
    assert "wire.csv:2: a quote opened in this row is never closed" in result.output, result.output
    assert "0 added" in result.output


def test_dateline_without_year_takes_it_from_the_files_full_dates(cli, tmp_path):
    path = tmp_path / "wire.jsonl"
    path.write_text(
        json.dumps({"id": "1", "title": "Dated", "body": "x", "date": "2019-03-05"}) + "\n"
        + json.dumps({"id": "2", "title": "Undated late", "body": "y", "dateline": "Oslo, 20 Dec -"}) + "\n"
        + json.dumps({"id": "3", "title": "Undated early", "body": "z", "dateline": "Oslo, 1 Feb -"}) + "\n"
        + json.dumps({"id": "4", "title": "No evidence", "body": "w", "dateline": "Oslo, 1 Feb -",
                      "url": "https://example.org/2014/02/x.html"}) + "\n",
        encoding="utf-8")
    cli("import", str(path))
    items = {i["id"]: i for i in _export(cli)}
    assert (items["2"]["date"], items["2"]["year_inferred"]) == ("2018-12-20", True)
    assert (items["3"]["date"], items["3"]["year_inferred"]) == ("2019-02-01", True)


def test_a_records_own_date_wins_over_an_impossible_dateline(cli, tmp_path):
    path = tmp_path / "wire.jsonl"
    path.write_text(json.dumps({"id": "1", "title": "x", "body": "London, 31 Feb 2021 - t", "date": "2021-02-28"}) + "\n"
                    + json.dumps({"id": "2", "title": "y", "body": "b", "dateline": "Oslo, 30 Feb 2021",
                                  "date": "2021-03-01"}) + "\n", encoding="utf-8")
    assert "2 added, 0 updated, 0 unchanged, 0 rejected" in cli("import", str(path)).output
    assert [(i["id"], i["date"]) for i in _export(cli)] == [("1", "2021-02-28"), ("2", "2021-03-01")]


def test_a_dateline_that_gives_its_year_dates_the_record(cli, tmp_path):
    path = tmp_path / "wire.jsonl"
    path.write_text(
        json.dumps({"id": "1", "title": "Ferry", "body": "x", "dateline": "Oslo, 3 Mar 2021"}) + "\n"
        + json.dumps({"id": "2", "title": "Later", "body": "y", "dateline": "Oslo, 20 Jan -"}) + "\n"
        + json.dumps({"id": "3", "title": "Impossible", "body": "z", "dateline": "Oslo, 30 Feb 2021"}) + "\n"
        + json.dumps({"id": "4", "title": "Nothing", "body": "w"}) + "\n",
        encoding="utf-8")
    result = cli("import", str(path))
    assert "3 added, 0 updated, 0 unchanged, 1 rejected, 1 undated" in result.output, result.output
    assert "wire.jsonl:3: field 'dateline': dateline 'Oslo, 30 Feb 2021': impossible date 2021-02-30" in result.output
    assert "1 item without a date" in result.output
    items = {i["id"]: i for i in _export(cli)}
    assert (items["1"]["date"], items["1"]["year_inferred"], items["1"]["dateline"]) == ("2021-03-03", False, "Oslo")
    # ... and is the file's full date that a dateline without a year takes its year from.
    assert (items["2"]["date"], items["2"]["year_inferred"]) == ("2021-01-20", True)
    assert items["4"]["date"] is None


def test_a_year_waits_for_a_full_date_later_in_the_file(cli, tmp_path):
    # JSONL is imported a record at a time: an undated record before the file's only full date
    # is held back until the end of the file, then gets its year from it.
    path = tmp_path / "wire.jsonl"
    lines = [{"id": "early", "title": "Undated", "body": "y", "dateline": "Oslo, 20 Dec -"}]
    lines += [{"id": f"n{i}", "title": f"Filler {i}", "body": "f", "date": "2019-01-01"} for i in range(3)]
    lines += [{"id": "dated", "title": "Dated", "body": "x", "date": "2019-03-05"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    assert "5 added" in cli("import", str(path)).output
    items = {i["id"]: i for i in _export(cli)}
    assert (items["early"]["date"], items["early"]["year_inferred"]) == ("2018-12-20", True)
    assert items["early"]["metadata"]["year_from"] == "latest full date in file 2019-03-05"


def test_the_first_of_two_records_with_one_identity_wins_even_when_its_year_is_inferred(cli, tmp_path):
    path = tmp_path / "twice.jsonl"
    path.write_text(json.dumps({"id": "X", "title": "A", "dateline": "London, 30 Jun -", "body": "aaa"}) + "\n"
                    + json.dumps({"id": "X", "title": "B", "date": "2020-07-01", "body": "bbb"}) + "\n",
                    encoding="utf-8")
    result = cli("import", str(path))
    assert f"{path}:2: same identity as the record at {path}:1 but different content (kept the first)" in result.output
    item = _export(cli)[0]
    assert (item["title"], item["date"], item["year_inferred"]) == ("A", "2020-06-30", True)


def test_an_escaped_replacement_character_is_text_not_bad_bytes(cli, tmp_path):
    path = tmp_path / "escaped.jsonl"
    path.write_text('{"id": "q", "title": "Unknown glyph \\ufffd shown", "body": "b"}\n', encoding="utf-8")
    assert "1 added" in cli("import", str(path)).output
    assert _export(cli)[0]["title"] == "Unknown glyph \ufffd shown"


def test_records_ended_by_carriage_returns_alone_are_read_whole_or_streamed(cli, tmp_path):
    from dateline.index.ingest import parse_file
    path = tmp_path / "old-mac.jsonl"
    path.write_bytes(b'{"id": "a", "title": "A", "body": "x"}\r{"id": "b", "title": "B", "body": "y"}\r')
    assert [i.id for i in parse_file(path, "jsonl")[1].items] == ["a", "b"]
    assert "2 added" in cli("import", str(path)).output


def test_line_separators_inside_a_record_stay_in_its_text(cli, tmp_path):
    # U+2028 and form feeds are not line ends in JSONL (web text carries them): an export holding
    # them imports back unchanged.
    body = "First paragraph.\u2028Second, after a line separator.\x0cThird, after a form feed."
    path = tmp_path / "odd.jsonl"
    path.write_text(json.dumps({"id": "odd", "title": "Odd", "body": body}, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    assert "1 added" in cli("import", str(path)).output
    exported = cli("export").output
    assert _export(cli)[0]["body"] == body
    (tmp_path / "again.jsonl").write_text(exported, encoding="utf-8")
    assert "0 added, 0 updated, 1 unchanged, 0 rejected" in cli("import", str(tmp_path / "again.jsonl")).output


def test_a_repeated_identity_in_one_file_keeps_the_first_record(cli, tmp_path):
    path = tmp_path / "twice.jsonl"
    records = [{"id": "a", "title": "First", "body": "one"}, {"id": "b", "title": "Other", "body": "two"},
               {"id": "a", "title": "First", "body": "one"},  # the same record again: unchanged
               {"id": "a", "title": "Rewritten", "body": "three"}]  # same id, other text: refused
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    result = cli("import", str(path))
    assert "2 added, 0 updated, 1 unchanged, 1 rejected" in result.output
    assert f"{path}:4: same identity as the record at {path}:1 but different content (kept the first)" in result.output
    assert {i["id"]: i["title"] for i in _export(cli)} == {"a": "First", "b": "Other"}
    # The next file starts afresh: its record of "a" updates the stored one.
    again = tmp_path / "again.jsonl"
    again.write_text(json.dumps(records[3]) + "\n", encoding="utf-8")
    assert "0 added, 1 updated" in cli("import", str(again)).output


def test_year_from_metadata_when_the_file_has_no_full_dates(cli, tmp_path):
    path = tmp_path / "wire.jsonl"
    path.write_text(
        json.dumps({"id": "u", "title": "T", "body": "b", "dateline": "Oslo, 1 Feb -",
                    "url": "https://example.org/2014/02/x.html"}) + "\n"
        + json.dumps({"id": "n", "title": "T2", "body": "b2", "dateline": "Oslo, 2 Feb -"}) + "\n",
        encoding="utf-8")
    cli("import", str(path))
    items = {i["id"]: i for i in _export(cli)}
    assert items["u"]["date"] == "2014-02-01" and items["u"]["metadata"]["year_from"] == "item metadata"
    # No evidence at all: left undated rather than given an invented year.
    assert items["n"]["date"] is None and "year unknown" in items["n"]["metadata"]["date_unresolved"]


def test_bad_records_are_skipped_and_named(cli, tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        b'{"id": "ok1", "title": "Fine", "body": "A good record."}\n'
        b'{"id": "broken", "title": \n'
        b'{"id": "empty", "title": "", "body": ""}\n'
        b'{"id": "baddate", "title": "T", "body": "B", "date": "2017-02-30"}\n'
        b'{"id": "latin", "title": "Caf\xe9", "body": "Undecodable bytes."}\n'
        b'["not", "an", "object"]\n'
        b'{"id": "ok2", "title": "Also fine", "body": "Another good record."}\n')
    result = cli("import", str(path))
    assert result.exit_code == 0
    assert "2 added, 0 updated, 0 unchanged, 5 rejected" in result.output
    assert f"{path}:2: broken JSON" in result.output
    assert f"{path}:3: item has neither title nor body" in result.output
    assert f"{path}:4: field 'date': impossible date 2017-02-30" in result.output
    assert f"{path}:5: bytes that are not valid UTF-8" in result.output
    assert f"{path}:6: a record must be a JSON object" in result.output
    assert {i["id"] for i in _export(cli)} == {"ok1", "ok2"}


def test_csv_row_with_missing_columns(cli, tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("id,title,body,date\n1,One,First body,2020-01-01\n2,Two\n3,Three,Third body,2020-01-03\n",
                    encoding="utf-8")
    result = cli("import", str(path))
    assert "2 added" in result.output and "1 rejected" in result.output
    assert f"{path}:3: row has 2 columns, the header has 4" in result.output
