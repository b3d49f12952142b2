"""The web app's plumbing with a fake engine: request checking, the error shape, escaping,
reindex, reloads. The real model on the sample archive is in test_web_sample.py."""
from __future__ import annotations

import dataclasses
import re
import time

import pytest

from dateline.index.errors import DatelineError
from dateline.index.item import Item
from dateline.qa.request import MAX_HISTORY_ENTRIES
from dateline.web import create_app

EVIL = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'


def _item(**kw) -> Item:
    base = dict(source="Iran Focus", title="Rift between factions", body="London - The rift widens. "
                "Khamenei criticised Rouhani.", dateline="London", date="2017-06-22", date_precision="day")
    base.update(kw)
    return Item(**base).finish()


@dataclasses.dataclass
class FakePassage:
    item_id: str
    text: str
    score: float


class FakeAnswer:
    def __init__(self, data: dict):
        self.data = data

    def to_dict(self) -> dict:
        return self.data


class FakeEngine:
    """The qa.engine.Engine methods the app calls, recording how it was called."""

    def __init__(self, items: list[Item], *, no_index: bool = False):
        self.items = {i.id: i for i in items}
        self.no_index = no_index
        self.calls: list[tuple] = []
        self.reloads = 0

    def _check(self):
        if self.no_index:
            raise DatelineError("no index yet: run `dateline index`", code="no_index", status=503)

    def ask(self, question, *, history=None, date_from=None, date_to=None, source=None, place=None, top_k=5):
        self._check()
        if question == "boom":
            raise RuntimeError("secret detail")
        self.calls.append(("ask", question, history, date_from, date_to, source, place, top_k))
        item = next(iter(self.items.values()))
        return FakeAnswer({
            "question": question, "answer": "Khamenei criticised Rouhani. [1]", "found": True,
            "citations": [{"n": 1, "item_id": item.id, "title": item.title, "source": item.source,
                           "dateline": item.dateline, "date": item.date, "date_display": "22 Jun 2017",
                           "year_inferred": False, "excerpt": item.body, "start": 0,
                           "end": len(item.body), "url": item.url, "score": 0.5}],
            "filters": {"date_from": date_from, "date_to": date_to, "source": source, "place": place},
            "took_ms": 1.0,
        })

    def search(self, q, *, k=10, date_from=None, date_to=None, source=None, place=None):
        self._check()
        self.calls.append(("search", q, k, date_from, date_to, source, place))
        return [FakePassage(item_id=i, text=it.body, score=0.5) for i, it in list(self.items.items())[:k]]

    def get_item(self, item_id):
        self._check()
        return self.items.get(item_id)

    def status(self):
        self._check()
        return {"items": len(self.items), "chunks": len(self.items), "generation": "g1",
                "model": "fake", "date_from": "2017-06-22", "date_to": "2017-06-22",
                "sources": [{"source": "Iran Focus", "items": len(self.items)}]}

    def maybe_reload(self):
        self.reloads += 1
        return False


@pytest.fixture
def engine():
    return FakeEngine([_item(), _item(title=EVIL, body=f"Evil body {EVIL} ends here.", url="javascript:alert(1)")])


@pytest.fixture
def app(engine, tmp_path):
    return create_app({"TESTING": True, "ENGINE": engine, "DATA_DIR": str(tmp_path / "data"),
                       "REINDEX_TOKEN": "s3cret", "MAX_CONTENT_LENGTH": 4096, "RELOAD_INTERVAL": 0})


@pytest.fixture
def client(app):
    return app.test_client()


