"""The OpenAI-compatible endpoints: GET /v1/models and POST /v1/chat/completions.

Chat front ends and SDKs that speak the chat-completions protocol (Open WebUI, LibreChat, the
``openai`` client) ask dateline as they would ask a model called ``dateline``. The last user
message is the question and the earlier messages the conversation; the reply's content is the
answer in Markdown (its ``[n]`` markers, then a sources list linking each cited item's page),
and the Answer JSON rides along as the extra fields ``citations`` and ``answer``. Filters may be
sent as extra body fields (``date_from``, ``date_to``, ``source``, ``place``, ``top_k``).
Errors come in the protocol's own shape: ``{"error": {"message", "type", "param", "code"}}``.
"""
from __future__ import annotations

import json
import time
import uuid
from typing import Iterator

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, RequestEntityTooLarge

from dateline.index.errors import DatelineError
from dateline.qa.request import AskRequest, FieldError

from .api import answer, json_body, require_json_type
from .auth import require_key
from .errors import without_paths
from .markdown import answer_markdown
from .models import MODEL_ID, ChatCompletionRequest

bp = Blueprint("openai", __name__, url_prefix="/v1")
bp.before_request(require_key)


# -- errors in the protocol's shape ----------------------------------------------------------

def _error_type(status: int) -> str:
    if status == 401:
        return "authentication_error"
    return "server_error" if status >= 500 else "invalid_request_error"


def openai_error(status: int, code: str, message: str, param: str | None = None) -> Response:
    """The chat-completions protocol's error shape with ``status``."""
    response = jsonify(error={"message": message, "type": _error_type(status), "param": param, "code": code})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="dateline"'
    return response


@bp.errorhandler(DatelineError)
def _dateline_error(e: DatelineError):
    return openai_error(e.status, e.code, without_paths(e.message), getattr(e, "field", None))


@bp.errorhandler(HTTPException)
def _http_error(e: HTTPException):
    if isinstance(e, RequestEntityTooLarge):
        message = f"the request body is larger than {current_app.config['MAX_CONTENT_LENGTH']} bytes"
        return openai_error(413, "request_too_large", message)
    response = openai_error(e.code or 500, (e.name or "error").lower().replace(" ", "_"), e.description or e.name)
    for name, value in e.get_headers():
        if name.lower() == "allow":
            response.headers["Allow"] = value
    return response


# -- endpoints -------------------------------------------------------------------------------

def _model() -> dict:
    return {"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "dateline"}


@bp.get("/models")
def models():
    """The one model: dateline over this server's archive."""
    return {"object": "list", "data": [_model()]}


@bp.get("/models/<model_id>")
def model(model_id: str):
    """One model by id."""
    if model_id != MODEL_ID:
        raise _no_model(model_id)
    return _model()


def _no_model(name: str) -> DatelineError:
    return DatelineError(f"no model {name!r}; this server has one: `{MODEL_ID}`", code="model_not_found", status=404)


@bp.post("/chat/completions")
def chat_completions():
    """Answer the last user message, with the earlier messages as the conversation."""
    require_json_type()
    wanted = ChatCompletionRequest.checked(json_body())
    if wanted.model not in (None, MODEL_ID):
        raise _no_model(wanted.model)
    answered = answer(_ask_request(wanted)).to_dict()
    content = answer_markdown(answered, base_url())
    completion_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
    if wanted.stream:
        events = _events(completion_id, created, content, answered)
        return Response(events, mimetype="text/event-stream",
                        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    return {
        "id": completion_id, "object": "chat.completion", "created": created, "model": MODEL_ID,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                     "finish_reason": "stop", "logprobs": None}],
        "citations": answered["citations"],
        "answer": answered,
    }


@bp.route("/<path:anything>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(anything: str):
    """Any other /v1 path or method: the protocol's 404 or 405, so an SDK reports it as such."""
    if anything.strip("/") in ("chat/completions", "models"):
        raise MethodNotAllowed(valid_methods=["POST" if anything.startswith("chat") else "GET"])
    raise NotFound(f"no endpoint /v1/{anything}; this server has /v1/models and /v1/chat/completions")


def _ask_request(wanted: ChatCompletionRequest) -> AskRequest:
    """The question (the last message, which must be the user's) and its conversation, checked
    as POST /api/ask checks them; errors name the message they come from."""
    last = len(wanted.messages) - 1
    if wanted.messages[last].role != "user":
        raise FieldError(f"messages[{last}].role", "the last message must be the user's question (role `user`)")
    try:
        return AskRequest.checked({
            "question": wanted.messages[last].text(),
            "history": wanted.messages[:last],
            **wanted.filters(), "top_k": wanted.top_k,
        })
    except FieldError as e:
        field = e.field.replace("question", f"messages[{last}].content", 1).replace("history", "messages", 1)
        message = e.message.replace(f"`{e.field}`", f"`{field}`")
        raise FieldError(field, message, code=e.code, status=e.status) from None


def base_url() -> str:
    """Where item links point: the public_url setting, else the address this request came to."""
    return (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")


def _events(completion_id: str, created: int, content: str, answer: dict) -> Iterator[str]:
    """The answer as the protocol's chunks, one Markdown line each, then ``data: [DONE]``."""
    def chunk(delta: dict, finish: str | None = None, **extra) -> str:
        body = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}], **extra}
        return f"data: {json.dumps(body, ensure_ascii=False, allow_nan=False)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    for line in content.splitlines(keepends=True):
        yield chunk({"content": line})
    yield chunk({}, "stop", citations=answer["citations"], answer=answer)
    yield "data: [DONE]\n\n"
