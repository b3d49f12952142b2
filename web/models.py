"""The API's response shapes and its requests of its own (reindex, import), as pydantic models.

They describe the JSON the views return (``Answer.to_dict()``, ``Passage.to_dict()``,
``Item.to_record()``, ``Engine.status()``) for the OpenAPI document; the views do not build their
responses through them. Their docstrings and field descriptions are the document's text.
tests/test_web_openapi.py checks every response against them.
"""
from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool
from pydantic_core import PydanticCustomError

from dateline.index.ingest import FORMATS
from dateline.qa.request import (MAX_FILTER_CHARS, MAX_HISTORY_ENTRIES, ChatMessage, DateFrom, DateTo, Place,
                                 RequestModel, Source, TopK)


class ReindexRequest(RequestModel):
    """The body of POST /api/reindex (optional)."""

    full: StrictBool = Field(False, description="Rebuild from scratch instead of incrementally.")


class ReindexStarted(BaseModel):
    """What POST /api/reindex did."""

    status: Literal["started", "already running"]
    full: bool | None = Field(None, description="Whether the rebuild started from scratch.")
    job: int | None = Field(None, description="The rebuild's job (GET /api/jobs/{job_id}): the one started, "
                                              "or the one already queued or running.")


def _year(value: Any) -> Any:
    """A year from a form field: digits, 1800 to 2200."""
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,6}", value.strip()):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1800 <= value <= 2200:
        raise PydanticCustomError("invalid_field", "must be a year from 1800 to 2200")
    return value


def _yes_no(value: Any) -> Any:
    """A form field's true or false ("true", "false", "1", "0", "yes", "no")."""
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    raise PydanticCustomError("invalid_field", "must be true or false")


class ImportForm(RequestModel):
    """The form fields of POST /api/import, beside its `file` parts: `dateline import`'s options."""

    source: Annotated[str, Field(max_length=MAX_FILTER_CHARS), AfterValidator(lambda v: v.strip() or None)] | None = Field(
        None, description="Publication name to give every imported item.")
    year: Annotated[int, Field(ge=1800, le=2200), BeforeValidator(_year)] | None = Field(
        None, description="Year for datelines that give none.")
    format: Literal[FORMATS] | None = Field(  # type: ignore[valid-type]
        None, description="Read every file in this format instead of detecting it.")
    index: Annotated[bool, BeforeValidator(_yes_no)] = Field(
        True, description="Bring the index up to date after the import, in the same job.")


class ProgressOut(BaseModel):
    """How far a job's current phase got."""

    phase: str | None = Field(description="importing (files), then embedding (chunks) when the index is rebuilt.")
    done: int | None
    total: int | None = Field(description="Units of the phase in all; null while unknown.")
    unit: str | None = Field(description="files or chunks.")
    rate: float | None = Field(description="Units per second in the phase; null in its first second.")
    seconds_left: float | None = Field(description="The phase's time left at that rate.")


class RejectionOut(BaseModel):
    """A record that was not imported."""

    file: str = Field(description="The file's name.")
    line: int | None = Field(description="Its line (or record number) in the file.")
    reason: str


class FileReportOut(BaseModel):
    """What the import of one file did (one transaction)."""

    file: str = Field(description="The file's name.")
    format: str
    added: int
    updated: int
    unchanged: int
    rejected: int = Field(description="Records not imported; the rejections of a job list at most 1000 over all its files.")
    undated: int = Field(0, description="Items imported without a date (neither a date nor a year for their "
                                        "dateline's day and month: `--year` gives one).")
    rejections: list[RejectionOut]


class SkippedOut(BaseModel):
    """A file that holds no news dateline can import, with why."""

    file: str
    reason: str


class BuildOut(BaseModel):
    """What an index build did (`dateline index --json`)."""

    model_config = ConfigDict(extra="allow")

    generation: str | None = Field(description="The live generation after the build.")
    published: bool = Field(description="False when the index was already up to date.")
    chunks: int = Field(description="Chunks in the archive, i.e. vectors in the index.")
    chunks_added: int
    chunks_removed: int
    chunks_reused: int = Field(description="Added vectors taken from the embedding cache.")
    embedded: int = Field(description="Chunks embedded by the model in this build.")
    seconds: float


