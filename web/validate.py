"""Read and check API input; every problem is a FieldError that names the field."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Mapping

from .errors import FieldError

MAX_QUESTION = 1000
MAX_TEXT = 200
MAX_HISTORY = 20
MAX_TOP_K = 20
MAX_K = 50
# Years 1000-9999, months 01-12, days 01-31; whether the day exists in its month is checked after.
DATE_PATTERN = r"^[1-9][0-9]{3}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"
_ISO_DATE = re.compile(DATE_PATTERN)

ASK_FIELDS = ("question", "history", "date_from", "date_to", "source", "place", "top_k")
SEARCH_FIELDS = ("q", "k", "date_from", "date_to", "source", "place")


def text(value: Any, field: str, *, required: bool = False, limit: int = MAX_TEXT) -> str | None:
    """A non-empty string of at most ``limit`` characters, or None when absent or blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise FieldError(field, f"`{field}` is required and must not be empty",
                             code="missing_field")
        return None
    if not isinstance(value, str):
        raise FieldError(field, f"`{field}` must be a string")
    if len(value) > limit:
        raise FieldError(field, f"`{field}` is longer than {limit} characters")
    return value.strip()


def iso_date(value: Any, field: str) -> str | None:
    """A date written YYYY-MM-DD, YYYY-MM (a month) or YYYY (a year); None when absent."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise FieldError(field, f"`{field}` must be a string written YYYY-MM-DD, YYYY-MM or YYYY")
    m = _ISO_DATE.fullmatch(value)
    try:
        if not m:
            raise ValueError
        dt.date(*(int(part) for part in (value + "-01-01"[len(value) - 4:]).split("-")))
    except ValueError:
        raise FieldError(field, f"`{field}` must be a date written YYYY-MM-DD, YYYY-MM or YYYY, "
                         f"got {value!r}") from None
    return value


def _first_day(date: str) -> str:
    return date + "-01-01"[len(date) - 4:] if len(date) < 10 else date


def _last_day(date: str) -> str:
    # "31" as a string bound is after every real day of any month, which is all a comparison needs.
    return date + "-12-31"[len(date) - 4:] if len(date) < 10 else date


def integer(value: Any, field: str, *, default: int, low: int, high: int, query: bool = False) -> int:
    """An integer in [low, high]; with ``query``, a string of digits (a query parameter)."""
    if value is None:
        return default
    if query and isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,6}", value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldError(field, f"`{field}` must be an integer from {low} to {high}")
    if not low <= value <= high:
        raise FieldError(field, f"`{field}` must be from {low} to {high}, got {value}")
    return value


def _unknown(data: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    for key in data:
        if key not in allowed:
            raise FieldError(key, f"unknown field `{key}`; known fields: {', '.join(allowed)}",
                             code="unknown_field")


def _filters(data: Mapping[str, Any]) -> dict:
    filters = {
        "date_from": iso_date(data.get("date_from"), "date_from"),
        "date_to": iso_date(data.get("date_to"), "date_to"),
        "source": text(data.get("source"), "source"),
        "place": text(data.get("place"), "place"),
    }
    if (filters["date_from"] and filters["date_to"]
            and _first_day(filters["date_from"]) > _last_day(filters["date_to"])):
        raise FieldError("date_to", "`date_to` is before `date_from`")
    return filters


def _history(value: Any) -> list[dict] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise FieldError("history", "`history` must be a list of {question, answer} turns")
    if len(value) > MAX_HISTORY:
        raise FieldError("history", f"`history` holds more than {MAX_HISTORY} turns")
    turns = []
    for i, turn in enumerate(value):
        field = f"history[{i}]"
        if not isinstance(turn, dict):
            raise FieldError(field, f"`{field}` must be an object with `question` and `answer`")
        _unknown(turn, ("question", "answer"))
        question = text(turn.get("question"), f"{field}.question", required=True, limit=MAX_QUESTION)
        answer = turn.get("answer")
        if not isinstance(answer, dict):
            raise FieldError(f"{field}.answer", f"`{field}.answer` must be the answer object "
                             "that /api/ask returned for that question")
        turns.append({"question": question, "answer": answer})
    return turns


def ask_request(data: Any) -> dict:
    """The keyword arguments of ``Engine.ask`` from a POST /api/ask body."""
    if not isinstance(data, dict):
        raise FieldError("body", "the request body must be a JSON object", status=400, code="bad_request")
    _unknown(data, ASK_FIELDS)
    return {
        "question": text(data.get("question"), "question", required=True, limit=MAX_QUESTION),
        "history": _history(data.get("history")),
        "top_k": integer(data.get("top_k"), "top_k", default=_default_top_k(), low=1, high=MAX_TOP_K),
        **_filters(data),
    }


def search_request(args: Mapping[str, str]) -> dict:
    """The keyword arguments of ``Engine.search`` from GET /api/search's query string."""
    _unknown(args, SEARCH_FIELDS)
    return {
        "q": text(args.get("q"), "q", required=True, limit=MAX_QUESTION),
        "k": integer(args.get("k"), "k", default=10, low=1, high=MAX_K, query=True),
        **_filters(args),
    }


def _default_top_k() -> int:
    from dateline.index import settings

    return min(max(int(settings.get("top_k")), 1), MAX_TOP_K)
