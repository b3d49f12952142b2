"""As-of questions with the real model: with a `to` date newer items rank higher, counting back
from it; a question asking for the latest shows its most relevant items newest first."""
from __future__ import annotations

import json

import pytest

from dateline.index.build import build_index
from dateline.index.ingest import parse_file
from dateline.index.store import Archive
from dateline.qa.engine import Engine

# The same story told on five days, each in other words (so no two fold into one story), plus
# unrelated items. Every council item matches the question about as well as the others.
COUNCIL = [
    ("2021-03-01", "Council weighs budget for new harbour bridge",
     "The city council began debating the budget for the new harbour bridge on Monday."),
    ("2021-03-08", "Harbour bridge budget divides councillors",
     "Councillors argued over the harbour bridge budget, with a vote expected later this month."),
    ("2021-03-15", "Vote on bridge spending delayed",
     "The council postponed its vote on spending for the harbour bridge after a long session."),
    ("2021-03-22", "Council approves harbour bridge budget",
     "The city council approved the harbour bridge budget by nine votes to four on Monday."),
    ("2021-03-29", "Bridge budget challenged in court",
     "Residents filed a court challenge against the council's harbour bridge budget."),
]
OTHER = [
    ("2021-03-10", "Storm closes ferry routes", "A winter storm closed every ferry route for two days."),
    ("2021-03-20", "School opens new library", "The secondary school opened a library with ten thousand books."),
    # The newest item: the council and a budget, but not the bridge's.
    ("2021-04-05", "Council sets school library budget",
     "The city council set next year's budget for the school library on Monday."),
]


@pytest.fixture(scope="module")
def council_data(tmp_path_factory):
    data = tmp_path_factory.mktemp("recency") / "data"
    path = data.parent / "council.jsonl"
    rows = [{"id": f"c{i}", "source": "Harbour Gazette", "dateline": "Port Town", "date": date, "title": title,
             "body": body} for i, (date, title, body) in enumerate(COUNCIL + OTHER)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    archive = Archive.open(data)
    fmt, parsed = parse_file(path)
    archive.import_items(str(path), fmt, parsed.items, parsed.rejections)
    archive.close()
    build_index(data)
    return data


def _ranked(passages) -> list[str]:
    return list(dict.fromkeys(p.item.id for p in passages))


@pytest.mark.slow
def test_a_to_date_puts_the_newest_item_up_to_it_first(council_data):
    engine = Engine(council_data)
    q = "What happened with the harbour bridge budget?"
    ranked = _ranked(engine.search(q, date_to="2021-03-16", k=5))
    assert ranked[:3] == ["c2", "c1", "c0"]  # 15, 8 and 1 March: newest first, none after the 16th
    answer = engine.ask(q, date_to="2021-03-16")
    assert answer.found and "counting back from 2021-03-16" in " ".join(answer.notes)


@pytest.mark.slow
def test_latest_shows_the_most_relevant_items_newest_first(council_data):
    engine = Engine(council_data)
    ranked = _ranked(engine.search("What is the latest on the harbour bridge budget?", k=5))
    # The five bridge items, 29 March back to 1 March; the newer library budget is not among them.
    assert ranked == ["c4", "c3", "c2", "c1", "c0"]
    answer = engine.ask("What is the latest on the harbour bridge budget?", top_k=3)
    assert answer.found and {c.item_id for c in answer.citations} <= {"c0", "c1", "c2", "c3", "c4"}
    assert any("newest first" in n for n in answer.notes)
    # Without an as-of word or date, recency plays no part and says nothing.
    plain = engine.ask("What happened with the harbour bridge budget?")
    assert not any("newer items rank higher" in n or "newest first" in n for n in plain.notes)


@pytest.mark.slow
def test_a_named_period_wins_over_recency(council_data):
    engine = Engine(council_data)
    # "on 8 March" names a period: no recency, whatever the request's `to` date.
    answer = engine.ask("What did the council argue about the harbour bridge budget on 8 March?",
                        date_to="2021-03-31")
    assert not any("newer items rank higher" in n or "newest first" in n for n in answer.notes)
    latest = engine.ask("What is the latest on the harbour bridge budget in March 2021?")
    assert not any("newer items rank higher" in n or "newest first" in n for n in latest.notes)


@pytest.mark.slow
def test_latest_on_a_topic_is_answered_by_the_item_on_it_not_the_newest(web_data):
    # The sample's newest item (22 Aug) is about retirees; the one on sanctions is of 20 June.
    # Recency reorders what is relevant; it does not decide whether the archive answers.
    answer = Engine(web_data).ask("What is the latest on sanctions?")
    assert answer.found, answer.answer
    assert answer.citations[0].item_id == "be5ec547bd183ba0" and "Sanctions" in answer.answer
