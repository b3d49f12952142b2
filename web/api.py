"""The JSON API blueprint: ask, search, items, status, reindex and the OpenAPI document (the
jobs and uploads are in jobs_api)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import time
from typing import Any

from flask import Blueprint, current_app, request

from dateline.index import jobs
from dateline.index.errors import DatelineError
from dateline.qa.request import NOT_TEXT, AskRequest, FieldError, SearchRequest

from . import jobs_api, reindex, strict_json
from .auth import challenge, require_key, require_token
from .engine import get_engine, holder, refuse_on_replica
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
        raise FieldError("body", f"the request body is not valid JSON{where}", code="bad_json",
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
    engine = get_engine()
    info = dict(engine.status())
    # Before the model loads, the engine names it by its setting: a local model's directory.
    info["model"] = _file_name(str(info["model"]))
    info["replica"] = holder().replica_info(engine)
    # A replica runs no jobs, and reads no jobs table: marking a dead job failed would write.
    active = None if info["replica"] else jobs.active(data_dir)  # a build or import started in a shell shows too
    info["reindex"] = {"enabled": bool(current_app.config["REINDEX_TOKEN"]) and not info["replica"],
                       "running": reindex.building(active)}
    info["indexed_at"] = _generation_time(info.get("generation"))
    # Without its result: status is open to monitors even where API keys guard the reports.
    info["job"] = {**jobs_api.public(active), "result": None} if active is not None else None
    return info


def _generation_time(name: str | None) -> str | None:
    """When generation ``name`` was built: its name is the UTC time, e.g. 20240101T120000123456Z."""
    try:
        when = dt.datetime.strptime(name or "", "%Y%m%dT%H%M%S%fZ")
    except ValueError:
        return None
    return when.replace(tzinfo=dt.timezone.utc).isoformat(timespec="seconds")


@bp.post("/reindex")
def reindex_start():
    """Start an incremental rebuild (``{"full": true}`` rebuilds from scratch); needs the token."""
    refuse_on_replica("reindexing")
    require_token("reindexing")
    body = json_body(required=False)
    # No body means the defaults; a body of JSON null is refused as any other non-object is.
    empty = body is None and not request.get_data(cache=True).strip()
    full = ReindexRequest.checked({} if empty else body).full
    data_dir = current_app.config["DATA_DIR"]
    job_id = reindex.start(data_dir, full=full)
    if job_id is None:
        pending = jobs.active(data_dir, "index")
        return {"status": "already running", "job": pending.id if pending else None}, 200
    return {"status": "started", "full": full, "job": job_id}, 202, {"Location": f"/api/jobs/{job_id}"}


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.0 document of this API."""
    from .openapi import document

    return document(max_request_bytes=current_app.config["MAX_CONTENT_LENGTH"])
