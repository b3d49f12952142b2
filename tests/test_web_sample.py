"""The API with the real model on the sample archive (plus one hostile item): cited answers,
follow-ups, filters, items, status; escaping of untrusted item text on the item page."""
from __future__ import annotations

import re

import pytest

from conftest import HOSTILE
from dateline.web import create_app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(web_data):
    return create_app({"DATA_DIR": str(web_data), "TESTING": True}).test_client()


def _ask(client, **body) -> dict:
    r = client.post("/api/ask", json=body)
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


def test_answer_cites_verbatim_excerpts_with_date_and_dateline(client):
    data = _ask(client, question="How many political prisoners were murdered in the 1988 massacre?")
    assert data["found"] is True
    assert "30,000" in data["answer"]
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", data["answer"])}
    assert markers and markers <= {c["n"] for c in data["citations"]}
    first = data["citations"][0]
    assert first["dateline"] == "London" and first["date"] == "2017-06-28"
    assert first["date_display"].startswith("28 Jun 2017")  # "?" marks the inferred year
    for c in data["citations"]:
        assert c["date_display"]
        item = client.get(f"/api/items/{c['item_id']}").get_json()
        field = c.get("excerpt_field", "body")  # a headline-only item is cited by its title
        assert item[field][c["start"]:c["end"]] == c["excerpt"] or (field == "title" and item["title"] == c["excerpt"])
    assert set(data["filters"]) == {"date_from", "date_to", "source", "place"}


def test_related_items_come_apart_from_the_citations(client):
    data = _ask(client, question="Who sponsored a resolution condemning the 1988 massacre?")
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", data["answer"])}
    assert markers == {c["n"] for c in data["citations"]} == {1}
    assert [c["item_id"] for c in data["citations"]] == ["db3f4be049b17f96"]
    assert len(data["related"]) == 4 and all("n" not in r for r in data["related"])
    for r in data["related"]:
        item = client.get(f"/api/items/{r['item_id']}").get_json()
        assert item[r["excerpt_field"]][r["start"]:r["end"]] == r["excerpt"] or item["title"] == r["excerpt"]
        assert r["date_display"] and "dateline" in r


def test_broad_and_dated_questions_are_answered(client):
    data = _ask(client, question="What happened in Tehran in June 2017?")
    assert data["found"] and "c40f2ae6b14ee70c" in {c["item_id"] for c in data["citations"]}
    assert all(re.match(r"\d{1,2} Jun 2017\??, London: .+ \[\d+\]$", line) for line in data["answer"].split("\n"))
    data = _ask(client, question="Which rift inside the regime was reported on June 23?")
    assert data["found"] and "1430727e23d8d63e" in {c["item_id"] for c in data["citations"] + data["related"]}
    data = _ask(client, question="Who won the football match between Arsenal and Chelsea?")
    assert not data["found"] and data["citations"] == [] and data["related"] == []


def test_follow_up_uses_the_history(client):
    first = _ask(client, question="Who sponsored the resolution condemning the 1988 massacre?")
    follow = _ask(client, question="Who reported it?",
                  history=[{"question": first["question"], "answer": first}])
    assert follow["found"] and "Iran Focus" in follow["answer"]
    assert {c["item_id"] for c in follow["citations"]} & {c["item_id"] for c in first["citations"]}


def test_tell_me_more_reads_on_past_what_was_shown(client, web_data):
    """"Tell me more" shows the item's text after the excerpt the answer showed, verbatim, not the
    same sentence again; at the item's end it says so; "the second one" names a citation."""
    from dateline.qa.engine import Engine
    first = _ask(client, question="Who sponsored the resolution condemning the 1988 massacre?")
    lead = first["citations"][0]
    more = _ask(client, question="Tell me more", history=[{"question": first["question"], "answer": first}])
    assert more["found"] and len(more["citations"]) == 1
    cited = more["citations"][0]
    body = Engine(web_data).get_item(lead["item_id"]).body
    assert cited["item_id"] == lead["item_id"] and cited["start"] >= lead["end"]
    assert cited["excerpt"] == body[cited["start"]:cited["end"]] and cited["excerpt"].startswith("Unlike much in Congress")
    assert "Forty-Six" not in more["answer"] and more["answer"].endswith("[1]")
    assert any("after what it showed" in n for n in more["notes"])
    history = [{"question": first["question"], "answer": first}, {"question": "Tell me more", "answer": more}]
    again = _ask(client, question="More?", history=history)
    if again["found"]:  # the next passage, never the one just shown
        assert again["citations"][0]["start"] >= cited["end"]
    else:
        assert again["answer"] == "The items the previous answer cited say no more after what it showed."
    wrong = _ask(client, question="Tell me more about the third one", history=history)
    assert not wrong["found"] and wrong["answer"] == "The previous answer has no source [3]: it cites only [1]."


def test_request_filters_limit_the_citations(client):
    data = _ask(client, question="What did Khamenei say about Rouhani?", date_from="2017-06-22", date_to="2017-06-22",
                source="Iran Focus")
    assert data["filters"]["date_from"] == "2017-06-22" and data["filters"]["source"] == "Iran Focus"
    assert data["citations"] and all(c["date"] == "2017-06-22" for c in data["citations"])
    assert all(c["source"] == "Iran Focus" for c in data["citations"])


def test_search_status_and_items(client):
    r = client.get("/api/search?q=European+Parliament+human+rights&k=3")
    assert r.status_code == 200
    passages = r.get_json()["passages"]
    assert 1 <= len(passages) <= 3 and "European Parliament" in " ".join(p["text"] for p in passages)
    status = client.get("/api/status").get_json()
    assert status["items"] >= 20 and status["chunks"] >= status["items"]
    assert status["generation"] and status["model"] and status["date_from"] <= status["date_to"]
    assert status["reindex"] == {"enabled": False, "running": False}
    r = client.get("/api/items/no-such-item")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
    # The item page a browser opens fails as a page, with the way back to the chat.
    r = client.get("/items/no-such-item")
    assert r.status_code == 404 and r.mimetype == "text/html"
    page = r.get_data(as_text=True)
    assert "No such item" in page and "no item with id &#39;no-such-item&#39;" in page and 'href="/"' in page
    r = client.get("/items/no-such-item?start=x")
    assert r.status_code == 422 and r.mimetype == "text/html" and "start" in r.get_data(as_text=True)


def test_hostile_item_text_is_escaped_on_the_item_page(client):
    data = _ask(client, question="Why did the Zanzibar ferry company cancel the crossings?")
    cited = next(c for c in data["citations"] if c["item_id"] == HOSTILE["id"])
    r = client.get(f"/items/{cited['item_id']}?start={cited['start']}&end={cited['end']}")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "<mark" in page
    assert "<script>window" not in page and "<img src=x" not in page and "javascript:" not in page
    assert "&lt;script&gt;window.__pwned" in page and "&lt;img src=x onerror=" in page
    # The API returns the text as it is: JSON is data, the page is where it must be escaped.
    assert client.get(f"/api/items/{HOSTILE['id']}").get_json()["body"] == HOSTILE["body"]


def test_a_misspelt_source_says_so_and_names_the_source_meant(client):
    data = _ask(client, question="What happened in June?", source="Iran Fokus")
    assert data["found"] is False and data["citations"] == []
    assert 'no item has source "Iran Fokus": did you mean "Iran Focus"?' in data["notes"]
    assert not any(n.startswith("no item") for n in _ask(client, question="protests", source="iran focus")["notes"])