def _error(response, status, code=None, field=None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert set(error) <= {"code", "message", "field"} and error["message"]
    if code:
        assert error["code"] == code
    if field:
        assert error["field"] == field
        assert field.split(".")[-1].split("[")[0] in error["message"]
    return error


def test_ask_passes_question_filters_and_history(client, engine):
    history = [{"question": "Who criticised Rouhani?", "answer": {"answer": "Khamenei [1]", "citations": []}}]
    r = client.post("/api/ask", json={"question": " Who? ", "history": history, "date_from": "2017-06-01",
                                      "date_to": "2017-06-30", "source": "Iran Focus", "top_k": 3})
    assert r.status_code == 200
    data = r.get_json()
    assert data["citations"][0]["dateline"] == "London"
    assert data["filters"]["date_from"] == "2017-06-01"
    assert engine.calls[-1] == ("ask", "Who?", history, "2017-06-01", "2017-06-30", "Iran Focus", None, 3)


@pytest.mark.parametrize("body, field", [
    ({}, "question"),
    ({"question": "   "}, "question"),
    ({"question": 7}, "question"),
    ({"question": "x" * 1001}, "question"),
    ({"question": "q", "top_k": 0}, "top_k"),
    ({"question": "q", "top_k": "5"}, "top_k"),
    ({"question": "q", "top_k": True}, "top_k"),
    ({"question": "q", "date_from": "June 2017"}, "date_from"),
    ({"question": "q", "date_to": "2017-02-30"}, "date_to"),
    ({"question": "q", "date_to": "2017-13"}, "date_to"),
    ({"question": "q", "date_from": "17"}, "date_from"),
    ({"question": "q", "date_from": "2017-06", "date_to": "2016"}, "date_to"),
    ({"question": "q", "date_from": "2017-07-01", "date_to": "2017-06-01"}, "date_to"),
    ({"question": "q", "source": ["a"]}, "source"),
    ({"question": "q", "history": "previous"}, "history"),
    ({"question": "q", "history": [{"question": "a"}]}, "history[0].answer"),
    ({"question": "q", "history": [{"question": "", "answer": {}}]}, "history[0].question"),
    ({"question": "q", "history": [{"question": "a", "answer": {}}] * (MAX_HISTORY_ENTRIES + 1)}, "history"),
    ({"question": "q", "sorce": "typo"}, "sorce"),
])
def test_ask_rejects_bad_fields_naming_them(client, body, field):
    _error(client.post("/api/ask", json=body), 422, field=field)


def test_ask_takes_months_and_years_as_dates(client, engine):
    r = client.post("/api/ask", json={"question": "q", "date_from": "2017-06-15", "date_to": "2017-06"})
    assert r.status_code == 200
    assert engine.calls[-1][3:5] == ("2017-06-15", "2017-06")
    assert client.post("/api/ask", json={"question": "q", "date_from": "2017", "date_to": "2017"}).status_code == 200


def test_ask_malformed_json_is_400(client):
    error = _error(client.post("/api/ask", data='{"question": ', content_type="application/json"), 400, "bad_json",
                   field="body")
    assert "line 1" in error["message"]
    _error(client.post("/api/ask", data="", content_type="application/json"), 400)
    _error(client.post("/api/ask", json=["question"]), 400, field="body")
    _error(client.post("/api/ask", data=b"\xff\xfe", content_type="application/json"), 400, "bad_json")


def test_ask_wrong_content_type_is_415(client):
    _error(client.post("/api/ask", data="question=hi", content_type="application/x-www-form-urlencoded"),
           415, "unsupported_media_type")
    _error(client.post("/api/ask", data='{"question": "hi"}', content_type="text/plain"), 415)


def test_ask_body_over_the_limit_is_413(client):
    error = _error(client.post("/api/ask", json={"question": "q", "place": "x" * 5000}), 413)
    assert "4096" in error["message"]


def test_search(client, engine):
    r = client.get("/api/search?q=rift&k=1&source=Iran+Focus&date_from=2017-06-01")
    assert r.status_code == 200
    data = r.get_json()
    assert data["query"] == "rift" and len(data["passages"]) == 1 and data["passages"][0]["score"] == 0.5
    assert engine.calls[-1] == ("search", "rift", 1, "2017-06-01", None, "Iran Focus", None)
    _error(client.get("/api/search"), 422, field="q")
    _error(client.get("/api/search?q=x&k=many"), 422, field="k")
    _error(client.get("/api/search?q=x&k=51"), 422, field="k")
    _error(client.get("/api/search?q=x&date_to=yesterday"), 422, field="date_to")
    _error(client.get("/api/search?q=x&limit=3"), 422, field="limit")


def test_items(client, engine):
    item = next(iter(engine.items.values()))
    r = client.get(f"/api/items/{item.id}")
    assert r.status_code == 200 and r.get_json()["body"] == item.body
    _error(client.get("/api/items/nope"), 404, "not_found")
    r = client.get(f"/items/{item.id}?start=9&end=25")
    assert r.status_code == 200 and "text/html" in r.content_type
    assert '<mark id="excerpt" tabindex="-1">The rift widens.</mark>' in r.get_data(as_text=True)
    assert "22 Jun 2017" in r.get_data(as_text=True)
    # The page fails as a page, naming what was wrong.
    for url, status, said in [(f"/items/{item.id}?start=x", 422, "`start` must be a character offset"),
                              (f"/items/{item.id}?start=9&end=3", 422, "`end` is before `start`"),
                              ("/items/nope", 404, "no item with id &#39;nope&#39;")]:
        r = client.get(url)
        assert r.status_code == status and r.mimetype == "text/html" and said in r.get_data(as_text=True), url


def test_item_text_is_escaped_on_the_item_page(client, engine):
    evil = next(i for i in engine.items.values() if "<script>" in i.body)
    page = client.get(f"/items/{evil.id}?start=0&end=9").get_data(as_text=True)
    assert "<script>window" not in page and "<img src=x" not in page
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=" in page
    assert "javascript:" not in page  # an untrusted url is not made a link
    # Pages allow no inline script, so even a missed escape could not run.
    csp = client.get("/").headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp


def test_chat_page_and_its_assets_are_served_by_the_app(client):
    page = client.get("/").get_data(as_text=True)
    assert 'src="/static/chat.js"' in page and 'href="/static/chat.css"' in page
    assert "http://" not in page and "https://" not in page  # no CDN
    assert 'name="viewport"' in page
    with client.get("/static/chat.js") as js:
        assert js.status_code == 200 and "javascript" in js.content_type
        script = js.get_data(as_text=True)
    for sink in (".innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script
    with client.get("/static/chat.css") as css:
        assert css.status_code == 200 and css.mimetype == "text/css"


def test_errors_are_json_everywhere(client, caplog):
    _error(client.get("/no/such/page"), 404, "not_found")
    error = _error(client.get("/api/ask"), 405, "method_not_allowed")
    assert error["message"]

    r = client.post("/api/ask", json={"question": "boom"})
    error = _error(r, 500, "internal_error")
    assert "secret detail" not in r.get_data(as_text=True) and "Traceback" not in r.get_data(as_text=True)
    assert "secret detail" in caplog.text  # the operator sees it in the log


def test_no_index_is_503_naming_the_command(tmp_path):
    client = create_app({"ENGINE": FakeEngine([], no_index=True), "DATA_DIR": str(tmp_path)}).test_client()
    for r in (client.post("/api/ask", json={"question": "q"}), client.get("/api/status"),
              client.get("/api/search?q=x"), client.get("/api/items/x")):
        assert "dateline index" in _error(r, 503, "no_index")["message"]


def test_engine_is_made_lazily_and_reloaded(tmp_path, monkeypatch):
    """No index at start: 503; once the engine can be made, the same app answers."""
    import dateline.qa

    made = []

    class Engine(FakeEngine):
        def __init__(self, data_dir, *, model=None):
            if not made:
                made.append("failed")
                raise DatelineError("no index: run `dateline index`", code="no_index", status=503)
            made.append(data_dir)
            super().__init__([_item()])

    module = type(dateline.qa)("dateline.qa.engine")
    module.Engine = Engine
    monkeypatch.setitem(__import__("sys").modules, "dateline.qa.engine", module)
    client = create_app({"DATA_DIR": str(tmp_path), "RELOAD_INTERVAL": 0}).test_client()
    assert client.get("/api/status").status_code == 503
    assert client.get("/api/status").status_code == 200
    assert client.get("/api/status").get_json()["items"] == 1
    assert made == ["failed", str(tmp_path)]
    engine = client.application.extensions["dateline"].get()
    assert engine.reloads >= 1  # maybe_reload is asked on requests once the interval has passed


def test_reindex_needs_a_token(client, app, monkeypatch):
    started = []
    monkeypatch.setattr("dateline.web.reindex.start", lambda data_dir, full=False: started.append(full) or 123)
    _error(client.post("/api/reindex"), 401, "unauthorized")
    _error(client.post("/api/reindex", headers={"Authorization": "Bearer wrong"}), 401)
    auth = {"Authorization": "Bearer s3cret"}
    r = client.post("/api/reindex", headers=auth)
    assert r.status_code == 202 and r.get_json() == {"status": "started", "full": False, "job": 123}
    assert r.headers["Location"] == "/api/jobs/123"
    r = client.post("/api/reindex", headers=auth, json={"full": True})
    assert r.status_code == 202 and started == [False, True]
    _error(client.post("/api/reindex", headers=auth, json={"full": "yes"}), 422, field="full")
    _error(client.post("/api/reindex", headers=auth, data="full", content_type="text/plain"), 415)
    monkeypatch.setattr("dateline.web.reindex.start", lambda data_dir, full=False: None)
    r = client.post("/api/reindex", headers=auth)
    assert r.status_code == 200 and r.get_json()["status"] == "already running"
    disabled = create_app({"ENGINE": FakeEngine([_item()]), "REINDEX_TOKEN": ""}).test_client()
    _error(disabled.post("/api/reindex", headers=auth), 403, "reindex_disabled")


def test_reindex_runs_one_child_at_a_time(tmp_path, monkeypatch):
    """A rebuild is a job run by a child process; while it is queued or running a second request
    starts none, and a child that ends without running it leaves the job failed, not pending."""
    from dateline.index import jobs
    from dateline.index.store import Archive
    from dateline.web import reindex

    Archive.open(tmp_path).close()
    monkeypatch.setattr(reindex, "_command", lambda data_dir, job_id: [
        "/bin/sh", "-c", f"sleep 1; echo {job_id} > {tmp_path}/mark"])
    assert not reindex.running(tmp_path)
    job_id = reindex.start(tmp_path)
    assert job_id is not None and reindex.running(tmp_path)
    assert reindex.start(tmp_path) is None
    deadline = time.monotonic() + 10
    while reindex.running(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not reindex.running(tmp_path)
    assert (tmp_path / "mark").read_text() == f"{job_id}\n"
    job = jobs.get(tmp_path, job_id)
    assert (job.kind, job.origin, job.state) == ("index", "api", "failed") and "stopped" in job.error


def test_status_reports_reindex_state(client):
    data = client.get("/api/status").get_json()
    assert data["items"] == 2 and data["reindex"] == {"enabled": True, "running": False}


def test_openapi_lists_every_api_route(client, app):
    doc = client.get("/api/openapi.json").get_json()
    documented = {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "openai.unknown"):  # the latter answers 404/405 for /v1/*
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, (path, method)
