"""Hostile requests against the app on the real sample archive (real model): whatever a client
sends, the answer is never a 5xx, a body that claims JSON is strict JSON (no NaN, no lone
surrogate), and no response names a server path or process.

The fuzzing tests drive every endpoint with hostile values in every field, every history field,
every query parameter and path, odd methods and odd headers; the named tests below them pin the
failures a tester found against `dateline serve`, one each.
"""
from __future__ import annotations

import copy
import json
import os
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import HOSTILE, copy_data
from dateline.web import create_app

pytestmark = pytest.mark.slow

TOKEN = "hostile-test-token"
FIRST_QUESTION = "Who sponsored the resolution condemning the 1988 massacre?"

# JSON values a client may put in any field: wrong types, edges, markup, lone surrogates, nesting
# just over the limit, numbers Python would keep but JSON cannot carry (RAW, written verbatim).
VALUES: list[Any] = [
    "\ud800", "tail \udfff", "", "   ", "x" * 3000, "a\x00b", "<script>alert(1)</script>", "²", "-1",
    "NaN", "1e400", "2017-02-30", "../../etc/passwd", None, True, False, 0, -1, 1, 2**63, 10**30,
    1.5, -0.0, 1e308, [], [None], ["\ud800"], {}, {"\ud800": 1}, {"a": {"b": [1, "x"]}},
    json.loads("[" * 40 + "]" * 40),
]
RAW = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1" + "0" * 5000, "1" * 4400 + ".5"]
_MARK = "@@raw@@"

# Whole bodies: not JSON, JSON that is not an object, too deep, numbers JSON cannot carry.
BODIES: list[bytes] = [
    b"[" * 60000, b"{" * 60000, b'{"a":' * 5000 + b"1" + b"}" * 5000, b"NaN", b"Infinity", b"1e400",
    b'{"question": NaN}', b'{"question": "q", "top_k": 1' + b"0" * 5000 + b"}", b"null", b"[]", b'"q"',
    b"1", b"true", b'{"question": "\\ud800"}', b'{"\\udfff": "q"}', b'{"question": "\xed\xa0\x80"}',
    b'\xff\xfe{\x00}\x00', b"\xff\xff\xff", b'{"question": "q",}', b'{"question": "q" "x"}',
    b'{"question": "q", "question": "r"}', b"\x00" * 100, b'{"full": true}', b'{"full": "yes"}',
    '{"question": "Who?"}'.encode("utf-16"), b"",
]
CONTENT_TYPES = [
    "text/plain", "application/json; charset=utf-16", "application/json; charset=bogus",
    "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/JSON",
    "application/json;;;=", "*/*", "application/json, text/html", "\u00ff/\u00fe",
]
# Query and path text, written as sent (percent-encoded): lone surrogates and bytes that are not
# UTF-8, digits that are not ASCII, huge and non-finite numbers, markup, traversal.
QUERY_VALUES = [
    "%ED%A0%80", "%00", "%C2%B2", "%D9%A3", "%FF%FE", "a" * 3000, "-1", "0", "51", "99999999999999999999999",
    "1" * 5000, "1e400", "NaN", "Infinity", "[]", "{}", "", "%20", "2017-02-30", "9999-99", "%3Cscript%3E",
    "..%2F..%2Fetc%2Fpasswd",
]
ITEM_IDS = [
    "%00", "%ED%A0%80", "%FF", "..%2F..%2Fetc%2Fpasswd", "a" * 10000, "%20", "'%3B DROP TABLE items%3B --",
    "%3Cscript%3E", "%E2%80%AE", "x/y/z", "%25", "%C2%B2", HOSTILE["id"] + "%00",
]
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "HEAD"]


@pytest.fixture(scope="module")
def app(web_data, monkeypatch_module):
    # A rebuild per accepted reindex body would run the model once each: the endpoint's own work
    # is tested in test_web_api.py and test_web_reload.py; here only its body handling is.
    monkeypatch_module.setattr("dateline.web.reindex.start", lambda data_dir, full=False: None)
    return create_app({"DATA_DIR": str(web_data), "REINDEX_TOKEN": TOKEN, "RELOAD_INTERVAL": 3600})


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def leaks(web_data) -> list[str]:
    """What no response may carry: the data directory and the imported files' directory."""
    return sorted({str(web_data), str(web_data.resolve()), str(web_data.parent), str(web_data.parent.resolve())})


