"""The JSON API blueprint: ask, search, items, status, reindex and the OpenAPI document."""
from __future__ import annotations

import dataclasses
import hmac
import json
import os
import time
from typing import Any

from flask import Blueprint, current_app, request

from dateline.index.errors import DatelineError
from dateline.qa.request import AskRequest, SearchRequest

from . import reindex
from .engine import get_engine
from .models import ReindexRequest

bp = Blueprint("api", __name__, url_prefix="/api")


def _as_dict(obj: Any) -> dict:
    """A qa result object as JSON-ready data (its to_dict() when it has one)."""
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if dataclasses.is_dataclass(obj):
        return dataclasses.asdict(obj)
    return dict(obj)


def _json_body(*, required: bool = True) -> Any:
    """The request's JSON body: 415 for another content type, 400 when it does not parse."""
    raw = request.get_data(cache=True)  # 413 above MAX_CONTENT_LENGTH
    if not raw.strip():
        if required:
            raise DatelineError("the request body is empty; send a JSON object",
                                code="bad_request", status=400)
        return None
    if request.mimetype != "application/json":
        raise DatelineError(f"send the body as application/json, not {request.mimetype or 'no type'}",
                            code="unsupported_media_type", status=415)
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        where = f" at line {e.lineno} column {e.colno}" if isinstance(e, json.JSONDecodeError) else ""
        raise DatelineError(f"the request body is not valid JSON{where}", code="bad_json",
                            status=400) from None


@bp.post("/ask")
def ask():
    """Answer a question with cited excerpts (the Answer JSON)."""
    if request.mimetype != "application/json":
        raise DatelineError(f"send the body as application/json, not {request.mimetype or 'no type'}",
                            code="unsupported_media_type", status=415)
    asked = AskRequest.checked(_json_body())
    return _as_dict(get_engine().ask(asked.question, **asked.model_dump(exclude={"question"})))


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
    return found.to_record()


@bp.get("/status")
def status():
    """Items, chunks, index generation, model, date range, and whether a rebuild runs."""
    data_dir = current_app.config["DATA_DIR"]
    info = dict(get_engine().status())
    info["reindex"] = {"enabled": bool(current_app.config["REINDEX_TOKEN"]),
                       "running": reindex.running(data_dir)}
    info["pid"] = os.getpid()  # which server worker answered: each loads its own index
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
    body = _json_body(required=False)
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
