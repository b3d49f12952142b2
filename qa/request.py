"""What a question or a search may ask: one set of limits and checks for the CLI, the API and its
OpenAPI document.

``AskRequest.checked(data)`` and ``SearchRequest.checked(data)`` validate a request and raise
`FieldError` naming the first bad field, with the same code and message wherever the request came
from; the web app serves their JSON schemas as the OpenAPI document's request schemas.

>>> AskRequest.checked({"question": " Who? ", "top_k": 3}).question
'Who?'
>>> SearchRequest.checked({"q": "oil", "k": "0"})
Traceback (most recent call last):
...
dateline.qa.request.FieldError: `k` must be from 1 to 50, got 0
"""
from __future__ import annotations

import datetime as dt
import re
import typing
from typing import Annotated, Any, Literal, Self

from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag,
                      ValidationError, field_validator, model_serializer, model_validator)
from pydantic_core import PydanticCustomError

from dateline.index.errors import DatelineError

# The limits the API has always enforced; the engine's wider ones (2,000 characters, k <= 100)
# and its own error codes went when every caller came to check through these models.
MAX_QUESTION_CHARS = 1000  # a question, not a pasted article; the chat page's box stops here too
MAX_FILTER_CHARS = 200  # a source or place name
MAX_HISTORY_TURNS = 20  # bounds the body: a follow-up leans on the last few turns only (qa/chat.py)
MAX_HISTORY_ENTRIES = 2 * MAX_HISTORY_TURNS  # as chat messages, a turn is a question and an answer
MAX_MESSAGE_CHARS = 20000  # an earlier message: an answer with its sources list fits easily
MAX_TOP_K = 20  # citations per answer
MAX_ITEM_ID_CHARS = 2000  # an item id sent back in a history: most are 16 hex digits
MAX_SEARCH_K = 50  # passages per search
DEFAULT_SEARCH_K = 10
# A year, a month or a day that exists, as the API's schema states it: a client (or a fuzzer) that
# follows the schema is never refused. A month's own number of days, and 29 February only in
# leap years (every fourth year, but of the centuries only every fourth: 2000, not 1900).
_LEAP_YEAR = r"(?:[1-9][0-9](?:0[48]|[2468][048]|[13579][26])|(?:[2468][048]|[13579][26])00)"
_MONTH_DAY = (r"(?:(?:0[13578]|1[02])(?:-(?:0[1-9]|[12][0-9]|3[01]))?"
              r"|(?:0[469]|11)(?:-(?:0[1-9]|[12][0-9]|30))?"
              r"|02(?:-(?:0[1-9]|1[0-9]|2[0-8]))?)")
DATE_PATTERN = rf"^(?:[1-9][0-9]{{3}}(?:-{_MONTH_DAY})?|{_LEAP_YEAR}-02-29)$"
_ISO_DATE = re.compile(DATE_PATTERN)
_DATE_FORMS = "YYYY-MM-DD, YYYY-MM or YYYY"


class FieldError(DatelineError):
    """A request field that is missing or invalid; the message and ``field`` name it."""

    def __init__(self, field: str, message: str, *, code: str = "invalid_field", status: int = 422):
        super().__init__(message, code=code, status=status)
        self.field = field


# -- field types ---------------------------------------------------------------------------

def _invalid(message: str) -> PydanticCustomError:
    """A field's own error: ``message`` follows the field's name, e.g. "must be a string"."""
    return PydanticCustomError("invalid_field", message)


def _stripped(value: str) -> str:
    return value.strip()


def _blank_is_none(value: str) -> str | None:
    return value.strip() or None


def _calendar_date(value: Any) -> Any:
    """Check a day, month or year written as ISO; a date that does not exist is refused."""
    if not isinstance(value, str):
        raise _invalid(f"must be a string written {_DATE_FORMS}")
    try:
        if not _ISO_DATE.fullmatch(value):
            raise ValueError
        dt.date(*(int(part) for part in _first_day(value).split("-")))
    except ValueError:
        raise _invalid(f"must be a date written {_DATE_FORMS}, got {value!r}") from None
    return value


def _first_day(date: str) -> str:
    return date + "-01-01"[len(date) - 4:] if len(date) < 10 else date


def _last_day(date: str) -> str:
    # "31" as a string bound is after every real day of any month, which is all a comparison needs.
    return date + "-12-31"[len(date) - 4:] if len(date) < 10 else date