@pytest.fixture(scope="module")
def follow_up(client) -> dict:
    """A valid follow-up body: one earlier turn with its real answer, then chat messages."""
    first = client.post("/api/ask", json={"question": FIRST_QUESTION})
    assert first.status_code == 200, first.get_data(as_text=True)
    return {"question": "Who reported it?", "date_from": "2017", "date_to": "2017-12-31",
            "source": "Iran Focus", "place": "London", "top_k": 3,
            "history": [{"question": FIRST_QUESTION, "answer": first.get_json()},
                        {"role": "user", "content": "And the resolution?", "name": "reader"},
                        {"role": "assistant", "content": [{"type": "text", "text": "It was sponsored. [1]"}]}]}


def _strict_json(body: bytes) -> Any:
    """``body`` parsed as strict JSON: NaN and Infinity are refused, and so is a lone surrogate."""
    def refuse(name: str):
        raise ValueError(f"{name} is not JSON")

    data = json.loads(body, parse_constant=refuse)
    json.dumps(data, ensure_ascii=False).encode("utf-8")  # UnicodeEncodeError on a lone surrogate
    return data


def check(response, what: str, leaks: list[str]) -> None:
    """Fail on a 5xx, a body that claims JSON but is not strict JSON, an error not in the one
    error shape, or a server path in the body."""
    body = response.get_data()
    response.close()  # a static file's response holds the file open
    shown = f"{what}: {response.status_code} {body[:300]!r}"
    assert response.status_code < 500, shown
    if "json" in (response.mimetype or "") and response.request.method != "HEAD":
        try:
            data = _strict_json(body)
        except ValueError as e:
            pytest.fail(f"{shown}: not strict JSON ({e})")
        if response.status_code >= 400 and response.request.path.startswith("/api"):
            assert set(data) == {"error"} and {"code", "message"} <= set(data["error"]), shown
    text = body.decode("utf-8", "replace")
    for leak in leaks:
        assert leak not in text, f"{shown}: names {leak}"
    assert "Traceback" not in text, shown


def _set(body: dict, path: tuple, value: Any) -> dict:
    """A copy of ``body`` with the value at ``path`` replaced."""
    body = copy.deepcopy(body)
    target = body
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return body


