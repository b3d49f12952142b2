"""Saved web pages (trafilatura) and RSS/Atom feeds (feedparser).

Both lose the page's layout, so the body is rebuilt as paragraphs separated by blank lines.
A body that opens with a dateline ("Washington CNN —") gives the item its place; the lead is
moved to ``dateline_text`` as in plain-text dumps.
"""
from __future__ import annotations

import html
import re
import time

from .. import settings
from ..dates import parse_date, parse_dateline
from ..item import Item
from .common import Parsed, dateline_date
from .limits import MAX_PAGE_CHARS, PAGE_MEMORY_BYTES, OverLimit, megabytes, run_bounded

_BLOCK_END = re.compile(r"(?i)<\s*(?:/p|br\s*/?|/div|/h\d|/li|/blockquote)\s*>")
_TAG = re.compile(r"<[^>]+>")


def parse(text: str, name: str, source: str | None = None, fmt: str | None = None) -> Parsed:
    """Read a feed (any <rss>, <feed> or RDF document) or a single saved HTML article: ``fmt``
    ("rss", "html") when given (``--format``), else as the text starts."""
    head = text.lstrip()[:2000].lower()
    if fmt == "rss" or (fmt is None and ("<rss" in head or "<feed" in head or "<rdf:rdf" in head)):
        return parse_feed(text, name)
    return parse_html(text, name)


def _paragraphs(text: str) -> str:
    """Normalise whitespace: one blank line between paragraphs, single spaces inside."""
    paragraphs = (" ".join(p.split()) for p in re.split(r"\n\s*", text))
    return "\n\n".join(p for p in paragraphs if p)


def _split_lead(item: Item) -> tuple[int | None, int | None]:
    """Move a leading dateline from the body to the item, dating it when the dateline gives a
    year; return the (day, month) whose year is still to be found."""
    lead = parse_dateline(item.body)
    if not lead:
        return None, None
    dateline, rest = lead
    item.dateline, item.dateline_text, item.body = dateline.place, dateline.text, rest.strip()
    try:
        return dateline_date(item, dateline)
    except ValueError:  # "31 Feb 2021" in a page's text: its publication date, if any, dates it
        return None, None


def _extract(text: str) -> dict | None:
    """The article's text and metadata as trafilatura finds them, or None (no article)."""
    import trafilatura

    doc = trafilatura.bare_extraction(text, with_metadata=True, include_comments=False,
                                      include_tables=False)
    if doc is None:
        return None
    return {key: getattr(doc, key) for key in ("text", "title", "sitename", "hostname", "url",
                                                "author", "date")}


def parse_html(text: str, name: str) -> Parsed:
    """Extract one article (text, title, date, site, url) from a saved page.

    The page is refused over MAX_PAGE_CHARS, and extracted in a child process bounded in time
    (the page_timeout setting) and memory: trafilatura's cost grows with the square of a
    paragraph's inline tags (a 1 MB paragraph of them took 87 s).
    """
    import trafilatura  # noqa: F401 - loaded here, once, rather than in every child

    parsed = Parsed()
    if len(text) > MAX_PAGE_CHARS:
        parsed.reject(name, f"the page is {megabytes(len(text))}, over the limit of "
                            f"{megabytes(MAX_PAGE_CHARS)} for one HTML page; nothing read")
        return parsed
    seconds = settings.get("page_timeout")
    try:
        doc = run_bounded(lambda: _extract(text), seconds, PAGE_MEMORY_BYTES)
    except OverLimit as e:
        limit = {"time": " (the limit, DATELINE_PAGE_TIMEOUT)", "memory": " (the limit for one page)"}
        parsed.reject(name, f"extracting the article {e}{limit.get(e.limit, '')}")
        return parsed
    if doc is None or not (doc["text"] or "").strip():
        parsed.reject(name, "no article text found in the page")
        return parsed
    title = (doc["title"] or "").strip()
    body = doc["text"]
    # trafilatura repeats the headline as the first line of the text.
    first, _, rest = body.partition("\n")
    if title and first.strip() == title:
        body = rest
    item = Item(source=(doc["sitename"] or doc["hostname"] or "").strip(), title=title,
                body=_paragraphs(body), url=(doc["url"] or "").strip(), origin=name,
                metadata={k: doc[k] for k in ("author", "hostname") if doc[k]})
    day, month = _split_lead(item)
    if doc["date"]:
        try:
            date = parse_date(doc["date"])
            item.date, item.date_precision = date.iso, date.precision
        except ValueError as e:
            parsed.reject(name, f"publication date: {e}")
            return parsed
    parsed.add(item, day, month)
    return parsed


def _entry_date(entry) -> tuple[str, str] | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return time.strftime("%Y-%m-%d", value), "day"
    return None


def _entry_body(entry) -> str:
    if entry.get("content"):
        raw = max((c.get("value", "") for c in entry.content), key=len)
    else:
        raw = entry.get("summary", "")
    text = _TAG.sub("", _BLOCK_END.sub("\n", raw))
    return _paragraphs(html.unescape(text))


def parse_feed(text: str, name: str) -> Parsed:
    """One item per feed entry; the feed's title is the source.

    The feed is read in a child process bounded in time (the page_timeout setting) and memory,
    as pages are: feedparser's cost grows with the elements it meets (a 7 MB feed of a million
    nested elements took 16 s and 410 MB), and a feed may come from anyone's server.
    """
    import feedparser  # noqa: F401 - loaded here, once, rather than in every child

    try:
        return run_bounded(lambda: _read_feed(text, name), settings.get("page_timeout"), PAGE_MEMORY_BYTES)
    except OverLimit as e:
        limit = {"time": " (the limit, DATELINE_PAGE_TIMEOUT)", "memory": " (the limit for one feed)"}
        parsed = Parsed()
        parsed.reject(name, f"reading the feed {e}{limit.get(e.limit, '')}")
        return parsed


def _read_feed(text: str, name: str) -> Parsed:
    """Map each entry of the feed ``text`` to an Item (in parse_feed's bounded child)."""
    import feedparser

    parsed = Parsed()
    feed = feedparser.parse(text)
    if not feed.entries:
        reason = f"not a readable feed ({feed.bozo_exception})" if feed.bozo else "the feed has no entries"
        parsed.reject(f"{name}:1", reason)
        return parsed
    source = (feed.feed.get("title") or "").strip()
    for number, entry in enumerate(feed.entries, 1):
        origin = f"{name}: entry {number}"
        item = Item(source=source, title=html.unescape(entry.get("title", "")).strip(),
                    body=_entry_body(entry), url=entry.get("link", "").strip(), origin=origin,
                    identity=entry.get("id", "") if not entry.get("link") else "")
        if entry.get("author"):
            item.metadata["author"] = entry.author
        if entry.get("tags"):
            item.metadata["tags"] = [t.get("term") for t in entry.tags if t.get("term")]
        day, month = _split_lead(item)
        found = _entry_date(entry)
        if found:
            item.date, item.date_precision = found
        parsed.add(item, day, month)
    return parsed