def _count(low: int, high: int, *, from_text: bool = False) -> Any:
    """An integer in [low, high]; with ``from_text`` also a string of digits (a query parameter)."""
    def check(value: Any) -> int:
        if from_text and isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,6}", value):
            value = int(value)
        # JSON's true is not a count, nor is "5" in a JSON body.
        if isinstance(value, bool) or not isinstance(value, int):
            raise _invalid(f"must be an integer from {low} to {high}")
        if not low <= value <= high:
            raise _invalid(f"must be from {low} to {high}, got {value}")
        return value
    return Annotated[int, Field(ge=low, le=high), BeforeValidator(check)]


Question = Annotated[str, Field(min_length=1, max_length=MAX_QUESTION_CHARS, pattern=r"\S"),
                     AfterValidator(_stripped)]
IsoDate = Annotated[str, Field(pattern=DATE_PATTERN), BeforeValidator(_calendar_date)]
FilterName = Annotated[str, Field(max_length=MAX_FILTER_CHARS), AfterValidator(_blank_is_none)]
DateFrom = Annotated[IsoDate | None, Field(description=f"Only items dated on or after this day, month or year "
                                                       f"({_DATE_FORMS}).")]
DateTo = Annotated[IsoDate | None, Field(description=f"Only items dated on or before this day, month or year "
                                                     f"({_DATE_FORMS}).")]
Source = Annotated[FilterName | None, Field(description="Only items of this source (publication).")]
Place = Annotated[FilterName | None, Field(description="Only items with this dateline place.")]
TopK = _count(1, MAX_TOP_K)
SearchK = _count(1, MAX_SEARCH_K, from_text=True)

_STRICT = ConfigDict(extra="forbid", regex_engine="python-re")


class RequestModel(BaseModel):
    """A request: unknown fields refused, dates in order, every error a FieldError (``checked``)."""

    model_config = _STRICT

    @classmethod
    def checked(cls, data: Any) -> Self:
        """Validate ``data`` (a JSON object or query string as a dict); raise FieldError if it is bad."""
        try:
            return cls.model_validate(data)
        except ValidationError as e:
            raise field_error(e, cls) from None

    def filters(self) -> dict:
        """``date_from``, ``date_to``, ``source`` and ``place`` as keyword arguments."""
        return {name: getattr(self, name, None) for name in ("date_from", "date_to", "source", "place")}

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        first, last = getattr(self, "date_from", None), getattr(self, "date_to", None)
        if first and last and _first_day(first) > _last_day(last):
            raise PydanticCustomError("invalid_field", "is before `date_from`", {"field": "date_to"})
        return self


# -- requests ------------------------------------------------------------------------------

class _Echoed(BaseModel):
    """Part of an earlier answer as a client sends it back: the fields a follow-up reads are
    checked, strictly typed (a citation's ``"start": "abc"`` is refused, not cast); the rest of
    what the client echoes (titles, excerpts, related items) is accepted and dropped, since
    nothing reads it."""

    model_config = ConfigDict(extra="ignore", strict=True, regex_engine="python-re")

    @model_serializer(mode="wrap")
    def _as_sent(self, handler: Any) -> dict:
        # What the client sent, less what nothing reads: no None for the fields it left out.
        return {k: v for k, v in handler(self).items() if k in self.model_fields_set}


Offset = Annotated[int, Field(ge=0)]


class HistoryCitation(_Echoed):
    """A citation of an earlier answer: which item it quoted, where, and how it scored."""

    n: Offset | None = Field(None, description="The number of its [n] marker.")
    item_id: Annotated[str, Field(min_length=1, max_length=MAX_ITEM_ID_CHARS)] | None = None
    start: Offset | None = Field(None, description="Offset of the excerpt in the item's body.")
    end: Offset | None = None
    highlight: Annotated[list[Offset], Field(min_length=2, max_length=2)] | None = Field(
        None, description="Offsets of the quoted sentence inside the excerpt.")
    score: Annotated[float, Field(allow_inf_nan=False)] | None = None


class HistoryFilters(_Echoed):
    """The filters an earlier answer was searched with; a follow-up keeps them."""

    date_from: IsoDate | None = None
    date_to: IsoDate | None = None
    # Read from the question as well as from the request: a question-length name at most.
    source: Annotated[str, Field(max_length=MAX_QUESTION_CHARS)] | None = None
    place: Annotated[str, Field(max_length=MAX_QUESTION_CHARS)] | None = None