def _paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in ``data`` a value sits, containers included (in the first three history
    entries, and the first element of any other list)."""
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, prefix + (key,))
    elif isinstance(data, list) and data:
        for i in range(min(len(data), 3 if prefix == ("history",) else 1)):
            found += _paths(data[i], prefix + (i,))
    return found


# The parts of an echoed answer a follow-up reads (qa.request.HistoryAnswer); the rest it drops.
READ = {"answer", "citations", "filters", "n", "item_id", "start", "end", "highlight", "score",
        "date_from", "date_to", "source", "place"}
ECHOED_VALUES = ["\ud800", {"a": ["\udfff"]}, None, json.loads("[" * 40 + "]" * 40)]


def _is_echoed(path: tuple) -> bool:
    """Whether ``path`` is a field of the earlier answer that nothing reads (a title, an excerpt)."""
    inside = path[3:] if path[:3] == ("history", 0, "answer") else ()
    return any(isinstance(part, str) and part not in READ for part in inside)


def _post_json(client, path: str, body: Any, raw: str | None = None, headers: dict | None = None):
    text = json.dumps(body)
    if raw is not None:
        text = text.replace(json.dumps(_MARK), raw)
    return client.post(path, data=text.encode("utf-8", "surrogatepass"),
                       headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}",
                                **(headers or {})})


# -- fuzzing --------------------------------------------------------------------------------

def test_every_ask_and_history_field_survives_hostile_values(client, follow_up, leaks):
    paths = _paths(follow_up)
    assert ("history", 0, "answer", "citations", 0, "start") in paths and ("history", 2, "content", 0, "text") in paths
    for path in paths:
        # What nothing reads needs only what could break the parsing or the response.
        for value in ECHOED_VALUES if _is_echoed(path) else VALUES:
            check(_post_json(client, "/api/ask", _set(follow_up, path, value)), f"ask {path} = {value!r:.60}", leaks)
        for raw in RAW:
            check(_post_json(client, "/api/ask", _set(follow_up, path, _MARK), raw), f"ask {path} = {raw:.60}", leaks)
    # An extra field, anywhere an object is: a plain one, one named or holding a lone surrogate.
    for path in [()] + [p for p in paths if isinstance(_at(follow_up, p), dict)]:
        for key, value in [("zz-extra", 1), ("zz", ["\ud800", 1e308]), ("\ud800", 1)]:
            body = copy.deepcopy(follow_up)
            _at(body, path)[key] = value
            check(_post_json(client, "/api/ask", body), f"ask extra field {key!r} at {path}", leaks)


def _at(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


def test_every_post_endpoint_survives_hostile_bodies_and_content_types(app, client, leaks):
    posts = sorted({rule.rule for rule in app.url_map.iter_rules() if "POST" in rule.methods})
    assert {"/api/ask", "/api/reindex"} <= set(posts)
    for path in posts:
        for body in BODIES:
            r = client.post(path, data=body, headers={"Content-Type": "application/json",
                                                      "Authorization": f"Bearer {TOKEN}"})
            check(r, f"POST {path} {body[:40]!r}", leaks)
        for content_type in CONTENT_TYPES:
            r = client.post(path, data=b'{"question": "Who?"}', headers={"Content-Type": content_type,
                                                                        "Authorization": f"Bearer {TOKEN}"})
            check(r, f"POST {path} as {content_type}", leaks)
        for authorization in ["Bearer", "Bearer \u00ff\u00fe", "Basic Og==", "Bearer " + "a" * 5000, ""]:
            r = client.post(path, data=b"{}", headers={"Content-Type": "application/json",
                                                        "Authorization": authorization})
            check(r, f"POST {path} with Authorization {authorization[:20]!r}", leaks)


def test_every_query_parameter_and_path_survives_hostile_text(client, leaks):
    for name in ["q", "k", "date_from", "date_to", "source", "place", "unknown"]:
        for value in QUERY_VALUES:
            query = f"q=protests&{name}={value}" if name != "q" else f"q={value}"
            check(client.get(f"/api/search?{query}"), f"search {query[:80]}", leaks)
    check(client.get("/api/search?q=a&q=b&k=1&k=2"), "search with repeated parameters", leaks)
    check(client.get("/api/search"), "search without q", leaks)
    for item_id in ITEM_IDS:
        for prefix in ("/api/items/", "/items/"):
            check(client.get(prefix + item_id), f"GET {prefix}{item_id[:60]}", leaks)
    for name in ["start", "end"]:
        for value in QUERY_VALUES:
            query = "&".join(f"{k}={v}" for k, v in {"start": "3", "end": "9", name: value}.items())
            check(client.get(f"/items/{HOSTILE['id']}?{query}"), f"item page {query[:80]}", leaks)
    for path in ["/static/chat.js", "/static/..%2F..%2FREADME.md", "/static/%00", "/static/nope.css",
                 "/api/openapi.json?x=%ED%A0%80", "/?q=%ED%A0%80", "/api/status?pid=1", "/%ED%A0%80", "/api/"]:
        check(client.get(path), f"GET {path}", leaks)


def test_every_route_survives_odd_methods(app, client, leaks):
    paths = set()
    for rule in app.url_map.iter_rules():
        path = rule.rule.replace("<path:item_id>", quote(HOSTILE["id"])).replace("<path:filename>", "chat.js")
        paths.add(path.replace("<path:model_id>", "dateline"))
    assert {"/", "/api/ask", "/api/status", "/api/openapi.json", "/static/chat.js"} <= paths
    for path in sorted(paths):
        for method in METHODS:
            r = client.open(path, method=method, data=b"{}", headers={"Content-Type": "application/json"})
            check(r, f"{method} {path}", leaks)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(exclude_categories=()), max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)


@given(data=st.data())
@settings(max_examples=150, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_random_json_anywhere_in_a_follow_up(client, follow_up, leaks, data):
    path = data.draw(st.sampled_from([("other",), *_paths(follow_up)]), label="path")
    value = data.draw(json_values, label="value")
    check(_post_json(client, "/api/ask", _set(follow_up, path, value)), f"ask {path} = {value!r:.80}", leaks)


# -- the failures found against `dateline serve`, one test each --------------------------------

@pytest.mark.parametrize("field", ["question", "source", "place"])
def test_a_lone_surrogate_is_refused_naming_the_field(client, field):
    body = {"question": "What happened in Tehran?", field: "\ud800"}
    r = _post_json(client, "/api/ask", body)
    error = r.get_json()["error"]
    assert r.status_code == 422 and error["field"] == field
    assert "surrogate" in error["message"] and error["message"].startswith(f"`{field}`")


def test_a_lone_surrogate_in_an_echoed_answer_is_refused_naming_the_field(client, follow_up):
    r = _post_json(client, "/api/ask", _set(follow_up, ("history", 0, "answer", "citations", 0, "title"), "\udc00"))
    assert r.status_code == 422 and r.get_json()["error"]["field"] == "history[0].answer.citations[0].title"


@pytest.mark.parametrize("body", [b"[" * 60000, b'{"question": ' + b"[" * 60000])
def test_a_body_nested_60000_deep_is_a_400_saying_so(client, body):
    r = client.post("/api/ask", data=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert "levels deep" in r.get_json()["error"]["message"]


def test_an_integer_of_5000_digits_is_a_400(client):
    body = b'{"question": "Who?", "top_k": 1' + b"0" * 5000 + b"}"
    r = client.post("/api/ask", data=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "digits" in r.get_json()["error"]["message"]


def test_a_history_citation_start_that_is_not_a_number_is_named(client, follow_up):
    r = _post_json(client, "/api/ask", _set(follow_up, ("history", 0, "answer", "citations", 0, "start"), "abc"))
    error = r.get_json()["error"]
    assert r.status_code == 422 and error["field"] == "history[0].answer.citations[0].start"
    assert error["message"] == "`history[0].answer.citations[0].start` must be an integer"


@pytest.mark.parametrize("score, raw", [("nan", None), ("inf", None), (_MARK, "NaN"), (_MARK, "1e400"),
                                         (_MARK, "-Infinity")])
def test_a_history_score_that_is_not_finite_is_refused_not_echoed(client, follow_up, score, raw):
    body = _set(follow_up, ("history", 0, "answer", "citations", 0, "score"), score)
    r = _post_json(client, "/api/ask", {**body, "history": body["history"][:1]}, raw)
    _strict_json(r.get_data())
    assert r.status_code in (400, 422), r.get_data(as_text=True)
    if r.status_code == 422:
        assert r.get_json()["error"]["field"] == "history[0].answer.citations[0].score"


def test_a_history_score_that_is_finite_is_answered(client, follow_up):
    body = _set(follow_up, ("history", 0, "answer", "citations", 0, "score"), 0.25)
    r = _post_json(client, "/api/ask", {**body, "history": body["history"][:1]})
    assert r.status_code == 200 and "Iran Focus" in r.get_json()["answer"]


@pytest.mark.parametrize("value", ["%C2%B2", "%D9%A3", "1" * 5000, "-1"])
def test_an_item_page_offset_that_is_not_ascii_digits_is_a_422(client, value):
    r = client.get(f"/items/{HOSTILE['id']}?start={value}&end=9")
    assert r.status_code == 422 and "`start` must be a character offset" in r.get_data(as_text=True)


def test_an_item_page_offset_past_the_body_is_clamped(client):
    r = client.get(f"/items/{HOSTILE['id']}?start=3&end=999999999999999999")
    assert r.status_code == 200 and "<mark" in r.get_data(as_text=True)


def test_no_index_or_archive_message_names_the_data_directory(web_data, tmp_path):
    empty = tmp_path / "no archive here"
    r = create_app({"DATA_DIR": str(empty)}).test_client().get("/api/status")
    assert r.status_code == 503
    message = r.get_json()["error"]["message"]
    assert str(tmp_path) not in message and "dateline" in message, message
    # An archive without its index: the message names the command to run, not the directory.
    unindexed = tmp_path / "unindexed"
    copy_data(web_data, unindexed, ignore=shutil.ignore_patterns("index"))
    r = create_app({"DATA_DIR": str(unindexed)}).test_client().post("/api/ask", json={"question": "Who?"})
    assert r.status_code == 503
    message = r.get_json()["error"]["message"]
    assert str(tmp_path) not in message and "dateline index" in message, message


def test_an_item_names_the_file_it_came_from_but_not_the_directory(client, web_data):
    item = client.get(f"/api/items/{HOSTILE['id']}").get_json()
    assert item["origin"] == "hostile.jsonl:1"
    assert str(web_data.parent) not in json.dumps(item)


def test_status_does_not_name_the_worker_process(client):
    r = client.get("/api/status")
    assert r.status_code == 200
    assert "pid" not in r.get_json() and str(os.getpid()) not in r.get_data(as_text=True)


def test_a_local_model_directory_is_not_named_by_status(web_data, tmp_path):
    # The engine names a model it has not loaded yet by its setting: a directory on the server.
    model = Path(__file__).resolve().parent / "no-such-model-dir"
    r = create_app({"DATA_DIR": str(web_data), "MODEL": str(model)}).test_client().get("/api/status")
    assert str(model.parent) not in r.get_data(as_text=True)
