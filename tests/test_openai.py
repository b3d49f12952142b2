"""The OpenAI-compatible endpoints with the official `openai` client against `dateline serve`.

One server on the sample archive with API keys set: models, a completion and its stream, a
follow-up that sends back the assistant message it got, filters through ``extra_body``, bad
requests and missing keys in the protocol's error shape; `/api/ask` with role/content history.
"""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import openai
import pytest

from conftest import dateline_process

pytestmark = pytest.mark.slow

KEY = "reader-key-2"
TERZI = "Which former Italian foreign minister wrote for Fox News?"
MASSACRE = "Who sponsored a resolution condemning the 1988 massacre?"


@pytest.fixture(scope="module")
def server(web_data):
    env = {"DATELINE_API_KEYS": f"reader-key-1, {KEY}", "DATELINE_PUBLIC_URL": ""}
    with dateline_process("serve", "--data", str(web_data), "--workers", "1", env=env) as url:
        yield url


@pytest.fixture(scope="module")
def client(server):
    return openai.OpenAI(base_url=server + "/v1", api_key=KEY, max_retries=0, timeout=60)


def _get(server: str, path: str, key: str | None = KEY) -> dict:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    with urllib.request.urlopen(urllib.request.Request(server + path, headers=headers), timeout=60) as r:
        return json.load(r)


def _sources(content: str) -> list[tuple[int, str]]:
    """The numbered sources list of a Markdown answer: (n, item id) per line."""
    _, found, sources = content.partition("\n\n**Sources**\n\n")
    assert found, content
    return [(int(n), item_id) for n, item_id in re.findall(r"^(\d+)\. .+\]\(http://[^)]+/items/([^)]+)\)$",
                                                             sources, re.MULTILINE)]


def test_models_list_the_one_model(client):
    assert [m.id for m in client.models.list()] == ["dateline"]
    assert client.models.retrieve("dateline").owned_by == "dateline"


def test_a_completion_answers_in_markdown_with_the_citations_beside_it(client, server):
    reply = client.chat.completions.create(model="dateline", messages=[{"role": "user", "content": TERZI}])
    content = reply.choices[0].message.content
    assert reply.choices[0].finish_reason == "stop" and reply.model == "dateline"
    assert content.startswith("Giulio Terzi") and "[1]" in content.split("**Sources**")[0]
    citations = reply.model_extra["citations"]
    assert _sources(content) == [(c["n"], c["item_id"]) for c in citations]
    assert "Iran Focus · London · 19 Jun 2017" in content
    for c in citations:  # the structured citations are verbatim spans of the stored items
        item = _get(server, f"/api/items/{c['item_id']}")
        assert item["body"][c["start"]:c["end"]] == c["excerpt"] and item["date"] == c["date"]
    assert reply.model_extra["answer"]["citations"] == citations


def test_a_completion_says_under_the_answer_what_to_check(client):
    # The demo archive's Qeshm story is of November 2016 and never mentions 2015.
    reply = client.chat.completions.create(model="dateline", messages=[
        {"role": "user", "content": "How many people were executed in Qeshm in 2015?"}])
    text, _ = reply.choices[0].message.content.split("\n\n**Sources**\n\n")
    answer, check = text.split("\n\n")
    assert "Qeshm" in answer and check == "> Check: the story quoted first does not mention 2015"


def test_the_stream_carries_the_same_answer_in_chunks(client):
    plain = client.chat.completions.create(model="dateline", messages=[{"role": "user", "content": TERZI}])
    chunks = list(client.chat.completions.create(model="dateline", stream=True,
                                                 messages=[{"role": "user", "content": TERZI}]))
    assert len(chunks) > 3 and chunks[0].choices[0].delta.role == "assistant"
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == plain.choices[0].message.content
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert [c["item_id"] for c in chunks[-1].model_extra["citations"]] == \
        [c["item_id"] for c in plain.model_extra["citations"]]


def test_a_follow_up_finds_the_items_the_returned_message_cited(client):
    first = client.chat.completions.create(model="dateline", messages=[{"role": "user", "content": TERZI}])
    cited = first.model_extra["citations"][0]["item_id"]
    follow_up = client.chat.completions.create(model="dateline", messages=[
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": TERZI},
        {"role": "assistant", "content": first.choices[0].message.content},
        {"role": "user", "content": "Which advisory board is he on?"},
    ])
    answer = follow_up.model_extra["answer"]
    assert any(note.startswith("follow-up of") for note in answer["notes"])
    assert answer["citations"][0]["item_id"] == cited
    assert "Advisory Board" in follow_up.choices[0].message.content


