"""Reuters-21578 SGML: every record, with title, dateline place, date and body; entities decoded.

The slice in tests/data keeps real records byte for byte, among them the cases the whole
corpus holds once or rarely (tests/data/SOURCE.md): the empty <TEXT>, the latin-1 byte, noisy
<DATE>s, BRIEF and UNPROC records."""
import json

import pytest

from conftest import REUTERS


@pytest.fixture(scope="module")
def reuters_archive(tmp_path_factory):
    """The slice's Reuters files imported once, through the CLI; returns (import output, data dir)."""
    from click.testing import CliRunner

    from dateline.cli import main

    data = tmp_path_factory.mktemp("reuters")
    result = CliRunner().invoke(main, ["import", str(REUTERS), "--data", str(data)])
    assert result.exit_code == 0, result.output
    return result.output, data


@pytest.fixture(scope="module")
def reuters_items(reuters_archive):
    from dateline.index.store import Archive

    archive = Archive.open(reuters_archive[1])
    items = {i.metadata["newid"]: i for i in archive.iter_items()}
    archive.close()
    return items


def test_every_record_is_imported(reuters_archive, reuters_items):
    output, _ = reuters_archive
    # 323 records; one (NEWID 12793, line 36 of the slice's reut2-012.sgm) has an empty <TEXT>:
    # neither title nor body.
    assert "total: 322 added, 0 updated, 0 unchanged, 1 rejected" in output
    assert "reut2-012.sgm:36: item has neither title nor body" in output
    assert len(reuters_items) == 322 and "12793" not in reuters_items


def test_first_record(reuters_items):
    item = reuters_items["1"]
    assert (item.source, item.title, item.dateline) == ("Reuters", "BAHIA COCOA REVIEW", "Salvador")
    assert (item.date, item.date_precision, item.year_inferred) == ("1987-02-26", "day", False)
    assert item.dateline_text == "SALVADOR, Feb 26 -"
    assert item.body.startswith("Showers continued throughout the week in the Bahia cocoa zone,")
    assert item.body.endswith("Brazilian Cocoa Trade Commission after carnival which ends midday on February 27.")
    assert item.metadata["topics"] == ["cocoa"] and item.metadata["places"] == ["el-salvador", "usa", "uruguay"]
    assert item.metadata["time"] == "15:01:01.79"


def test_entities_are_decoded_and_control_characters_dropped(reuters_items):
    item = reuters_items["2"]
    assert item.title == "STANDARD OIL <SRD> TO FORM FINANCIAL UNIT"
    assert item.dateline == "Cleveland"
    assert not any("&lt;" in i.body or "&#3;" in i.body or "\x03" in i.body for i in reuters_items.values())


def test_places_with_states_and_countries(reuters_items):
    datelines = {i.dateline_text: i.dateline for i in reuters_items.values() if i.dateline_text}
    assert datelines["SANTA CRUZ, Calif., Feb 26 -"] == "Santa Cruz, Calif."
    assert datelines["LONDON, June 2 -"] == "London"


def test_dates_with_noise_around_them(reuters_items):
    """<DATE>s padded with spaces, trailed by desk codes or a comment, or with hour 605: the day is read."""
    dates = {n: reuters_items[n].date for n in ("884", "996", "10506", "15370", "17192")}
    assert dates == {"884": "1987-03-03", "996": "1987-03-03", "10506": "1987-03-27", "15370": "1987-04-09",
                     "17192": "1987-03-31"}


def test_a_story_is_dated_by_its_datelines_day_not_the_gmt_stamp(reuters_items):
    """"JAKARTA, March 2 -" is stamped 1 March 21:37 GMT: the story's day is its dateline's, and
    the stamp's is kept; a dateline on the stamp's day changes nothing."""
    jakarta = reuters_items["254"]
    assert (jakarta.dateline_text, jakarta.date, jakarta.metadata["stamp_date"]) == (
        "JAKARTA, March 2 -", "1987-03-02", "1987-03-01")
    santa_cruz = next(i for i in reuters_items.values() if i.dateline_text == "SANTA CRUZ, Calif., Feb 26 -")
    assert santa_cruz.date == "1987-02-26" and "stamp_date" not in santa_cruz.metadata


def test_the_bodys_first_words_caught_in_the_dateline_go_back_to_the_body(reuters_items):
    [rio] = [i for i in reuters_items.values() if i.dateline_text.startswith("RIO DE JANEIRO, Feb 26")
             and "Cruzado" in i.body]
    assert rio.dateline_text == "RIO DE JANEIRO, Feb 26 -" and rio.dateline == "Rio De Janeiro"
    assert rio.body.startswith('Brazil\'s "Cruzado" anti-inflation plan, initially hailed')


def test_latin1_file(reuters_items):
    """reut2-017.sgm holds a byte (0xFC) that is not UTF-8; it is read as latin-1 'ü'."""
    assert any("ü" in i.body for i in reuters_items.values() if "reut2-017" in i.origin)


def test_briefs_have_titles_only(reuters_items):
    briefs = [i for i in reuters_items.values() if i.metadata["text_type"] == "BRIEF"]
    assert briefs and all(i.title and not i.body for i in briefs)


def test_export_round_trip_reproduces_the_archive(reuters_archive, tmp_path):
    """Export, import the export into an empty archive, export again: identical."""
    from click.testing import CliRunner

    from dateline.cli import main

    runner = CliRunner()
    _, data = reuters_archive
    first = runner.invoke(main, ["export", "--data", str(data)]).output
    dump = tmp_path / "reuters.jsonl"
    dump.write_text(first, encoding="utf-8")
    fresh = tmp_path / "fresh"
    result = runner.invoke(main, ["import", str(dump), "--data", str(fresh)])
    assert "322 added, 0 updated, 0 unchanged, 0 rejected" in result.output
    assert runner.invoke(main, ["export", "--data", str(fresh)]).output == first
    assert json.loads(first.splitlines()[0])["dateline_text"]
