"""The OpenAPI document is valid and true: schemathesis generates requests for every operation
from it and checks each response (status documented, body matching its schema, no 5xx, valid
input accepted, invalid input refused) against the app on the indexed sample archive."""
from __future__ import annotations


import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from dateline.qa.request import MAX_QUESTION_CHARS, SearchRequest
from dateline.web import create_app
from dateline.qa.request import FieldError
from dateline.web.openapi import document
from conftest import copy_data

pytestmark = pytest.mark.slow

TOKEN = "test-token"
DOC = document(max_request_bytes=65536)
OPERATIONS = [
    (path, method.upper(), mode)
    for path, ops in DOC["paths"].items()
    for method, op in ops.items()
    # Negative cases need something to break: a body or a query parameter.
    for mode in ([GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
                 if op.get("requestBody") or any(p["in"] == "query" for p in op.get("parameters", []))
                 else [GenerationMode.POSITIVE])
]


@pytest.fixture(scope="module")
def api_schema(web_data, tmp_path_factory):
    # A copy: generated uploads are kept in the data directory and queued in its archive.
    data = tmp_path_factory.mktemp("openapi") / "data"
    copy_data(web_data, data)
    app = create_app({"DATA_DIR": str(data), "REINDEX_TOKEN": TOKEN, "RELOAD_INTERVAL": 3600})
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


def test_document_is_valid_openapi(api_schema):
    api_schema.validate()  # against the OpenAPI 3.0 meta-schema; raises on any error
    assert api_schema.raw_schema == DOC


def _calendar_sense(case) -> bool:
    """What a schema cannot say: a day that exists in its month, date_from not after date_to."""
    data = dict(case.query or {})
    if isinstance(case.body, dict):
        data.update(case.body)
    try:
        SearchRequest.checked({"q": "dates only", "date_from": data.get("date_from"),
                               "date_to": data.get("date_to")})
    except FieldError:
        return False
    return True


def _chat_sense(case) -> bool:
    """What the chat request's schema cannot say: the last message is a user's question that a
    question's limits admit, asked of the model GET /v1/models lists."""
    body = case.body if isinstance(case.body, dict) else {}
    messages = body.get("messages") or [{}]
    last = messages[-1] if isinstance(messages[-1], dict) else {}
    content = last.get("content")
    text = "\n".join(p.get("text", "") for p in content) if isinstance(content, list) else content or ""
    return (last.get("role") == "user" and 0 < len(text.strip()) and len(text) <= MAX_QUESTION_CHARS
            and body.get("model") in (None, "dateline"))


@pytest.mark.parametrize("path, method, mode", OPERATIONS, ids=lambda v: getattr(v, "value", v))
def test_every_operation_conforms(api_schema, path, method, mode, monkeypatch):
    started = []
    # A rebuild per generated request would load the model each time; the endpoint's own
    # behaviour is tested in test_web_api.py and test_web_reload.py.
    monkeypatch.setattr("dateline.web.reindex.start", lambda data_dir, full=False: started.append(full) or 4242)
    # Nor an import and rebuild per generated upload (tests/test_upload.py runs them): the jobs stay queued.
    spawned = []
    monkeypatch.setattr("dateline.web.reindex.spawn", lambda data_dir, job_id: spawned.append(job_id))
    strategy = api_schema[path][method].as_strategy(generation_mode=mode)
    if mode == GenerationMode.POSITIVE:
        strategy = strategy.filter(_calendar_sense)
        if path == "/v1/chat/completions":
            strategy = strategy.filter(_chat_sense)

    @given(case=strategy)
    @settings(max_examples=12, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def check(case):
        response = case.call(headers={"Authorization": f"Bearer {TOKEN}"})
        # A generated conversation can outgrow the body limit; 413 refuses it, as documented.
        if not (mode == GenerationMode.NEGATIVE and response.status_code == 413):
            case.validate_response(response, headers={"Authorization": f"Bearer {TOKEN}"})

    check()
    if path == "/api/reindex" and mode == GenerationMode.POSITIVE:
        assert started, "no generated request reached the rebuild"
    if path == "/api/import" and mode == GenerationMode.POSITIVE:
        assert spawned, "no generated upload was queued"
