"""One error shape for every response that is not a success (but the pages a browser opens,
which fail as pages: web/pages.py):
``{"error": {"code": "...", "message": "...", "field": "..."}}`` (``field`` when one is to blame).

DatelineError carries its own status; werkzeug's HTTP errors keep theirs; anything else is a
500 with a log line, never a traceback in the response. No response names a server path: a
message that spells out the data or model directory says "the data directory" instead (the log
keeps the whole message).
"""
from __future__ import annotations

import logging
import shlex
from pathlib import Path

from flask import Flask, current_app, jsonify
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from dateline.index.errors import DatelineError

log = logging.getLogger(__name__)


def error_response(status: int, code: str, message: str, field: str | None = None):
    """The JSON error shape with ``status``."""
    error = {"code": code, "message": message}
    if field is not None:
        error["field"] = field
    response = jsonify(error=error)
    response.status_code = status
    return response


def log_if_ours(e: DatelineError) -> None:
    """Log a failure that is the server's (5xx), with the operator's detail that str(e) carries."""
    if e.status >= 500:
        log.warning("%s (%d): %s", e.code, e.status, e)


def _dateline_error(e: DatelineError):
    log_if_ours(e)
    return error_response(e.status, e.code, without_paths(e.message), getattr(e, "field", None))


# Config keys whose directories a message may spell out, what to say instead, and the option
# that takes one on the command line (a command to run keeps its shape).
_DIRECTORIES = (("DATA_DIR", "the data directory", "--data"), ("MODEL", "the model directory", None))


def without_paths(message: str) -> str:
    """``message`` with the app's data and model directories named instead of spelled out:
    ``no search index in /srv/x: run `dateline index --data /srv/x``` becomes ``no search index in
    the data directory: run `dateline index --data <data directory>```."""
    for key, name, option in _DIRECTORIES:
        configured = current_app.config.get(key)
        if not configured:
            continue
        for path in _spellings(str(configured)):
            if option:
                message = message.replace(f"{option} {path}", f"{option} <{name.removeprefix('the ')}>")
            message = message.replace(path, name)
    return message


def _spellings(configured: str) -> list[str]:
    """The absolute forms a message may give ``configured`` in, longest first (a relative one
    reveals nothing, and replacing it could change ordinary words)."""
    path = Path(configured).expanduser()
    forms = {str(p) for p in (path, path.absolute(), path.resolve()) if p.is_absolute()}
    forms |= {shlex.quote(form) for form in forms}
    return sorted(forms, key=len, reverse=True)


def _http_error(e: HTTPException):
    if isinstance(e, RequestEntityTooLarge):
        from flask import current_app

        limit = current_app.config["MAX_CONTENT_LENGTH"]
        message = f"the request body is larger than {limit} bytes (setting max_request_bytes)"
    else:
        message = e.description or e.name
    code = (e.name or "error").lower().replace(" ", "_").replace("'", "")
    response = error_response(e.code or 500, code, message)
    if e.code == 405:
        allow = e.get_headers()
        for name, value in allow:
            if name.lower() == "allow":
                response.headers["Allow"] = value
    return response


def _unexpected(e: Exception):
    log.exception("unexpected error")
    return error_response(500, "internal_error", "internal error; the server log has the details")


def init_app(app: Flask) -> None:
    """Register the JSON error handlers."""
    app.register_error_handler(DatelineError, _dateline_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
