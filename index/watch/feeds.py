"""Fetch an RSS/Atom feed with a conditional GET: the ETag and Last-Modified of the last answer
go back as If-None-Match and If-Modified-Since, so an unchanged feed costs one small request
(304 Not Modified) and nothing is read or imported.

Standard library only (urllib), bounded: each read waits at most FETCH_TIMEOUT_S, the whole
answer at most FETCH_DEADLINE_S, and a feed larger than MAX_FEED_BYTES (after decompression)
is refused. Every way a fetch can fail is a FeedError whose message says what happened.
"""
from __future__ import annotations

import http.client
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from dataclasses import dataclass

from ..errors import DatelineError
from ..ingest.limits import megabytes
from .state import FeedSeen

# A news site's feed is tens of KB to a few MB; one this size is not a feed to import whole.
MAX_FEED_BYTES = 20_000_000
# Seconds a connect or a single read may wait (a server that is down answers at once; one that
# hangs is given up on), and seconds the whole answer may take (a server dripping bytes).
FETCH_TIMEOUT_S = 30.0
FETCH_DEADLINE_S = 120.0
_READ_BLOCK = 1 << 16
_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


class FeedError(Exception):
    """A feed could not be fetched: down, an HTTP error, too slow, too big; the message says which."""


@dataclass
class Fetched:
    """A feed's answer: its text, or None when the server said it has not changed (304)."""

    url: str
    text: str | None
    etag: str | None = None
    last_modified: str | None = None
    status: int = 200
    size: int = 0  # bytes received (before decompression)


def check_url(url: str) -> str:
    """Return ``url`` when it is an http or https URL; DatelineError saying what is wrong otherwise."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise DatelineError(f"{url}: a feed must be an http:// or https:// URL")
    return url


def user_agent() -> str:
    """How dateline names itself to feed servers."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"dateline/{version('dateline')} (dateline watch)"
    except PackageNotFoundError:
        return "dateline (dateline watch)"


def fetch(url: str, seen: FeedSeen | None = None) -> Fetched:
    """GET ``url``, conditionally on what ``seen`` holds; return the answer or raise FeedError.

    >>> first = fetch("https://news.example/rss")
    >>> again = fetch(first.url, FeedSeen(first.etag, first.last_modified))
    >>> again.text is None  # 304: unchanged
    True
    """
    headers = {"User-Agent": user_agent(), "Accept": _ACCEPT, "Accept-Encoding": "gzip, deflate"}
    if seen and seen.etag:
        headers["If-None-Match"] = seen.etag
    if seen and seen.last_modified:
        headers["If-Modified-Since"] = seen.last_modified
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_S) as answer:
            body, size = _read(answer, time.monotonic() + FETCH_DEADLINE_S)
            return Fetched(url, _text(body, answer.headers.get_content_charset()),
                           etag=answer.headers.get("ETag"), last_modified=answer.headers.get("Last-Modified"),
                           status=answer.status, size=size)
    except urllib.error.HTTPError as e:
        e.close()
        if e.code == 304:
            return Fetched(url, None, etag=seen.etag if seen else None,
                           last_modified=seen.last_modified if seen else None, status=304)
        raise FeedError(f"the server answered HTTP {e.code} {e.reason}") from None
    except urllib.error.URLError as e:
        reason = e.reason.strerror if isinstance(e.reason, OSError) and e.reason.strerror else e.reason
        raise FeedError(f"cannot reach it ({reason})") from None
    except (TimeoutError, socket.timeout):
        raise FeedError(f"no answer within {FETCH_TIMEOUT_S:g} s") from None
    except (http.client.HTTPException, ConnectionError) as e:
        raise FeedError(f"the answer broke off ({type(e).__name__}: {e})") from None


def _read(answer, deadline: float) -> tuple[bytes, int]:
    """The answer's body, decompressed, within the deadline and the size limit; with the bytes received."""
    encoding = (answer.headers.get("Content-Encoding") or "identity").strip().lower()
    if encoding not in ("identity", "gzip", "x-gzip", "deflate"):
        raise FeedError(f"the answer is compressed as {encoding!r}, which dateline does not read")
    # wbits 47: a gzip or a zlib stream, whichever it is; HTTP's "deflate" is a zlib stream.
    inflate = None if encoding == "identity" else zlib.decompressobj(47 if encoding != "deflate" else zlib.MAX_WBITS)
    out, received = bytearray(), 0
    while True:
        if time.monotonic() > deadline:
            raise FeedError(f"the answer took longer than {FETCH_DEADLINE_S:g} s")
        block = answer.read1(_READ_BLOCK) if hasattr(answer, "read1") else answer.read(_READ_BLOCK)
        if not block:
            break
        received += len(block)
        try:
            # Never inflate past the limit: a small compressed answer may hold gigabytes.
            out += inflate.decompress(block, MAX_FEED_BYTES + 1 - len(out)) if inflate else block
        except zlib.error as e:
            raise FeedError(f"the answer is not valid {encoding} ({e})") from None
        if len(out) > MAX_FEED_BYTES:
            raise FeedError(f"the feed is over {megabytes(MAX_FEED_BYTES)}, the limit for one feed")
    if inflate:
        out += inflate.flush()[:MAX_FEED_BYTES + 1 - len(out)]
        if len(out) > MAX_FEED_BYTES:
            raise FeedError(f"the feed is over {megabytes(MAX_FEED_BYTES)}, the limit for one feed")
    return bytes(out), received


def _text(body: bytes, charset: str | None) -> str:
    """Decode a feed: the HTTP charset, else the XML declaration's encoding, else UTF-8."""
    if not charset:
        declared = _XML_ENCODING.match(body[:200])
        charset = declared.group(1).decode("ascii") if declared else "utf-8"
    try:
        return body.decode(charset, errors="replace").lstrip("\ufeff")
    except LookupError:  # a charset Python does not know
        return body.decode("utf-8", errors="replace").lstrip("\ufeff")
