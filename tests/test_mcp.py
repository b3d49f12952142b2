"""`dateline mcp` as an MCP client sees it: the official SDK's stdio client starts the real
command on the indexed sample archive, lists the tools, asks, searches, reads items, and gets
the project's own messages back as tool errors while the server keeps running."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import quote

import anyio
import pytest
from mcp import ClientSession, StdioServerParameters, stdio_client

from conftest import HOSTILE, SEED
from dateline.index.generations import current_generation
from dateline.index.store import Archive
from dateline.qa.request import MAX_TOP_K

pytestmark = pytest.mark.slow

TOOLS = {"ask", "search", "get_item", "archive_status"}
QUESTION = "How many political prisoners were murdered in the 1988 massacre?"
PUBLIC_URL = "https://news.example.org"
CALL_TIMEOUT_S = 300  # the first call waits for the model to load on a busy CI machine


def with_server(data: Path, steps, env: dict | None = None):
    """Start `python -m dateline mcp --data DATA` through the SDK's stdio client, run
    ``await steps(session)`` and return its result; the server's stderr is in any failure."""
    params = StdioServerParameters(command=sys.executable, args=["-m", "dateline", "mcp", "--data", str(data)],
                                   env={**os.environ, **(env or {})})

    async def main():
        with tempfile.TemporaryFile("w+") as errlog:
            try:
                async with stdio_client(params, errlog=errlog) as (read, write):
                    async with ClientSession(read, write, read_timeout_seconds=CALL_TIMEOUT_S) as session:
                        await session.initialize()
                        return await steps(session)
            except BaseException:
                errlog.seek(0)
                print("server stderr:\n" + errlog.read()[-4000:], file=sys.stderr)
                raise

    return anyio.run(main)


def archive_items(data: Path) -> dict[str, dict]:
    archive = Archive.open(data, create=False)
    try:
        return {item.id: item.to_record() for item in archive.iter_items()}
    finally:
        archive.close()


def text(result) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


def test_the_four_tools_are_listed_with_schemas_and_status_describes_the_archive(web_data):
    async def steps(session):
        return (await session.list_tools()).tools, await session.call_tool("archive_status", {})

    tools, status = with_server(web_data, steps)
    by_name = {t.name: t for t in tools}
    assert set(by_name) == TOOLS
    for tool in tools:
        assert tool.input_schema["type"] == "object" and tool.output_schema["type"] == "object", tool.name
        assert len(tool.description) > 100, tool.name
    for name in ("ask", "search"):
        assert "verbatim" in by_name[name].description and "date" in by_name[name].description
    ask_input = by_name["ask"].input_schema
    assert list(ask_input["properties"]) == ["question", "date_from", "date_to", "source", "place", "top_k"]
    assert ask_input["required"] == ["question"]
    assert ask_input["properties"]["top_k"]["anyOf"][0]["maximum"] == MAX_TOP_K  # the API's limit
    assert by_name["get_item"].input_schema["required"] == ["item_id"]
    assert "citations" in by_name["ask"].output_schema["properties"]

    assert not status.is_error, text(status)
    items = archive_items(web_data)
    assert status.structured_content["items"] == len(items)
    assert status.structured_content["generation"] == current_generation(web_data)
    assert status.structured_content["date_from"] <= HOSTILE["date"] <= status.structured_content["date_to"]
    assert json.loads(text(status)) == status.structured_content


def test_ask_cites_verbatim_excerpts_with_their_dates_and_datelines(web_data):
    async def steps(session):
        answer = await session.call_tool("ask", {"question": QUESTION, "top_k": 3})
        cited = answer.structured_content["citations"] if not answer.is_error else []
        items = [await session.call_tool("get_item", {"item_id": c["item_id"]}) for c in cited]
        return answer, items

    # The SDK checks each result against its tool's output schema.
    answer, fetched = with_server(web_data, steps, env={"DATELINE_PUBLIC_URL": PUBLIC_URL})
    assert not answer.is_error, text(answer)
    data = answer.structured_content
    assert data["found"] and data["citations"] and len(data["citations"]) <= 3
    archive = archive_items(web_data)
    markdown = text(answer)
    for citation, item_result in zip(data["citations"], fetched):
        item = archive[citation["item_id"]]
        assert citation["excerpt_field"] == "body"  # the sample's answers quote bodies
        assert f"[{citation['n']}]" in data["answer"] and f"[{citation['n']}]" in markdown
        assert item["body"][citation["start"]:citation["end"]] == citation["excerpt"]
        assert (citation["date"], citation["dateline"], citation["source"]) == (item["date"], item["dateline"],
                                                                               item["source"])
        assert citation["date"] and citation["dateline"]
        # The text an agent reads names each source with its dateline and links the item.
        assert citation["dateline"] in markdown and citation["source"] in markdown
        assert f"({PUBLIC_URL}/items/{quote(citation['item_id'], safe='')})" in markdown
        assert item_result.structured_content == item


