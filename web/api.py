"""The JSON API blueprint: ask, search, items, status, reindex and the OpenAPI document."""
from __future__ import annotations

import dataclasses
import hmac
import json
import re
import time
from typing import Any

from flask import Blueprint, current_app, request

from dateline.index.errors import DatelineError
from dateline.qa.request import NOT_TEXT, AskRequest, FieldError, SearchRequest

from . import reindex, strict_json
from .auth import challenge, require_key
from .engine import get_engine
from .markdown import engine_history
from .models import ReindexRequest

bp = Blueprint("api", __name__, url_prefix="/api")
bp.before_request(require_key)
bp.after_request(challenge)


def _as_dict(obj: Any) -> dict:
    """A qa result object as JSON-ready data (its to_dict() when it has one)."""
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if dataclasses.is_dataclass(obj):
        return dataclasses.asdict(obj)
    return dict(obj)


def require_json_type() -> None:
    """Refuse (415) a body that is not sent as application/json."""
    if request.mimetype != "application/json":
        raise DatelineError(f"send the body as application/json, not {request.mimetype or 'no type'}",
                            code="unsupported_media_type", status=415)


def json_body(*, required: bool = True) -> Any:
    """The request's JSON body: 415 for another content type, 400 when it does not parse (or
    nests too deep, or holds a number that is not finite: `strict_json`), 422 naming the field
    whose string holds a lone surrogate."""
    raw = request.get_data(cache=True)  # 413 above MAX_CONTENT_LENGTH
    if not raw.strip():
        if required:
            raise DatelineError("the request body is empty; send a JSON object",
                                code="bad_request", status=400)
        return None
    require_json_type()
    try:
        body = strict_json.loads(raw)
    except strict_json.JSONRejected as e:
        raise DatelineError(str(e), code="bad_json", status=400) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        where = f" at line {e.lineno} column {e.colno}" if isinstance(e, json.JSONDecodeError) else ""
        raise DatelineError(f"the request body is not valid JSON{where}", code="bad_json",
                            status=400) from None
    # Checked here for every field, the ones the models drop unread included, so that no such
    # string reaches a log line, a message or the engine.
    field = strict_json.find_surrogate(body)
    if field == "body":
        raise DatelineError(f"a field name in the request body {NOT_TEXT}", code="bad_json", status=400)
    if field:
        raise FieldError(field, f"`{field}` {NOT_TEXT}")
    return body


@bp.post("/ask")
def ask():
    """Answer a question with cited excerpts (the Answer JSON)."""
    require_json_type()
    return answer(AskRequest.checked(json_body())).to_dict()


def answer(asked: AskRequest):
    """The engine's Answer to a checked request, its history read as the engine reads it."""
    return get_engine().ask(asked.question, history=engine_history(asked.history), **asked.filters(),
                            top_k=asked.top_k)


@bp.get("/search")
def search():
    """Ranked passages for a query, without an answer."""
    wanted = SearchRequest.checked(request.args.to_dict())
    started = time.perf_counter()
    passages = get_engine().search(wanted.q, **wanted.model_dump(exclude={"q"}))
    return {
        "query": request.args["q"],
        "passages": [_as_dict(p) for p in passages],
        "took_ms": round((time.perf_counter() - started) * 1000, 1),
    }


@bp.get("/items/<path:item_id>")
def item(item_id: str):
    """One whole item, every stored field."""
    found = get_engine().get_item(item_id)
    if found is None:
        raise DatelineError(f"no item with id {item_id!r}", code="not_found", status=404)
    record = found.to_record()
    record["origin"] = _file_name(record["origin"])
    return record


def _file_name(path: str) -> str:
    """``path`` without its directories: an item's origin ``/srv/feeds/iran.txt:12`` as
    ``iran.txt:12`` (the file and line tell a reader where the record came from; the server's
    layout is its own), a local model ``/srv/models/minilm`` as ``minilm``."""
    return re.split(r"[\\/]", path.rstrip("\\/"))[-1]


@bp.get("/status")
def status():
    """Items, chunks, index generation, model, date range, and whether a rebuild runs."""
    data_dir = current_app.config["DATA_DIR"]
    info = dict(get_engine().status())
    # Before the model loads, the engine names it by its setting: a local model's directory.
    info["model"] = _file_name(str(info["model"]))
    info["reindex"] = {"enabled": bool(current_app.config["REINDEX_TOKEN"]),
                       "running": reindex.running(data_dir)}
    return info


@bp.post("/reindex")
def reindex_start():
    """Start an incremental rebuild (``{"full": true}`` rebuilds from scratch); needs the token."""
    token = current_app.config["REINDEX_TOKEN"]
    if not token:
        raise DatelineError("reindexing over HTTP is disabled: set DATELINE_REINDEX_TOKEN to enable it",
                            code="reindex_disabled", status=403)
    given = request.headers.get("Authorization", "")
    scheme, _, value = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), token.encode()):
        raise DatelineError("send the reindex token as `Authorization: Bearer <token>`",
                            code="unauthorized", status=401)
    body = json_body(required=False)
    full = ReindexRequest.checked({} if body is None else body).full
    pid = reindex.start(current_app.config["DATA_DIR"], full=full)
    if pid is None:
        return {"status": "already running"}, 200
    return {"status": "started", "full": full}, 202


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.0 document of this API."""
    from .openapi import document

    return document(max_request_bytes=current_app.config["MAX_CONTENT_LENGTH"])
