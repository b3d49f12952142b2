"""API keys: when the api_keys setting holds any, the JSON API and the OpenAI-compatible
endpoints answer only requests that send one as ``Authorization: Bearer <key>``.

The pages (chat, item pages, static files) stay open: the chat page asks for a key when the
API refuses it and keeps it in the browser. Status and the OpenAPI document stay open for
monitors and client generators; reindex and uploads (POST /api/import) have their own token,
which also opens the jobs' reports (GET /api/jobs) to the archive page that sends it.
"""
from __future__ import annotations

import hmac

from flask import current_app, request

from dateline.index.errors import DatelineError

OPEN_ENDPOINTS = {"api.status", "api.openapi", "api.reindex_start", "jobs.upload"}
# Open to the reindex token as well as to an API key: the archive page reads its jobs with it.
TOKEN_ENDPOINTS = {"jobs.list_jobs", "jobs.get_job"}


def configured_keys(value: str | None) -> tuple[bytes, ...]:
    """The keys of a comma-separated api_keys setting, blanks dropped."""
    return tuple(key.strip().encode() for key in (value or "").split(",") if key.strip())


def bearer_token() -> str | None:
    """The token of the request's ``Authorization: Bearer`` header, if it has one."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def is_known_key(given: str, keys: tuple[bytes, ...]) -> bool:
    """Whether ``given`` is one of ``keys``; every key is compared, in constant time each."""
    given_bytes = given.encode("utf-8", "replace")
    return any([hmac.compare_digest(given_bytes, key) for key in keys])


def require_key() -> None:
    """Refuse the request (401) unless keys are off, the endpoint is open, or it sends a known key.

    Registered as a ``before_request`` hook of the API blueprints.
    """
    keys = current_app.config["API_KEYS"]
    if not keys or request.endpoint in OPEN_ENDPOINTS or request.method == "OPTIONS":
        return
    given = bearer_token()
    if given is None:
        raise DatelineError("this server needs an API key: send it as `Authorization: Bearer <key>`",
                            code="unauthorized", status=401)
    if request.endpoint in TOKEN_ENDPOINTS and _is_token(given):
        return
    if not is_known_key(given, keys):
        raise DatelineError("the API key is not one this server accepts", code="invalid_api_key", status=401)


def _is_token(given: str) -> bool:
    token = current_app.config["REINDEX_TOKEN"]
    return bool(token) and hmac.compare_digest(given.encode("utf-8", "replace"), token.encode())


def require_token(what: str) -> None:
    """Refuse the request unless it sends the reindex token: 403 when none is set (``what`` is
    then disabled over HTTP), 401 when it is missing or wrong."""
    if not current_app.config["REINDEX_TOKEN"]:
        raise DatelineError(f"{what} over HTTP is disabled: set DATELINE_REINDEX_TOKEN to enable it",
                            code="reindex_disabled", status=403)
    given = bearer_token()
    if given is None or not _is_token(given):
        raise DatelineError("send the reindex token as `Authorization: Bearer <token>`",
                            code="unauthorized", status=401)


def challenge(response):
    """Name the scheme on a 401 (``WWW-Authenticate``), as HTTP asks; an ``after_request`` hook."""
    if response.status_code == 401:
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="dateline"')
    return response
