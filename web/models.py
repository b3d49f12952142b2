"""The API's response shapes and its one request of its own (reindex), as pydantic models.

They describe the JSON the views return (``Answer.to_dict()``, ``Passage.to_dict()``,
``Item.to_record()``, ``Engine.status()``) for the OpenAPI document; the views do not build their
responses through them. Their docstrings and field descriptions are the document's text.
tests/test_web_openapi.py checks every response against them.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, StrictBool

from dateline.qa.request import RequestModel


class ReindexRequest(RequestModel):
    """The body of POST /api/reindex (optional)."""

    full: StrictBool = Field(False, description="Rebuild from scratch instead of incrementally.")


class ReindexStarted(BaseModel):
    """What POST /api/reindex did."""

    status: Literal["started", "already running"]
    full: bool | None = Field(None, description="Whether the rebuild started from scratch.")


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. invalid_field.")
    message: str = Field(description="What was wrong and how to fix it.")
    field: str | None = Field(None, description="The request field to blame, when there is one.")


class ErrorOut(BaseModel):
    """Every response that is not a success."""

    error: ErrorDetail


class CopyOut(BaseModel):
    """A syndicated copy of a cited item, grouped with it."""

    item_id: str
    source: str
    title: str
    url: str | None


class RelatedOut(BaseModel):
    """A relevant item the answer does not quote, listed apart from the numbered citations."""

    item_id: str
    title: str
    source: str
    dateline: str = Field(description="The dateline's place, e.g. London.")
    date: str | None = Field(description="ISO date of the item.")
    date_display: str | None = Field(description='"30 Jun 2017"; "30 Jun 2017?" when the year was inferred.')
    year_inferred: bool
    excerpt: str = Field(description="A verbatim span of the item's body: its sentence closest to the question "
                                     "and what follows (its title for a title-only item).")
    start: int = Field(ge=0, description="Offset of the excerpt in the body.")
    end: int = Field(ge=0)
    url: str | None
    score: float
    excerpt_field: Literal["body", "title"]
    also_in: list[CopyOut] = Field(description="Syndicated copies grouped with it.")


class CitationOut(RelatedOut):
    """One numbered source of an answer: a verbatim excerpt of one item that the answer quotes."""

    n: int = Field(ge=1, description="The number of the [n] marker in the answer.")
    excerpt: str = Field(description="A verbatim span of the item's body: the quoted sentence and what follows "
                                     "(its title for a title-only item).")
    highlight: list[int] = Field(min_length=2, max_length=2,
                                 description="Offsets of the answering sentence inside the excerpt.")


class FiltersOut(BaseModel):
    """The filters an answer was searched with: the request's, plus those read from the question."""

    date_from: str | None
    date_to: str | None
    source: str | None
    place: str | None


class NearestOut(BaseModel):
    """An item close to a question the archive holds no answer to."""

    item_id: str
    title: str
    source: str
    dateline: str
    date: str | None
    date_display: str | None
    url: str | None
    score: float


class AnswerOut(BaseModel):
    """An answer: text with [n] markers, the citations they point at, and related items apart."""

    question: str
    answer: str = Field(description="The answer text with [n] citation markers; a digest (a broad question) "
                                    "or a \"when\" answer has one line per citation, led by its date and place.")
    found: bool = Field(description="False when the archive holds no answer.")
    citations: list[CitationOut] = Field(description="Exactly the items the answer quotes, numbered as quoted.")
    filters: FiltersOut
    took_ms: float
    notes: list[str] = Field(description="How the filters were read from the question.")
    nearest: list[NearestOut] = Field(description="When nothing was found: the closest items.")
    related: list[RelatedOut] = Field(description="When found: other relevant items the answer does not quote, "
                                                  "best first, unnumbered.")
    searched: str = Field(description="The text retrieval used (a follow-up's includes the previous question).")
    confidence: float = Field(description="Compared with the no_answer_threshold setting.")


class PassageOut(BaseModel):
    """One ranked passage: a span of an item's body (its title for a title-only item)."""

    item_id: str
    chunk_id: int
    title: str
    source: str
    dateline: str
    date: str | None
    date_display: str | None
    year_inferred: bool
    url: str | None
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    excerpt_field: Literal["body", "title"]
    score: float
    dense_score: float | None
    also_in: list[CopyOut]


class SearchOut(BaseModel):
    query: str
    passages: list[PassageOut]
    took_ms: float


class ItemOut(BaseModel):
    """One whole item with every stored field."""

    id: str
    url: str
    source: str
    title: str
    dateline: str
    date: str | None
    body: str
    date_precision: str | None
    year_inferred: bool
    dateline_text: str
    title_derived: bool
    content_hash: str
    origin: str
    metadata: dict


class SourceCount(BaseModel):
    source: str | None
    items: int


class ReindexState(BaseModel):
    enabled: bool
    running: bool


class StatusOut(BaseModel):
    """Archive and index counts, the live index generation, the model and the date range."""

    items: int
    chunks: int
    generation: str | None = Field(description="The published (CURRENT) index generation.")
    loaded_generation: str | None = Field(description="The generation the answering worker has loaded.")
    vectors: int | None = Field(description="Vectors in the loaded index.")
    model: str
    date_from: str | None
    date_to: str | None
    sources: list[SourceCount]
    pid: int = Field(description="Process id of the server worker that answered.")
    reindex: ReindexState


RESPONSES = (AnswerOut, SearchOut, ItemOut, StatusOut, ReindexStarted, ErrorOut)
