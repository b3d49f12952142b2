"""One request model: the CLI, the engine and the API refuse the same mistake with the same code
and message, and the OpenAPI document and the chat page state the model's limits."""
from __future__ import annotations

import re

import pytest

from dateline.index.item import Item
from dateline.qa.answer import Answer, citation_for, related_for
from dateline.qa.engine import Engine
from dateline.qa.query import Filters
from dateline.qa.request import (MAX_FILTER_CHARS, MAX_HISTORY_ENTRIES, MAX_QUESTION_CHARS, MAX_SEARCH_K,
                                 MAX_TOP_K, FieldError)
from dateline.qa.retrieve import Passage
from dateline.web import create_app
from dateline.web.models import AnswerOut, CitationOut, ItemOut, PassageOut, RelatedOut
from dateline.web.openapi import document


class NoEngine:
    """An engine the app must never reach: every request below is refused before it is asked."""

    def __getattr__(self, name):
        raise AssertionError(f"the engine was called ({name}) for a request the model refuses")


@pytest.fixture
def client(tmp_path):
    app = create_app({"TESTING": True, "ENGINE": NoEngine(), "DATA_DIR": str(tmp_path / "data")})
    return app.test_client()


# (the request's fields, the same on `dateline ask`, the field blamed, its code)
MISTAKES = [
    ({"question": "x", "top_k": 0}, ["x", "--top-k", "0"], "top_k", "invalid_field"),
    ({"question": "x", "top_k": MAX_TOP_K + 1}, ["x", "--top-k", str(MAX_TOP_K + 1)], "top_k", "invalid_field"),
    ({"question": "x" * (MAX_QUESTION_CHARS + 1)}, ["x" * (MAX_QUESTION_CHARS + 1)], "question", "invalid_field"),
    ({"question": "   "}, ["   "], "question", "missing_field"),
    ({"question": "x", "date_from": "someday"}, ["x", "--from", "someday"], "date_from", "invalid_field"),
    ({"question": "x", "date_to": "2017-02-30"}, ["x", "--to", "2017-02-30"], "date_to", "invalid_field"),
    ({"question": "x", "date_from": "2017-07", "date_to": "2017-06"}, ["x", "--from", "2017-07", "--to", "2017-06"],
     "date_to", "invalid_field"),
    ({"question": "x", "place": "p" * (MAX_FILTER_CHARS + 1)}, ["x", "--place", "p" * (MAX_FILTER_CHARS + 1)],
     "place", "invalid_field"),
]


@pytest.mark.parametrize("body, argv, field, code", MISTAKES, ids=lambda v: v if isinstance(v, str) else None)
def test_cli_engine_and_api_refuse_a_mistake_alike(client, cli, data_dir, body, argv, field, code):
    r = client.post("/api/ask", json=body)
    assert r.status_code == 422
    error = r.get_json()["error"]
    assert error["code"] == code and error["field"] == field and f"`{field}`" in error["message"]

    with pytest.raises(FieldError) as e:
        Engine(data_dir).ask(**body)
    assert (e.value.code, e.value.field, e.value.message, e.value.status) == (code, field, error["message"], 422)

    # The command line names the option that was wrong where the API names the field.
    result = cli("ask", *argv)
    assert result.exit_code == 1
    options = {"`top_k`": "--top-k", "`date_from`": "--from", "`date_to`": "--to", "`place`": "--place"}
    expected = error["message"]
    for name, option in options.items():
        expected = expected.replace(name, option)
    assert result.output.strip().splitlines() == [f"Error: {expected}"]


def test_search_k_is_refused_alike_by_the_engine_and_the_api(client, data_dir):
    error = client.get(f"/api/search?q=x&k={MAX_SEARCH_K + 1}").get_json()["error"]
    with pytest.raises(FieldError) as e:
        Engine(data_dir).search("x", k=MAX_SEARCH_K + 1)
    assert (e.value.code, e.value.field, e.value.message) == (error["code"], "k", error["message"])
    assert error["message"] == f"`k` must be from 1 to {MAX_SEARCH_K}, got {MAX_SEARCH_K + 1}"


def test_the_document_and_the_chat_page_state_the_models_limits(client):
    doc = document(max_request_bytes=1)
    props = doc["components"]["schemas"]["AskRequest"]["properties"]
    assert props["question"]["maxLength"] == MAX_QUESTION_CHARS
    assert props["top_k"]["maximum"] == MAX_TOP_K and props["top_k"]["minimum"] == 1
    assert props["history"]["maxItems"] == MAX_HISTORY_ENTRIES
    assert props["source"]["maxLength"] == props["place"]["maxLength"] == MAX_FILTER_CHARS
    search = {p["name"]: p["schema"] for p in doc["paths"]["/api/search"]["get"]["parameters"]}
    assert search["k"]["maximum"] == MAX_SEARCH_K and search["q"]["maxLength"] == MAX_QUESTION_CHARS
    page = client.get("/").get_data(as_text=True)
    assert re.search(rf'id="question"[^>]*maxlength="{MAX_QUESTION_CHARS}"', page)
    assert f'maxlength="{MAX_FILTER_CHARS}"' in page


def test_the_documented_date_pattern_admits_exactly_the_days_that_exist(client):
    """A request that follows the schema is never refused for its dates: the pattern the document
    states admits a day only if the calendar has it (a fuzzer sent date_to "6400-04-31")."""
    import datetime as dt

    doc = document(max_request_bytes=1)
    pattern = re.compile(doc["components"]["schemas"]["AskRequest"]["properties"]["date_to"]["pattern"])
    for year in (1900, 1987, 2000, 2023, 2024, 6400):
        for month in range(1, 13):
            assert pattern.fullmatch(f"{year}-{month:02d}") and pattern.fullmatch(str(year))
            for day in range(1, 32):
                try:
                    exists = bool(dt.date(year, month, day))
                except ValueError:
                    exists = False
                assert bool(pattern.fullmatch(f"{year}-{month:02d}-{day:02d}")) == exists, (year, month, day)
    for not_a_date in ("0999", "1987-00", "1987-13", "1987-1", "87-01-01", "1987-01-01T00"):
        assert not pattern.fullmatch(not_a_date)
    refused = client.post("/api/ask", json={"question": "q", "date_to": "6400-04-31"})
    assert refused.status_code == 422 and refused.get_json()["error"]["field"] == "date_to"


def test_response_models_name_every_key_the_json_has():
    item = Item(source="Iran Focus", title="Rift", body="London - The rift widens.", dateline="London",
                date="2017-06-22", date_precision="day").finish()
    copy = Item(source="Wire", title="Rift", body="The rift widens.", url="https://example.org/rift").finish()
    answer = Answer(question="q", answer="The rift widens. [1]", found=True,
                    citations=[citation_for(1, item, 9, 25, 0.5, also_in=[copy])], filters=Filters(),
                    related=[related_for(copy, 0, 16, 0.4)])
    d = answer.to_dict()
    AnswerOut.model_validate(d)
    assert set(d) == set(AnswerOut.model_fields)
    assert set(d["citations"][0]) == set(CitationOut.model_fields)
    assert set(d["related"][0]) == set(RelatedOut.model_fields)
    passage = Passage(chunk_id=1, item=item, start=9, end=25, score=0.5, also_in=[copy]).to_dict()
    PassageOut.model_validate(passage)
    assert set(passage) == set(PassageOut.model_fields)
    ItemOut.model_validate(item.to_record())
    assert set(item.to_record()) == set(ItemOut.model_fields)
