"""The HTML pages: the chat (rendered by static/chat.js from the JSON API), the item page, and
the archive page (static/archive.js: uploads, jobs, counts).

Item text is untrusted: templates autoescape it, the chat script only ever sets textContent,
and every page carries a Content-Security-Policy that allows no inline script.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from flask import Blueprint, current_app, render_template, request

from dateline.index.dates import display_date
from dateline.index.errors import DatelineError
from dateline.qa.request import MAX_FILTER_CHARS, MAX_QUESTION_CHARS, FieldError

from .engine import get_engine
from .errors import log_if_ours, without_paths

bp = Blueprint("pages", __name__)

CSP = ("default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")


@bp.after_app_request
def _headers(response):
    """Lock every response down: no sniffing, no framing, no inline script on pages."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


@bp.after_app_request
def _relative_redirects(response):
    """Point redirects at a path on this server, never at the Host header the client sent.

    werkzeug writes its own redirects (``/api//status`` to ``/api/status``) as absolute URLs
    built from the Host header, so ``Host: evil.example`` would come back in ``Location``.
    dateline never sends a reader to another site, so every Location becomes a path.
    """
    location = response.headers.get("Location")
    if location:
        parts = urlsplit(location)
        if parts.scheme or parts.netloc:
            # One leading slash: "//evil.example/x" would be read as another host again.
            path = "/" + parts.path.lstrip("/")
            response.headers["Location"] = urlunsplit(("", "", path, parts.query, parts.fragment))
    return response


@bp.app_template_filter("date_display")
def date_display(item) -> str:
    """An item's date as the citation cards show it: "30 Jun 2017", "?" marking an inferred year."""
    return display_date(item.date, item.date_precision, item.year_inferred) if item.date else ""


@bp.errorhandler(DatelineError)
def page_error(e: DatelineError):
    """A page a browser opened fails as a page, with the message and the way back to the chat
    (the API's errors stay JSON)."""
    log_if_ours(e)
    heading = "No such item" if e.status == 404 else "This page cannot be shown"
    return render_template("error.html", status=e.status, heading=heading,
                           message=without_paths(e.message)), e.status


@bp.get("/")
def chat():
    """The chat page."""
    return render_template("chat.html", max_question=MAX_QUESTION_CHARS, max_filter=MAX_FILTER_CHARS)


@bp.get("/archive")
def archive():
    """The archive page: upload files to import, follow the jobs, see the counts and date range."""
    from dateline.index.ingest import FORMATS

    return render_template("archive.html", formats=FORMATS, max_filter=MAX_FILTER_CHARS,
                           upload_max_mb=current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024))


# ASCII digits only: str.isdigit() takes "²" and "٣", which int() then refuses. 18 digits
# exceed any body; Python's int() refuses strings past 4,300 digits with a bare ValueError.
_OFFSET = re.compile(r"[0-9]{1,18}")


def _offset(name: str) -> int | None:
    """The query parameter ``name`` as a body offset; None when absent, FieldError when not one."""
    value = request.args.get(name)
    if value is None or value == "":
        return None
    if not _OFFSET.fullmatch(value):
        raise FieldError(name, f"`{name}` must be a character offset (a whole number of at most 18 digits)")
    return int(value)


@bp.get("/items/<path:item_id>")
def item(item_id: str):
    """One whole item, with the cited excerpt (``?start=&end=`` body offsets) marked."""
    start, end = _offset("start"), _offset("end")
    found = get_engine().get_item(item_id)
    if found is None:
        raise DatelineError(f"no item with id {item_id!r}", code="not_found", status=404)
    body = found.body
    parts = (body, "", "")
    if start is not None and end is not None:
        if start > end:
            raise FieldError("end", "`end` is before `start`")
        start, end = min(start, len(body)), min(end, len(body))
        parts = (body[:start], body[start:end], body[end:])
    return render_template("item.html", item=found, before=parts[0], marked=parts[1], after=parts[2])
