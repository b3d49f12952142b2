"""The MCP server: ask, search, get_item and archive_status as tools for agents (`dateline mcp`).

It speaks the Model Context Protocol over stdin/stdout through the official `mcp` SDK's
low-level ``Server``, which lets each tool declare the project's own JSON schemas: the request
models of qa/request.py for input (so limits and messages are the API's) and the response
models of web/models.py for output. Arguments are checked here, not by the SDK, so a bad one
gets the same message as in the API, as a tool error the agent can read and correct.

stdout is the protocol channel. While it serves, the SDK points file descriptor 1 at stderr
and writes the protocol through a private duplicate, so a stray print (a library loading the
model) cannot corrupt it; the logs go to stderr too.
"""
from __future__ import annotations

import json
import logging
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field, create_model

from dateline.index import settings
from dateline.index.errors import DatelineError
from dateline.qa.request import AskRequest, FieldError, RequestModel, SearchRequest

from .engine import EngineHolder
from .markdown import answer_markdown
from .models import AnswerOut, ItemOut, SearchOut, StatusOut

log = logging.getLogger(__name__)

SERVER_NAME = "dateline"
CITE = ("Every excerpt is a verbatim span of its item's text: quote it as it is, and cite every claim "
        "with its item's source, dateline place and date, e.g. (Iran Focus, Tehran, 24 Jun 2017). A date "
        "ending in ? has a year inferred from the file, not stated by the item.")
INSTRUCTIONS = ("dateline answers questions from a news archive. Call archive_status to learn which "
                "period and sources it covers, ask for cited answers, search for more passages, and "
                "get_item to read an item whole. The archive knows only what its items report. " + CITE)
INTERNAL_ERROR = "the tool failed unexpectedly; the details are in the server's log (its stderr)"


class ItemRequest(RequestModel):
    """The argument of get_item."""

    item_id: str = Field(min_length=1, description="The item's id: `item_id` in ask or search results.")


class NoArguments(RequestModel):
    """archive_status takes no arguments."""


# StatusOut less what only the web server knows: whether its reindex endpoint is enabled, when
# its index was built, the job under way and the snapshot a replica serves. The fields, with
# their descriptions, stay StatusOut's own.
ArchiveStatusOut = create_model(
    "ArchiveStatusOut", __doc__="Archive and index counts, the published index generation, the model, "
                                "the date range and the sources.",
    **{name: (field.annotation, field) for name, field in StatusOut.model_fields.items()
       if name not in ("reindex", "indexed_at", "job", "replica")})


@dataclass(frozen=True)
class ToolSpec:
    """One tool: its name, what an agent reads about it, its argument and result models."""

    name: str
    title: str
    description: str
    request: type[RequestModel]
    result: type[BaseModel]
    run: Callable[[Tools, Any], tuple[str, dict]]  # checked arguments -> (text, structured result)
    hidden: tuple[str, ...] = ()  # request fields the tool does not offer

    def input_schema(self) -> dict:
        """The request model's JSON schema, less the hidden fields and the definitions only they used."""
        schema = self.request.model_json_schema()
        for name in self.hidden:
            schema["properties"].pop(name, None)
        defs, kept = schema.pop("$defs", {}), {}
        used = json.dumps(schema)
        while new := {k for k in defs if k not in kept and f'"#/$defs/{k}"' in used}:  # refs of refs too
            kept.update((k, defs[k]) for k in new)
            used += json.dumps([defs[k] for k in new])
        return {**schema, **({"$defs": kept} if kept else {})}

    def output_schema(self) -> dict:
        """The JSON schema of the structured result, as the response model serializes."""
        return self.result.model_json_schema(mode="serialization")

    def checked(self, arguments: dict) -> Any:
        """Validate ``arguments`` as the API would; raise FieldError naming the first bad one."""
        offered = [name for name in self.request.model_fields if name not in self.hidden]
        for name in arguments:
            if name not in offered:
                raise FieldError(name, f"unknown field `{name}`; known fields: {', '.join(offered) or 'none'}",
                                 code="unknown_field")
        return self.request.checked(arguments)


class Tools:
    """The tools over one data directory: its engine is made on first use and picks up a newly
    published index (`dateline index`) within the reload_interval setting, as the web app's does."""

    def __init__(self, data_dir: str, *, engine: Any = None):
        self.holder = EngineHolder(str(data_dir), model=settings.get("model") or None,
                                   reload_interval=float(settings.get("reload_interval")), engine=engine)
        # Citations link to <public_url>/items/<id>; with no public URL the links are relative.
        self.base_url = str(settings.get("public_url") or "").rstrip("/")

    def call(self, name: str, arguments: dict) -> Any:
        """Run tool ``name``; a DatelineError, or any failure, is a tool error the agent can read."""
        from mcp.types import CallToolResult, TextContent

        def error(message: str) -> CallToolResult:
            return CallToolResult(content=[TextContent(type="text", text=message)], is_error=True)

        spec = TOOLS.get(name)
        if spec is None:
            return error(f"no tool named {name!r}; the tools are {', '.join(TOOLS)}")
        try:
            text, result = spec.run(self, spec.checked(arguments))
        except DatelineError as e:
            log.info("%s: %s", name, e.message)
            return error(e.message)
        except Exception:
            log.exception("%s failed", name)
            return error(INTERNAL_ERROR)
        return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=result)

    # -- the tools ---------------------------------------------------------------------------

    def ask(self, asked: AskRequest) -> tuple[str, dict]:
        """Answer the question: its Markdown (markers, then linked sources) and the Answer JSON."""
        answer = self.holder.get().ask(asked.question, **asked.model_dump(exclude={"question", "history"}))
        data = answer.to_dict()
        return answer_markdown(data, self.base_url), data

    def search(self, wanted: SearchRequest) -> tuple[str, dict]:
        """Rank passages for the query, as GET /api/search does."""
        started = time.perf_counter()
        passages = self.holder.get().search(wanted.q, **wanted.model_dump(exclude={"q"}))
        data = {"query": wanted.q, "passages": [p.to_dict() for p in passages],
                "took_ms": round((time.perf_counter() - started) * 1000, 1)}
        return _json_text(data), data

    def get_item(self, wanted: ItemRequest) -> tuple[str, dict]:
        """Return the whole item; DatelineError when no item has the id."""
        item = self.holder.get().get_item(wanted.item_id)
        if item is None:
            raise DatelineError(f"no item with id {wanted.item_id!r}", code="not_found", status=404)
        data = item.to_record()
        return _json_text(data), data

    def archive_status(self, _: NoArguments) -> tuple[str, dict]:
        """Return the engine's status: counts, date range, sources, index generation, model."""
        info = self.holder.get().status()
        data = {name: info[name] for name in ArchiveStatusOut.model_fields}
        return _json_text(data), data


