"""One error shape for every response that is not a success:
``{"error": {"code": "...", "message": "...", "field": "..."}}`` (``field`` when one is to blame).

DatelineError carries its own status; werkzeug's HTTP errors keep theirs; anything else is a
500 with a log line, never a traceback in the response.
"""
from __future__ import annotations

import logging

from flask import Flask, jsonify
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


def _dateline_error(e: DatelineError):
    return error_response(e.status, e.code, e.message, getattr(e, "field", None))


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
