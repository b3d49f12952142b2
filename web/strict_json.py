"""Strict JSON in and out: what a client sends is parsed with bounded nesting and finite numbers
only, and what the app sends is always JSON that any parser reads (no NaN or Infinity).

Python's json module is lenient where a server must not be: it reads ``NaN``, ``Infinity`` and
``1e400`` (as inf), recurses once per nesting level (a body of 60,000 ``[`` overflows the stack),
and writes NaN back out as a bare ``NaN``. ``loads`` refuses all of those with `JSONRejected`
(a ValueError, so Flask's ``request.get_json`` answers 400 too); `StrictJSONProvider` makes the
app use it, and write with ``allow_nan=False``.

>>> loads('{"a": [1, 2.5, "x"]}')
{'a': [1, 2.5, 'x']}
>>> loads('{"score": NaN}')
Traceback (most recent call last):
...
dateline.web.strict_json.JSONRejected: the request body holds NaN: send only finite numbers
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

from flask.json.provider import DefaultJSONProvider

# The deepest body the API reads is an ask with an echoed answer: request > history > turn >
# answer > citations > citation > also_in > copy, 8 levels. Far below Python's recursion limit.
MAX_DEPTH = 32
# No count, offset or score needs more; Python refuses beyond 4,300 digits with a bare ValueError.
MAX_INT_DIGITS = 100

# A JSON string (possibly unterminated: it then runs to the end, so the scan stays linear) or a
# bracket. Brackets inside strings are not nesting.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*+"?|[\[\]{}]', re.S)


class JSONRejected(ValueError):
    """A body that is JSON-shaped but not accepted: too deep, or a number that is not finite."""


def nesting_depth(text: str, limit: int = MAX_DEPTH) -> int:
    """How deeply ``text``'s arrays and objects nest, counting no further than ``limit + 1``."""
    depth = deepest = 0
    for token in _TOKEN.finditer(text):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        elif bracket in "]}":
            depth -= 1
    return deepest


def _constant(name: str) -> Any:
    raise JSONRejected(f"the request body holds {name}: send only finite numbers")


def _float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise JSONRejected(f"the request body holds the number {text[:40]}, too large to be a finite number")
    return value


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise JSONRejected(f"the request body holds an integer of more than {MAX_INT_DIGITS} digits")
    return int(text)


def loads(data: str | bytes | bytearray) -> Any:
    """Parse a request body; JSONRejected when it nests deeper than MAX_DEPTH or holds a number
    that is not finite, json.JSONDecodeError when it is not JSON, UnicodeDecodeError when its
    bytes are not text. A lone surrogate (``"\\ud800"``) parses: `find_surrogate` finds it."""
    if isinstance(data, (bytes, bytearray)):
        # What json.loads does with bytes, done first so that the depth is measured on text.
        data = bytes(data).decode(json.detect_encoding(data), "surrogatepass")
    if nesting_depth(data) > MAX_DEPTH:
        raise JSONRejected(f"the request body nests arrays and objects more than {MAX_DEPTH} levels deep")
    return json.loads(data, parse_constant=_constant, parse_float=_float, parse_int=_int)


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def find_surrogate(data: Any, path: str = "") -> str | None:
    """The path (``history[0].answer``) of the first string in parsed JSON ``data`` that holds a
    lone surrogate, which is not text (no UTF-8 encodes it); ``"body"`` when a key holds one.
    None when every string is text."""
    if isinstance(data, str):
        return (path or "body") if _has_surrogate(data) else None
    if isinstance(data, list):
        for i, value in enumerate(data):
            found = find_surrogate(value, f"{path}[{i}]")
            if found:
                return found
    elif isinstance(data, dict):
        for key, value in data.items():
            if _has_surrogate(key):
                return "body"
            found = find_surrogate(value, f"{path}.{key}" if path else key)
            if found:
                return found
    return None


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading with `loads` and never writing NaN or Infinity (a ValueError,
    hence a logged 500, rather than a body that JSON parsers refuse)."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        kwargs.setdefault("allow_nan", False)
        return super().dumps(obj, **kwargs)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s)