class HistoryAnswer(_Echoed):
    """The Answer that /api/ask returned, as a client sends it back (any other field is ignored)."""

    answer: Annotated[str, Field(max_length=MAX_MESSAGE_CHARS)] | None = Field(
        None, description="The answer text with its [n] markers.")
    citations: Annotated[list[HistoryCitation], Field(max_length=MAX_TOP_K)] | None = None
    filters: HistoryFilters | None = None


class HistoryTurn(BaseModel):
    """One earlier exchange of a conversation, as the chat page sends it back."""

    model_config = _STRICT

    question: Question = Field(description="The question asked then.")
    answer: HistoryAnswer = Field(description="The Answer that /api/ask returned for that question.")


class TextPart(BaseModel):
    """One part of a chat message's content, in the chat-completions protocol's list form."""

    model_config = _STRICT

    type: Literal["text"]
    text: Annotated[str, Field(max_length=MAX_MESSAGE_CHARS)]


class ChatMessage(BaseModel):
    """One earlier message of a conversation in the chat-completions shape: a user's question or an
    assistant's answer (dateline's own Markdown answer lets a follow-up find the items it cited)."""

    model_config = _STRICT

    role: Literal["user", "assistant", "system", "developer"] = Field(
        description="Who wrote it; system and developer messages are ignored.")
    content: Annotated[str, Field(max_length=MAX_MESSAGE_CHARS)] | list[TextPart] | None = Field(
        description="The text, or a list of text parts.")
    name: Annotated[str, Field(max_length=MAX_FILTER_CHARS)] | None = None

    def text(self) -> str:
        """The content as one string."""
        if isinstance(self.content, list):
            return "\n".join(part.text for part in self.content)
        return self.content or ""


def _history_shape(entry: Any) -> str:
    """Which shape a history entry (JSON, or a model being serialized) has: messages carry a role."""
    return "message" if isinstance(entry, ChatMessage) or isinstance(entry, dict) and "role" in entry else "turn"


# Union tags, which pydantic puts in an error's location; they are not field names.
_SHAPES = {"turn": HistoryTurn, "message": ChatMessage}
HistoryEntry = Annotated[Annotated[HistoryTurn, Tag("turn")] | Annotated[ChatMessage, Tag("message")],
                         Discriminator(_history_shape)]


class AskRequest(RequestModel):
    """A question and its filters, as POST /api/ask, `dateline ask` and `Engine.ask` take it."""

    question: Question = Field(description="The question, in plain words; it may name dates, sources or places.")
    history: Annotated[list[HistoryEntry], Field(max_length=MAX_HISTORY_ENTRIES)] | None = Field(
        None, description="Earlier turns of this conversation, oldest first, for follow-ups: "
                          "{question, answer} turns or {role, content} chat messages. A follow-up that "
                          "points back (\"Who is its chairman?\") is answered from the items the last "
                          "answer cited; \"Tell me more\" shows what follows the excerpt it showed, "
                          "which needs that answer's citations with their offsets sent back.")
    date_from: DateFrom = None
    date_to: DateTo = None
    source: Source = None
    place: Place = None
    top_k: TopK | None = Field(
        None, validate_default=True, description="Citations to return (default: the top_k setting).")

    @field_validator("top_k")
    @classmethod
    def _default_top_k(cls, value: int | None) -> int:
        if value is not None:
            return value
        from dateline.index import settings

        return min(max(int(settings.get("top_k")), 1), MAX_TOP_K)


class SearchRequest(RequestModel):
    """A search without an answer, as GET /api/search and `Engine.search` take it."""

    q: Question = Field(description="The query: a question or keywords.")
    k: SearchK = Field(DEFAULT_SEARCH_K, description="Passages to return.")
    date_from: DateFrom = None
    date_to: DateTo = None
    source: Source = None
    place: Place = None


def checked_answer(data: Any, where: tuple) -> dict:
    """An earlier answer as a client sent it back, reduced to what a follow-up reads (`HistoryAnswer`);
    FieldError naming the bad field under ``where``, e.g. ``("history", 0, "answer")``."""
    try:
        return HistoryAnswer.model_validate(data).model_dump()
    except ValidationError as e:
        raise field_error(e, HistoryAnswer, where) from None


def cited(answer: dict | None) -> list[dict]:
    """The citations of an earlier answer (as a client sent it back) that name an item."""
    return [c for c in (answer or {}).get("citations") or [] if isinstance(c, dict) and c.get("item_id")]


