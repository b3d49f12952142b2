"""The sample archive (a plain-text dump) imports as its 17 articles and 17 headlines."""
import json

import pytest

from conftest import SEED


@pytest.fixture
def seed_items(cli):
    result = cli("import", str(SEED))
    assert result.exit_code == 0, result.output
    assert "34 added, 0 updated, 0 unchanged, 0 rejected" in result.output
    exported = cli("export")
    return [json.loads(line) for line in exported.output.splitlines()]


def _by_title(items, start):
    [item] = [i for i in items if i["title"].startswith(start)]
    return item


def test_seventeen_articles_and_seventeen_headlines(seed_items):
    articles = [i for i in seed_items if i["body"]]
    headlines = [i for i in seed_items if not i["body"]]
    assert len(articles) == 17 and len(headlines) == 17
    assert {i["source"] for i in seed_items} == {"Iran Focus"}
    assert all(i["dateline"] == "London" for i in articles)
    # June items come out in 2017: the file's latest full date is 22 August 2017.
    assert all(i["date"].startswith("2017-06-") and i["year_inferred"] for i in articles)


def test_first_article(seed_items):
    item = _by_title(seed_items, "Political prisoners have always embodied")
    assert item["date"] == "2017-06-30"
    assert " ".join(item["dateline_text"].split()) == "London, 30 Jun -"  # verbatim: the file has a no-break space
    assert item["date_precision"] == "day"
    assert item["title_derived"] is True
    assert item["body"].startswith("Political prisoners have always embodied")
    assert item["body"].endswith("from inside their prisons.")
    assert "\n\nAs the Iranian opposition" in item["body"]
    assert item["origin"].endswith(":3")


def test_three_paragraph_article_keeps_all_paragraphs(seed_items):
    item = _by_title(seed_items, "That 1,000 missiles were launched")
    assert item["date"] == "2017-06-23"
    assert item["body"].count("\n\n") == 2
    assert item["body"].endswith("sent a message.”")


def test_dated_headlines(seed_items):
    retirees = _by_title(seed_items, "Iran 22 August 2017: Hundreds of retirees")
    assert (retirees["date"], retirees["year_inferred"], retirees["dateline"]) == ("2017-08-22", False, "Iran")
    kazerun = _by_title(seed_items, "Public execution in Kazerun")
    assert (kazerun["date"], kazerun["year_inferred"]) == ("2016-08-11", False)
    # 23 November 2017 would be after the file's latest date, so the year is 2016.
    qeshm = _by_title(seed_items, "Iran: Execution of four young men")
    assert (qeshm["date"], qeshm["year_inferred"], qeshm["dateline"]) == ("2016-11-23", True, "Iran")


def test_headline_places_and_undated_headlines(seed_items):
    assert _by_title(seed_items, "Vienna: Iranians Rally")["dateline"] == "Vienna"
    assert _by_title(seed_items, "Tehran: Widespread Protests")["dateline"] == "Tehran"
    assert _by_title(seed_items, "Iran, Khuzestan Province:")["dateline"] == "Iran, Khuzestan Province"
    untold = _by_title(seed_items, "The untold story of the 1988 Massacre")
    assert untold["date"] is None and untold["dateline"] == ""


def test_year_option_overrides_inference(cli):
    result = cli("import", str(SEED), "--year", "2015")
    assert result.exit_code == 0
    items = [json.loads(line) for line in cli("export").output.splitlines()]
    item = _by_title(items, "Political prisoners have always embodied")
    assert item["date"] == "2015-06-30" and item["metadata"]["year_from"] == "--year option"


def test_a_dateline_with_its_year_dates_the_item_and_lends_the_year_to_the_others(cli, tmp_path):
    path = tmp_path / "gazette.txt"
    path.write_text("Harbor Gazette\n\n"
                    "Leeds, 2 Feb - A second ferry was announced.\n\n"
                    "Portsmouth, 3 March 2021 - The harbour authority announced a ferry line.\n\n"
                    "Dover, 31 Feb 2021 - An impossible day.\n\n"
                    "Hull, 5 Mar - The ferry's first crossing.\n\n"
                    "York, 6 Dec - A year-end notice.\n", encoding="utf-8")
    result = cli("import", str(path))
    assert "4 added, 0 updated, 0 unchanged, 1 rejected" in result.output, result.output
    assert "gazette.txt:7: dateline 'Dover, 31 Feb 2021 -': impossible date 2021-02-31" in result.output
    items = [json.loads(line) for line in cli("export").output.splitlines()]
    portsmouth = _by_title(items, "The harbour authority")
    assert (portsmouth["date"], portsmouth["year_inferred"], portsmouth["dateline"]) == ("2021-03-03", False, "Portsmouth")
    leeds = _by_title(items, "A second ferry")
    assert (leeds["date"], leeds["year_inferred"]) == ("2021-02-02", True)
    # Two days after the file's latest full date is the same year; months after, the year before.
    assert _by_title(items, "The ferry's first crossing")["date"] == "2021-03-05"
    assert _by_title(items, "A year-end notice")["date"] == "2020-12-06"


def test_reimport_changes_nothing_and_says_so(cli):
    cli("import", str(SEED))
    again = cli("import", str(SEED))
    assert "0 added, 0 updated, 34 unchanged, 0 rejected - nothing changed" in again.output


def test_changed_text_is_an_update_of_the_same_item(cli, tmp_path):
    cli("import", str(SEED))
    before = {i["id"]: i for i in map(json.loads, cli("export").output.splitlines())}
    edited = tmp_path / "seed.txt"
    text = SEED.read_text(encoding="utf-8")
    edited.write_text(text.replace("from inside their prisons.", "from inside their prisons, it said."),
                      encoding="utf-8")
    result = cli("import", str(edited))
    assert "0 added, 1 updated, 33 unchanged" in result.output
    after = {i["id"]: i for i in map(json.loads, cli("export").output.splitlines())}
    assert after.keys() == before.keys()
    [changed] = [k for k in after if after[k]["body"] != before[k]["body"]]
    assert after[changed]["body"].endswith("it said.")


def test_status_shows_counts_sources_dates_and_imports(cli):
    cli("import", str(SEED))
    info = json.loads(cli("status", "--json").output)
    assert info["items"] == 34
    assert info["sources"] == [{"source": "Iran Focus", "items": 34}]
    assert (info["date_from"], info["date_to"]) == ("2016-08-11", "2017-08-22")
    assert info["imports"][0]["added"] == 34
    human = cli("status").output
    assert "items: 34" in human and "Iran Focus (34)" in human


def test_remove_by_id_and_by_source(cli):
    cli("import", str(SEED))
    first = json.loads(cli("export").output.splitlines()[0])
    assert "removed 1 item" in cli("remove", first["id"]).output
    assert json.loads(cli("status", "--json").output)["items"] == 33
    # An id no item has is named, and nothing removed is a failure.
    again = cli("remove", first["id"])
    assert again.exit_code == 1 and f"no item has the id {first['id']}" in again.output
    # A source is named in any case, as a question's --source names it.
    assert len(cli("export", "--source", "IRAN FOCUS").output.splitlines()) == 33
    assert "removed 33 items (33 of Iran Focus)" in cli("remove", "--source", "iran focus").output
    assert json.loads(cli("status", "--json").output)["items"] == 0