def test_search_and_get_item_return_passages_and_whole_items_from_the_archive(web_data):
    async def steps(session):
        found = await session.call_tool("search", {"q": "Zanzibar ferry crossings", "k": 3})
        item = await session.call_tool("get_item", {"item_id": HOSTILE["id"]})
        return found, item

    found, item = with_server(web_data, steps)
    assert not found.is_error and not item.is_error, text(found) + text(item)
    archive = archive_items(web_data)
    passages = found.structured_content["passages"]
    assert 1 <= len(passages) <= 3 and passages[0]["item_id"] == HOSTILE["id"]
    for p in passages:  # a span of the body, or the title of a title-only item
        stored = archive[p["item_id"]]
        assert (stored["body"][p["start"]:p["end"]] if p["excerpt_field"] == "body" else stored["title"]) == p["text"]
    assert item.structured_content == archive[HOSTILE["id"]]
    # The untrusted body comes back as it was stored, markup and all.
    assert item.structured_content["body"] == HOSTILE["body"]
    assert json.loads(text(item)) == archive[HOSTILE["id"]]


def test_bad_arguments_are_tool_errors_with_the_api_messages_and_the_server_keeps_running(web_data):
    calls = [
        ("ask", {"question": "Who?", "top_k": 0}, f"`top_k` must be from 1 to {MAX_TOP_K}, got 0"),
        ("ask", {"question": "Who?", "date_from": "2017-13"}, "`date_from` must be a date written"),
        ("ask", {"question": "  "}, "`question` is required and must not be empty"),
        ("ask", {"question": "Who?", "history": []}, "unknown field `history`; known fields: question,"),
        ("search", {"q": "oil", "k": 51}, "`k` must be from 1 to 50, got 51"),
        ("get_item", {"item_id": "no-such-item"}, "no item with id 'no-such-item'"),
        ("get_item", {}, "`item_id` is required"),
    ]

    async def steps(session):
        errors = [await session.call_tool(name, args) for name, args, _ in calls]
        return errors, await session.call_tool("archive_status", {})

    errors, after = with_server(web_data, steps)
    for (name, args, message), result in zip(calls, errors):
        assert result.is_error, (name, args)
        assert message in text(result), (name, args, text(result))
        assert "Traceback" not in text(result)
    assert not after.is_error and after.structured_content["items"] == len(archive_items(web_data))


def test_a_missing_archive_or_index_says_which_command_to_run(tmp_path):
    empty, unindexed = tmp_path / "empty", tmp_path / "unindexed"
    archive = Archive.open(unindexed)
    from dateline.index.ingest import parse_file

    fmt, parsed = parse_file(SEED)
    archive.import_items(str(SEED), fmt, parsed.items, parsed.rejections)
    archive.close()

    async def steps(session):
        return await session.call_tool("ask", {"question": QUESTION}), await session.call_tool("archive_status", {})

    no_archive, _ = with_server(empty, steps)
    assert no_archive.is_error and "`dateline import" in text(no_archive)
    no_index, status = with_server(unindexed, steps)
    assert no_index.is_error and "run `dateline index" in text(no_index)
    assert not status.is_error and status.structured_content["generation"] is None


def test_stdout_carries_nothing_but_protocol_messages(web_data):
    """A client that reads stdout line by line (not the SDK) gets only JSON-RPC, even while the
    model loads and a question is answered."""
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                    "clientInfo": {"name": "test", "version": "0"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
         "params": {"name": "ask", "arguments": {"question": QUESTION}}},
    ]
    with tempfile.TemporaryFile("w+") as stderr, subprocess.Popen(
            [sys.executable, "-m", "dateline", "mcp", "--data", str(web_data)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, text=True) as proc:
        watchdog = threading.Timer(CALL_TIMEOUT_S, proc.kill)
        watchdog.start()
        try:
            proc.stdin.write("".join(json.dumps(m) + "\n" for m in messages))
            proc.stdin.flush()
            lines = []
            while not any(isinstance(m, dict) and m.get("id") == 2 for m in map(_json_or_raw, lines)):
                lines.append(proc.stdout.readline())
                assert lines[-1], "the server closed stdout before answering"
            proc.stdin.close()  # the client leaves: the server exits
            lines += proc.stdout.readlines()
            returncode = proc.wait()
        finally:
            watchdog.cancel()
        stderr.seek(0)
        log = stderr.read()[-4000:]
    assert returncode == 0, log
    for line in lines:
        assert isinstance(_json_or_raw(line), dict) and _json_or_raw(line)["jsonrpc"] == "2.0", (line, log)
    answer = next(m for m in map(_json_or_raw, lines) if m.get("id") == 2)["result"]  # all dicts now
    assert not answer.get("isError") and answer["structuredContent"]["citations"]


def _json_or_raw(line: str):
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        return line