# -- errors --------------------------------------------------------------------------------

# A str holding half of a UTF-16 pair ("\ud800" in JSON) is no text: no UTF-8 encodes it.
NOT_TEXT = "holds a lone surrogate (such as \\ud800), which is not text: send valid Unicode"

# pydantic's own checks, said in terms of the field: (code, what follows the field's name).
_MESSAGES = {
    "missing": ("missing_field", "is required and must not be empty"),
    "string_too_short": ("missing_field", "is required and must not be empty"),
    "string_pattern_mismatch": ("missing_field", "is required and must not be empty"),
    "string_type": ("invalid_field", "must be a string"),
    "string_too_long": ("invalid_field", "is longer than {max_length} characters"),
    "list_type": ("invalid_field", "must be a list"),
    "too_long": ("invalid_field", "holds more than {max_length} entries"),
    "dict_type": ("invalid_field", "must be a JSON object"),
    "model_type": ("invalid_field", "must be a JSON object"),
    "bool_type": ("invalid_field", "must be true or false"),
    "literal_error": ("invalid_field", "must be one of {expected}"),
    "string_unicode": ("invalid_field", NOT_TEXT),
    "int_type": ("invalid_field", "must be an integer"),
    "float_type": ("invalid_field", "must be a number"),
    "finite_number": ("invalid_field", "must be a finite number"),
    "greater_than_equal": ("invalid_field", "must be at least {ge}"),
    "too_short": ("invalid_field", "holds fewer than {min_length} entries"),
}


def field_error(e: ValidationError, model: type[BaseModel], prefix: tuple = ()) -> FieldError:
    """The FieldError for ``e``'s first problem (an unknown field first), naming the field
    (after ``prefix``, the location of what ``model`` validated, e.g. ``("history", 0, "answer")``).

    >>> try:
    ...     AskRequest.model_validate({"question": "q", "history": [{"question": "a"}]})
    ... except ValidationError as e:
    ...     print(field_error(e, AskRequest).field)
    history[0].answer
    """
    errors = sorted(e.errors(), key=lambda err: err["type"] != "extra_forbidden")
    err = errors[0]
    loc, kind, ctx = err["loc"], err["type"], err.get("ctx") or {}
    field = ctx.get("field") or _field_name(prefix + loc, keep_last=kind == "extra_forbidden")
    if not loc and not prefix and kind == "model_type":
        return FieldError("body", "the request body must be a JSON object", status=400, code="bad_request")
    if kind == "extra_forbidden":
        known = ", ".join(_model_at(model, loc[:-1]).model_fields)
        return FieldError(field, f"unknown field `{field}`; known fields: {known}", code="unknown_field")
    if kind in _MESSAGES:
        code, text = _MESSAGES[kind]
        return FieldError(field, f"`{field}` " + text.format(**ctx), code=code)
    if kind == "invalid_field":  # raised by the checks above, message and all
        return FieldError(field, f"`{field}` {err['msg']}", code=kind)
    return FieldError(field, f"`{field}`: {err['msg'][:1].lower()}{err['msg'][1:]}")


def _field_name(loc: tuple, *, keep_last: bool = False) -> str:
    """``("history", 0, "answer")`` as ``history[0].answer``; ``keep_last`` keeps the last part
    whatever it is (an unknown field's name as the client wrote it)."""
    name = ""
    for i, part in enumerate(loc):
        # Union tags ("turn", "constrained-str", "list[TextPart]") are not field names; every
        # field name of these models is an identifier.
        if not (keep_last and i == len(loc) - 1) and (
                part in _SHAPES or isinstance(part, str) and not part.isidentifier()):
            continue
        name += f"[{part}]" if isinstance(part, int) else f".{part}" if name else part
    return name


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel]:
    """The model that validates the object at ``loc`` inside ``model`` (for its field names)."""
    for part in loc:
        if part in _SHAPES:
            model = _SHAPES[part]
        elif isinstance(part, str) and part in model.model_fields:  # not a union tag
            model = next(t for t in _types(model.model_fields[part].annotation)
                         if isinstance(t, type) and issubclass(t, BaseModel))
    return model


def _types(annotation: Any) -> list:
    """``annotation`` and every type nested in it (list[X] | None gives list, X, None)."""
    return [annotation, *(t for arg in typing.get_args(annotation) for t in _types(arg))]