def test_tell_me_more_reads_on_from_the_sentence_the_returned_message_quoted(client):
    """A chat client sends back the Markdown text, not the excerpts' offsets: "Tell me more"
    finds the quoted sentence in the cited item and goes on from its end."""
    first = client.chat.completions.create(model="dateline", messages=[{"role": "user", "content": MASSACRE}])
    assert first.choices[0].message.content.startswith("Forty-Six US Congressmen")
    more = client.chat.completions.create(model="dateline", messages=[
        {"role": "user", "content": MASSACRE},
        {"role": "assistant", "content": first.choices[0].message.content},
        {"role": "user", "content": "Tell me more"},
    ])
    answer = more.model_extra["answer"]
    assert answer["found"] and answer["citations"][0]["item_id"] == first.model_extra["citations"][0]["item_id"]
    assert answer["answer"].startswith("Unlike much in Congress nowadays, Resolution 188")


def test_filters_ride_in_extra_body(client):
    reply = client.chat.completions.create(
        model="dateline", messages=[{"role": "user", "content": "What did the European Parliament say about Iran?"}],
        extra_body={"date_from": "2017-06-27", "date_to": "2017-06-30", "top_k": 2})
    answer = reply.model_extra["answer"]
    assert answer["filters"]["date_from"] == "2017-06-27" and answer["filters"]["date_to"] == "2017-06-30"
    shown = answer["citations"] + answer["related"]
    assert shown and len(shown) <= 2 and all("2017-06-27" <= c["date"] <= "2017-06-30" for c in shown)


def test_bad_requests_get_the_protocols_errors(client):
    with pytest.raises(openai.UnprocessableEntityError) as e:
        client.chat.completions.create(model="dateline", messages=[{"role": "user", "content": "oil"}],
                                       extra_body={"top_k": 0})
    assert e.value.body["param"] == "top_k" and "from 1 to 20" in e.value.body["message"]
    with pytest.raises(openai.UnprocessableEntityError) as e:
        client.chat.completions.create(model="dateline", messages=[{"role": "assistant", "content": "hi"}])
    assert e.value.body["param"] == "messages[0].role"
    with pytest.raises(openai.UnprocessableEntityError) as e:
        client.chat.completions.create(model="dateline", messages=[{"role": "user", "content": "x" * 1001}])
    assert e.value.body["param"] == "messages[0].content"
    with pytest.raises(openai.NotFoundError) as e:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "oil"}])
    assert e.value.body["code"] == "model_not_found" and "dateline" in e.value.body["message"]
    assert e.value.body["type"] == "invalid_request_error"


def test_keys_guard_the_api_but_not_status_or_the_pages(server):
    stranger = openai.OpenAI(base_url=server + "/v1", api_key="wrong-key", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as e:
        stranger.chat.completions.create(model="dateline", messages=[{"role": "user", "content": TERZI}])
    assert e.value.body["type"] == "authentication_error" and e.value.body["code"] == "invalid_api_key"
    for key in (None, "wrong-key"):
        for path in ("/v1/models", "/api/search?q=ferry"):
            with pytest.raises(urllib.error.HTTPError) as e:
                _get(server, path, key=key)
            assert e.value.code == 401 and e.value.headers["WWW-Authenticate"].startswith("Bearer")
        with pytest.raises(urllib.error.HTTPError) as e:
            _get(server, "/api/search?q=ferry", key=key)
        assert e.value.code == 401 and json.load(e.value)["error"]["code"] in ("unauthorized", "invalid_api_key")
        assert e.value.headers["WWW-Authenticate"].startswith("Bearer")
    assert _get(server, "/api/status", key=None)["items"] == 35
    with urllib.request.urlopen(server + "/", timeout=30) as r:
        assert r.status == 200 and "text/html" in r.headers["Content-Type"]


def test_api_ask_takes_role_and_content_history(client, server):
    first = client.chat.completions.create(model="dateline", messages=[{"role": "user", "content": TERZI}])
    body = {"question": "Which advisory board is he on?", "history": [
        {"role": "user", "content": TERZI},
        {"role": "assistant", "content": [{"type": "text", "text": first.choices[0].message.content}]}]}
    request = urllib.request.Request(server + "/api/ask", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {KEY}"})
    with urllib.request.urlopen(request, timeout=60) as r:
        answer = json.load(r)
    assert answer["citations"][0]["item_id"] == first.model_extra["citations"][0]["item_id"]
    assert any(note.startswith("follow-up of") for note in answer["notes"])
