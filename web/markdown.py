"""An answer as Markdown, and back.

The OpenAI-compatible endpoint and the MCP server reply with this text, and the chat page's
copy button writes the same: the answer with its ``[n]`` markers, then a numbered sources list
whose lines link to each cited item's page. A chat client keeps only that text, so when it sends
the text back as an assistant message, `engine_history` reads the item links again and a
follow-up ("Which board is he on?") finds the items the answer cited.

>>> text = answer_markdown({"answer": "The rift widens. [1]", "citations": [{"n": 1,
...     "item_id": "a/1", "source": "Iran Focus", "dateline": "London", "date": "2017-06-22",
...     "date_display": "22 Jun 2017", "title": "Rift [analysis]"}]}, "http://x")
>>> print(text)
The rift widens. [1]
<BLANKLINE>
**Sources**
<BLANKLINE>
1. Iran Focus · London · 22 Jun 2017 — [Rift \\[analysis\\]](http://x/items/a%2F1)
>>> answer_from_markdown(text)
{'answer': 'The rift widens. [1]', 'citations': [{'n': 1, 'item_id': 'a/1'}]}
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, unquote

from dateline.qa.answer import CHECK_NOTE
from dateline.qa.request import MAX_QUESTION_CHARS, ChatMessage

SOURCES_HEADING = "**Sources**"
CHECK_LINE = "> Check: "  # starts each line of what to check, between the answer and its sources
# A sources line as answer_markdown writes it: "3. ... — [title](<base>/items/<quoted id>)".
_SOURCE_LINE = re.compile(r"^(\d{1,3})\. .*\]\([^()\s]*/items/([^()\s/?#]+)\)\s*$", re.MULTILINE)
# Characters that would turn a title or a source name into Markdown syntax or HTML.
_MARKUP = re.compile(r"([\\`*_\[\]<>])")


def escape(text: str) -> str:
    """``text`` with Markdown's syntax characters backslash-escaped, so it shows as written."""
    return _MARKUP.sub(r"\\\1", " ".join(text.split()))


def item_link(item_id: str, base_url: str = "") -> str:
    """The item page's address: ``<base_url>/items/<id>`` with the id percent-encoded."""
    return f"{base_url.rstrip('/')}/items/{quote(item_id, safe='')}"


def source_line(citation: dict, base_url: str = "") -> str:
    """One numbered line of the sources list: source · dateline · date — [title](link)."""
    said = (citation.get("source"), citation.get("dateline"), citation.get("date_display") or citation.get("date"))
    head = " · ".join(escape(part) for part in said if part)
    link = f"[{escape(citation.get('title') or citation['item_id'])}]({item_link(citation['item_id'], base_url)})"
    return f"{citation['n']}. {head} — {link}" if head else f"{citation['n']}. {link}"


def answer_markdown(answer: dict, base_url: str = "") -> str:
    """The answer text (its ``[n]`` markers kept), what its notes say to check, and, when it
    cites anything, the sources list.

    ``answer`` is the Answer JSON (`Answer.to_dict()`); ``base_url`` starts each item link
    (empty: links are relative, ``/items/<id>``).
    """
    lines = [answer["answer"].strip()]
    checks = [note for note in answer.get("notes") or [] if note.startswith(CHECK_NOTE)]
    if checks:  # what the reader should check, under the answer (CHECK_NOTE notes)
        lines += [""] + [f"{CHECK_LINE}{note}" for note in checks]
    citations = answer.get("citations") or []
    if citations:
        lines += ["", SOURCES_HEADING, ""]
        lines += [source_line(c, base_url) for c in citations]
    return "\n".join(lines)


def answer_from_markdown(text: str) -> dict | None:
    """The answer text and its citations' numbers and item ids, read back from ``text`` as
    `answer_markdown` wrote it; None when ``text`` has no dateline sources list."""
    head, found, sources = text.partition("\n\n" + SOURCES_HEADING + "\n")
    citations = [{"n": int(n), "item_id": unquote(item_id)} for n, item_id in _SOURCE_LINE.findall(sources)]
    if not found or not citations:
        return None
    answer = "\n".join(line for line in head.splitlines() if not line.startswith(CHECK_LINE))
    return {"answer": answer.strip(), "citations": citations}


def engine_history(history: list[Any] | None) -> list[dict] | None:
    """Checked history entries (`qa.request.HistoryEntry`) as `Engine.ask` reads them: turns as
    they came; chat messages as ``{"role", "content"}``, an assistant message that holds a
    dateline answer becoming that answer with its citations; system messages and empty questions
    left out."""
    if not history:
        return None
    entries = []
    for entry in history:
        if not isinstance(entry, ChatMessage):
            entries.append(entry.model_dump())
        elif entry.role == "user" and entry.text().strip():
            # An earlier question is only read for its topic words: a pasted article's first
            # question-length part is plenty.
            entries.append({"role": "user", "content": entry.text().strip()[:MAX_QUESTION_CHARS]})
        elif entry.role == "assistant":
            text = entry.text()
            entries.append({"role": "assistant", "content": answer_from_markdown(text) or text})
    return entries