def _json_text(data: dict) -> str:
    # The spec asks a tool with structured results to return them as JSON text too, for clients
    # that only show text.
    return json.dumps(data, ensure_ascii=False, indent=1)


TOOLS = {spec.name: spec for spec in (
    ToolSpec(
        "ask", "Ask the news archive",
        "Answer a question from the news archive with numbered, cited excerpts. Use it for questions "
        "about what the archive's items report; it reads dates (\"in June 2017\", \"on 24 June\"), places "
        "and sources from the question, and the optional filters narrow it further. Returns the answer as "
        "text with [n] markers and a Sources list, and the whole answer as structured content: each "
        "citation's excerpt with its offsets (start, end) in the item's body, source, dateline place, "
        "date and item_id; related items the answer does not quote; notes on how the question was read "
        "and on a name, year or quarter it uses that the story quoted first does not. "
        "When `found` is false the archive holds no answer: say so, and do not answer from elsewhere; "
        "`nearest` lists the closest items. " + CITE,
        AskRequest, AnswerOut, Tools.ask, hidden=("history",)),
    ToolSpec(
        "search", "Search the news archive",
        "Rank passages of the archive for a query, without composing an answer. Use it to explore a "
        "topic, to gather more evidence than ask cites, or to find item ids; then get_item reads an item "
        "whole. Returns up to k passages, best first, each a span of an item's body (text, start, end) "
        "with its item_id, source, dateline place, date and score. " + CITE,
        SearchRequest, SearchOut, Tools.search),
    ToolSpec(
        "get_item", "Read one item",
        "Return one item of the archive whole, with every stored field: id, source, title, dateline "
        "place, date, body, url and where it was imported from. Use it to read the context of a cited "
        "excerpt (body[start:end] is the excerpt) or to check a quotation. An unknown id is an error. "
        + CITE,
        ItemRequest, ItemOut, Tools.get_item),
    ToolSpec(
        "archive_status", "Describe the archive",
        "Return what the archive holds: its item and indexed chunk counts, the date range of its items, "
        "its sources with their item counts, the published index generation and the embedding model. "
        "Use it first, to learn which period and sources questions can be asked about.",
        NoArguments, ArchiveStatusOut, Tools.archive_status),
)}


def make_server(tools: Tools):
    """Make the SDK's low-level Server offering ``tools`` (listed with their schemas)."""
    from importlib.metadata import version

    import anyio
    from mcp.server import Server
    from mcp.types import CallToolRequestParams, ListToolsResult, Tool, ToolAnnotations

    listed = [Tool(name=s.name, title=s.title, description=s.description, input_schema=s.input_schema(),
                   output_schema=s.output_schema(),
                   annotations=ToolAnnotations(read_only_hint=True, open_world_hint=False))
              for s in TOOLS.values()]

    async def list_tools(ctx, params) -> ListToolsResult:
        return ListToolsResult(tools=listed)

    async def call_tool(ctx, params: CallToolRequestParams):
        # The engine blocks (the model, FAISS, SQLite): a worker thread keeps the protocol answering.
        return await anyio.to_thread.run_sync(tools.call, params.name, params.arguments or {})

    return Server(SERVER_NAME, version=version("dateline"), title="dateline news archive", instructions=INSTRUCTIONS,
                  on_list_tools=list_tools, on_call_tool=call_tool)


def serve(data_dir: str) -> None:
    """Serve the tools over ``data_dir`` on stdin/stdout until the client closes stdin.

    The model and the index load in the background at once, so the first question does not wait
    for them; a missing index is logged, and each tool call says which command to run.
    """
    import anyio
    from mcp.server.stdio import stdio_server

    if not logging.getLogger().handlers:
        logging.basicConfig(stream=sys.stderr, level=logging.WARNING,
                            format="[%(asctime)s] [%(levelname)s] %(name)s: %(message)s")
        logging.getLogger("dateline").setLevel(logging.INFO)
    tools = Tools(data_dir)
    server = make_server(tools)

    async def run() -> None:
        async with stdio_server() as (read_stream, write_stream):
            threading.Thread(target=tools.holder.warm, name="warm", daemon=True).start()
            await server.run(read_stream, write_stream, server.create_initialization_options())

    log.info("MCP server on %s", data_dir)
    anyio.run(run)