class ImportResultOut(BaseModel):
    """What an import job did: per file its counts and rejections, the files skipped, the totals."""

    files: list[FileReportOut]
    skipped: list[SkippedOut]
    totals: dict[str, int] = Field(description="added, updated, unchanged, rejected and undated over every file.")
    index: BuildOut | None = Field(None, description="The rebuild after the import, when it ran.")


class JobOut(BaseModel):
    """An import or index build: where it stands, how far it got, and what it did."""

    id: int
    kind: Literal["import", "index"]
    state: Literal["queued", "running", "done", "failed"] = Field(
        description="queued waits for the job before it (one writer at a time).")
    origin: Literal["cli", "upload", "watch", "api"] = Field(description="Who started it.")
    progress: ProgressOut | None
    result: ImportResultOut | BuildOut | None = Field(
        description="The summary the CLI prints: an import's (with the rebuild's under index), or a build's. "
                    "Also a failed import's, up to where it stopped.")
    error: str | None = Field(description="Why it failed.")
    created_at: str
    started_at: str | None
    finished_at: str | None


class JobListOut(BaseModel):
    """The latest jobs, newest first."""

    jobs: list[JobOut]


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
                                     "and what follows (its title, excerpt_field \"title\", for a title-only item or a headline "
                                     "that names what is asked).")
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
                                     "(its title, excerpt_field \"title\", for a title-only item or a headline that names "
                                     "what is asked).")
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
    notes: list[str] = Field(description="How the question was read (its filters, a follow-up, a slip of "
                                         "spelling), and what a reader should check: a name, year or "
                                         "quarter the question uses that the story quoted first does not.")
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
    origin: str = Field(description="The file name and line the item was imported from (no directories).")
    metadata: dict


class SourceCount(BaseModel):
    source: str | None
    items: int


class ReindexState(BaseModel):
    enabled: bool
    running: bool


class ReplicaState(BaseModel):
    snapshot: str = Field(description="The snapshot this server answers from (`dateline snapshot`).")
    published_at: str | None = Field(description="When that snapshot went live (UTC, ISO 8601).")
    following: bool = Field(description="Whether the server follows the snapshots folder's pointer to newer ones.")


class StatusOut(BaseModel):
    """Archive and index counts, the live index generation, the model, the date range, and the job under way."""

    items: int
    chunks: int
    generation: str | None = Field(description="The published (CURRENT) index generation.")
    loaded_generation: str | None = Field(description="The generation the answering worker has loaded.")
    vectors: int | None = Field(description="Vectors in the loaded index.")
    model: str
    date_from: str | None
    date_to: str | None
    sources: list[SourceCount]
    reindex: ReindexState
    indexed_at: str | None = Field(None, description="When the published generation was built (UTC, ISO 8601).")
    job: JobOut | None = Field(None, description="The import or build running now (from any origin, the "
                                                 "command line included), else the next queued; null when idle. "
                                                 "Its result is left out: GET /api/jobs/{job_id} has it.")
    replica: ReplicaState | None = Field(None, description="Set on a read-only replica (`dateline serve --data` "
                                                       "a folder of snapshots); null otherwise.")


# -- the OpenAI-compatible endpoints (web/openai_api.py) ----------------------------------------

MODEL_ID = "dateline"  # the one model a chat client sees
_IGNORED = "Accepted for compatibility and ignored: answers are excerpts, not sampled text."


class ChatCompletionRequest(RequestModel):
    """The body of POST /v1/chat/completions: the protocol's fields, plus dateline's filters."""

    model: str | None = Field(None, description=f"`{MODEL_ID}`, the one model GET /v1/models lists.")
    messages: Annotated[list[ChatMessage], Field(min_length=1, max_length=MAX_HISTORY_ENTRIES + 1)] = Field(
        description="The conversation, oldest first; the last message is the user's question.")
    stream: StrictBool = Field(False, description="Answer as server-sent events, ending with `data: [DONE]`.")
    date_from: DateFrom = None
    date_to: DateTo = None
    source: Source = None
    place: Place = None
    top_k: TopK | None = Field(None, description="Items to return: citations plus related (default: the top_k setting).")
    n: Annotated[int, Field(ge=1, le=1)] | None = Field(None, description="Choices to return; only 1.")
    temperature: Any = Field(None, description=_IGNORED)
    top_p: Any = Field(None, description=_IGNORED)
    max_tokens: Any = Field(None, description=_IGNORED)
    max_completion_tokens: Any = Field(None, description=_IGNORED)
    presence_penalty: Any = Field(None, description=_IGNORED)
    frequency_penalty: Any = Field(None, description=_IGNORED)
    logit_bias: Any = Field(None, description=_IGNORED)
    logprobs: Any = Field(None, description=_IGNORED)
    top_logprobs: Any = Field(None, description=_IGNORED)
    seed: Any = Field(None, description=_IGNORED)
    stop: Any = Field(None, description=_IGNORED)
    user: Any = Field(None, description=_IGNORED)
    metadata: Any = Field(None, description=_IGNORED)
    store: Any = Field(None, description=_IGNORED)
    stream_options: Any = Field(None, description=_IGNORED)
    response_format: Any = Field(None, description=_IGNORED)



class ModelOut(BaseModel):
    """The one model a chat client can pick: dateline over this server's archive."""

    id: Literal["dateline"]
    object: Literal["model"]
    created: int
    owned_by: str


class ModelListOut(BaseModel):
    object: Literal["list"]
    data: list[ModelOut]


class MessageOut(BaseModel):
    role: Literal["assistant"]
    content: str = Field(description="The answer in Markdown: its [n] markers, then a numbered sources list "
                                     "(source, dateline, date, linked title of each cited item).")


class ChoiceOut(BaseModel):
    index: int
    message: MessageOut
    finish_reason: Literal["stop"]
    logprobs: dict | None = Field(description="Always null: answers are excerpts, not sampled tokens.")


class ChatCompletionOut(BaseModel):
    """A chat completion; the citations and the whole Answer ride along as extra fields."""

    id: str
    object: Literal["chat.completion"]
    created: int
    model: Literal["dateline"]
    choices: list[ChoiceOut] = Field(min_length=1, max_length=1)
    citations: list[CitationOut] = Field(description="The answer's citations, as in the Answer.")
    answer: AnswerOut = Field(description="The Answer, as POST /api/ask returns it.")


class DeltaOut(BaseModel):
    role: Literal["assistant"] | None = None
    content: str | None = Field(None, description="The next lines of the Markdown answer.")


class ChunkChoiceOut(BaseModel):
    index: int
    delta: DeltaOut
    finish_reason: Literal["stop"] | None
    logprobs: dict | None = Field(description="Always null.")


class ChatCompletionChunkOut(BaseModel):
    """One server-sent event of a streamed completion; the last carries the citations and the Answer."""

    id: str
    object: Literal["chat.completion.chunk"]
    created: int
    model: Literal["dateline"]
    choices: list[ChunkChoiceOut] = Field(min_length=1, max_length=1)
    citations: list[CitationOut] | None = Field(None, description="On the last chunk: the answer's citations.")
    answer: AnswerOut | None = Field(None, description="On the last chunk: the Answer, as POST /api/ask returns it.")


class OpenAIErrorDetail(BaseModel):
    message: str = Field(description="What was wrong and how to fix it.")
    type: str = Field(description="invalid_request_error, authentication_error or server_error.")
    param: str | None = Field(description="The request field to blame, when there is one.")
    code: str | None = Field(description="Stable machine-readable code, e.g. invalid_field, model_not_found.")


class OpenAIErrorOut(BaseModel):
    """Every /v1 response that is not a success, in the chat-completions protocol's shape."""

    error: OpenAIErrorDetail


RESPONSES = (AnswerOut, SearchOut, ItemOut, StatusOut, ReindexStarted, JobOut, JobListOut, ErrorOut,
             ModelListOut, ModelOut, ChatCompletionOut, ChatCompletionChunkOut, OpenAIErrorOut)
