"""The front of `dateline serve`: one asyncio process that reads each request whole, then hands
it to a gunicorn worker over a private Unix socket and relays the answer.

A sync gunicorn worker gives its whole process (the model and the index, a few hundred MB) to
one connection: two clients that send half a header stall two workers until gunicorn's worker
timeout kills them, and gunicorn's docs say sync workers need a buffering proxy in front.
Threaded or async workers only raise the number of slow sockets that takes (measured with
benchmarks/load.py: 20 half-header sockets stop 2 gthread workers of 8 threads). Here a slow
socket costs a coroutine: a worker only ever sees a complete request, and the front reads the
answer back as fast as the worker writes it, so a worker never waits on a client.

What the front answers itself, as the API's JSON error shape ``{"error": {"code", "message"}}``,
closing the connection after it:

- 408 when the request line and headers take longer than ``header_timeout`` seconds, or the
  body longer than ``body_timeout``;
- 413 for a body over ``max_request_bytes`` (``upload_max_mb`` for uploads), chunked or not, after reading and dropping what
  the client still sends (up to DISCARD_BYTES), so that a client which sends its whole body
  before it reads, like Python's urllib, gets the answer rather than a broken pipe;
- 414, 431, 400, 501 for an over-long URL, over-large headers, malformed or unsupported requests;
- 503 with ``Retry-After`` when ``max_connections`` connections are open, when ``max_queued``
  complete requests already wait for a worker, or when none is free within QUEUE_WAIT_S;
- 502 and 504 when a worker fails or does not answer within BACKEND_TIMEOUT_S.
"""
from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import os
import time
from dataclasses import dataclass
from http import HTTPStatus

import h11

from dateline.index import settings
from dateline.index.errors import DatelineError

log = logging.getLogger(__name__)

MAX_HEAD_BYTES = 32 * 1024  # request line and headers together; 431 above
MAX_TARGET_BYTES = 8000  # the URL; gunicorn takes request lines of at most 8190 bytes
MAX_HEADERS = 100  # header fields in one request (gunicorn's default limit)
DISCARD_BYTES = 16 * 1024 * 1024  # body read and dropped after a 413, so the client sees the answer
LINGER_S = 2.0  # after another error, how long to drop what the client still sends
LINGER_BYTES = 256 * 1024
KEEPALIVE_S = 5.0  # an idle kept-alive connection is closed after this long
QUEUE_WAIT_S = 10.0  # the longest a complete request waits for a free worker
BACKEND_TIMEOUT_S = 60.0  # a worker's answer, and each part of a streamed one
RETRY_AFTER_S = 1  # what a 503 tells the client to wait
REFUSING_MAX = 256  # connections over max_connections being answered 503 at once; more are dropped
READ_BYTES = 64 * 1024
MAX_RESPONSE_HEAD_BYTES = 64 * 1024
UPLOAD_PATH = b"/api/import"  # the one route whose bodies may be as large as upload_max_mb
METHODS = frozenset({b"GET", b"HEAD", b"POST", b"PUT", b"DELETE", b"OPTIONS", b"PATCH"})
# Headers about one hop, not the request: the front frames both hops itself.
HOP_BY_HOP = frozenset({b"connection", b"keep-alive", b"proxy-connection", b"transfer-encoding",
                        b"te", b"trailer", b"upgrade", b"expect"})


@dataclass(frozen=True)
class Limits:
    """How long a client may take, how big its request may be, and how much the front holds at
    once: the settings of the same names."""

    max_request_bytes: int
    header_timeout: float
    body_timeout: float
    max_connections: int
    max_queued: int
    upload_max_mb: int

    def body_limit(self, target: bytes) -> tuple[int, str]:
        """The largest body a request to ``target`` may send, in bytes, and the setting that sets it."""
        if target.split(b"?", 1)[0] == UPLOAD_PATH:
            return self.upload_max_mb * 1024 * 1024, "upload_max_mb"
        return self.max_request_bytes, "max_request_bytes"

    @classmethod
    def from_settings(cls) -> Limits:
        """The limits set by the ``DATELINE_*`` variables (or their defaults); DatelineError
        naming the variable when one is not a number, or not above its floor."""
        values = {}
        for name in cls.__dataclass_fields__:
            setting = settings.setting(name)
            if isinstance(setting.default, int):
                floor = 0 if name == "max_queued" else 1
                wanted, fits = f"a whole number of at least {floor}", lambda v: v >= floor
            else:
                wanted, fits = "a number of seconds above 0", lambda v: v > 0
            try:
                values[name] = settings.get(name)
            except ValueError:
                values[name] = None
            if values[name] is None or not fits(values[name]):
                raise DatelineError(f"{setting.env} must be {wanted}, not {os.environ.get(setting.env)!r}")
        return cls(**values)


class Rejected(Exception):
    """A request the front answers itself with a JSON error before closing the connection."""

    def __init__(self, status: int, code: str, message: str, *, retry_after: int | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after

    def response(self) -> bytes:
        """The whole HTTP response: status line, headers and the JSON error body."""
        body = json.dumps({"error": {"code": self.code, "message": self.message}}).encode()
        lines = [f"HTTP/1.1 {self.status} {HTTPStatus(self.status).phrase}",
                 "Content-Type: application/json", f"Content-Length: {len(body)}",
                 "X-Content-Type-Options: nosniff", "Connection: close"]
        if self.retry_after is not None:
            lines.append(f"Retry-After: {self.retry_after}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class ClientGone(Exception):
    """The client closed or broke the connection: nothing more can be said to it."""


def _reason(e: h11.ProtocolError) -> str:
    """h11's reason for refusing a request, without the raw bytes it quotes."""
    return str(e).split(": bytearray(", 1)[0][:200]


def _response_head(head: bytes) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
    """Status, reason and headers of a worker's answer (gunicorn's own output; ValueError if
    it is not a response head)."""
    status_line, *lines = head[:-4].split(b"\r\n")
    version, code, *reason = status_line.split(b" ", 2)
    if not version.startswith(b"HTTP/1."):
        raise ValueError(f"not an HTTP response: {status_line[:40]!r}")
    headers = []
    for line in lines:
        name, sep, value = line.partition(b":")
        if not sep:
            raise ValueError(f"not a header line: {line[:40]!r}")
        if name.strip().lower() == b"transfer-encoding":
            raise ValueError("a chunked answer to an HTTP/1.0 request")
        headers.append((name.strip(), value.strip()))
    return int(code), reason[0] if reason else b"", headers


def is_loopback_peer(peer) -> bool:
    """Whether a connection comes from this machine (a local reverse proxy, say)."""
    try:
        return ipaddress.ip_address(peer[0]).is_loopback
    except (TypeError, ValueError, IndexError):
        return False


class Front:
    """Serve clients on a listening socket, each complete request answered by a worker on the
    Unix socket ``backend``; ``workers`` requests are handed over at a time, the rest wait."""

    def __init__(self, backend: str, workers: int, limits: Limits, *, access_log: bool = False):
        self.backend = backend
        self.limits = limits
        self.access_log = access_log
        self.slots = asyncio.Semaphore(workers)  # one request per sync worker
        self.open = 0  # client connections served
        self.refusing = 0  # connections over the cap being answered 503
        self.waiting = 0  # complete requests waiting for a worker
        self.in_flight = 0  # requests read past their headers and not yet answered
        self._tasks: set[asyncio.Task] = set()

    async def serve(self, sock, stop: asyncio.Event, grace_s: float = 10.0) -> None:
        """Accept connections on ``sock`` until ``stop`` is set, then give the requests under
        way up to ``grace_s`` seconds to finish."""
        server = await asyncio.start_server(self._connection, sock=sock, backlog=1024)
        await stop.wait()
        server.close()
        deadline = time.monotonic() + grace_s
        while self.in_flight and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    # -- one connection -------------------------------------------------------------------

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._tasks.add(task)
        try:
            if self.open >= self.limits.max_connections:
                await self._refuse(reader, writer)
                return
            self.open += 1
            try:
                try:
                    await self._serve_connection(reader, writer)
                except Rejected as e:
                    self._log(writer, None, e.status, None)
                    await self._answer_and_close(reader, writer, e)
            finally:
                self.open -= 1
        except (ClientGone, ConnectionError, TimeoutError, asyncio.CancelledError):
            pass
        except Exception:  # noqa: BLE001 - one connection's bug must not take the front down
            log.exception("unexpected error on a connection")
        finally:
            if writer.transport.get_write_buffer_size():
                writer.transport.abort()  # a client that stopped reading: drop what it did not take
            else:
                writer.close()
            self._tasks.discard(task)

    async def _refuse(self, reader, writer) -> None:
        """Answer a connection over ``max_connections`` with 503 at once, without reading its request."""
        if self.refusing >= REFUSING_MAX:
            return  # a flood: dropping is all that is affordable
        self.refusing += 1
        try:
            await self._answer_and_close(reader, writer, Rejected(
                503, "too_many_connections",
                f"the server already holds {self.limits.max_connections} connections (setting "
                f"max_connections); try again in {RETRY_AFTER_S} s", retry_after=RETRY_AFTER_S))
        finally:
            self.refusing -= 1

    async def _serve_connection(self, reader, writer) -> None:
        conn = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD_BYTES)
        fresh = True
        while True:
            request = await self._read_head(conn, reader, fresh)
            if request is None:
                return
            started = time.perf_counter()
            self.in_flight += 1
            try:
                body = await self._read_body(conn, reader, writer, request)
                status = await self._forward(conn, writer, request, body)
            finally:
                self.in_flight -= 1
            self._log(writer, request, status, time.perf_counter() - started)
            if conn.our_state is not h11.DONE or conn.their_state is not h11.DONE:
                return  # the client asked to close, or spoke HTTP/1.0
            conn.start_next_cycle()
            fresh = False

    async def _read(self, reader, deadline: float) -> bytes:
        async with asyncio.timeout_at(deadline):
            return await reader.read(READ_BYTES)

    async def _read_head(self, conn: h11.Connection, reader, fresh: bool) -> h11.Request | None:
        """The next request's line and headers; None when the client closed or stayed idle."""
        loop = asyncio.get_running_loop()
        # A new connection has header_timeout for its first request; a kept-alive one may idle
        # KEEPALIVE_S, then has header_timeout from the first byte of its next request.
        deadline = loop.time() + (self.limits.header_timeout if fresh else KEEPALIVE_S)
        seen = bytearray(conn.trailing_data[0][:MAX_TARGET_BYTES + 64])
        while True:
            try:
                event = conn.next_event()
            except h11.RemoteProtocolError as e:
                raise self._malformed(e, bytes(seen)) from None
            if isinstance(event, h11.Request):
                self._check(event)
                return event
            if event is not h11.NEED_DATA:
                return None  # ConnectionClosed
            try:
                data = await self._read(reader, deadline)
            except TimeoutError:
                if not seen:
                    return None  # an idle connection: close it without a word
                raise Rejected(408, "request_timeout",
                               f"the request line and headers did not arrive within "
                               f"{self.limits.header_timeout:g} s (setting header_timeout)") from None
            if not data:
                return None  # the client closed, between requests or in the middle of one
            if not seen:
                # Empty lines before a request are to be ignored (RFC 9112 2.2); h11 refuses them.
                data = data.lstrip(b"\r\n")
                if not data:
                    continue
                if not fresh:
                    deadline = loop.time() + self.limits.header_timeout
            if len(seen) < MAX_TARGET_BYTES + 64:
                seen += data[:MAX_TARGET_BYTES + 64 - len(seen)]
            conn.receive_data(data)

    @staticmethod
    def _malformed(e: h11.RemoteProtocolError, seen: bytes) -> Rejected:
        """The error for a head h11 could not parse: too long, unsupported or malformed."""
        if e.error_status_hint == 431:
            if b"\n" not in seen:  # still inside the request line: the URL is what is too long
                return Rejected(414, "request_uri_too_large",
                                f"the URL is longer than {MAX_TARGET_BYTES} bytes; send long "
                                "questions with POST /api/ask")
            return Rejected(431, "request_header_fields_too_large",
                            f"the request's headers are larger than {MAX_HEAD_BYTES} bytes")
        if e.error_status_hint == 501:
            return Rejected(501, "not_implemented", _reason(e))
        return Rejected(400, "bad_request", f"malformed request: {_reason(e)}")

    def _check(self, request: h11.Request) -> None:
        """Refuse what gunicorn or Flask would refuse without the JSON shape, and bodies over the limit."""
        if request.method not in METHODS:
            raise Rejected(501, "not_implemented",
                           f"the method {request.method.decode('ascii', 'replace')[:20]} is not supported")
        if len(request.target) > MAX_TARGET_BYTES:
            raise Rejected(414, "request_uri_too_large",
                           f"the URL is longer than {MAX_TARGET_BYTES} bytes; send long questions "
                           "with POST /api/ask")
        if not request.target.startswith(b"/"):
            raise Rejected(400, "bad_request", "the request target must be a path starting with /")
        if len(request.headers) > MAX_HEADERS:
            raise Rejected(431, "request_header_fields_too_large",
                           f"the request has more than {MAX_HEADERS} header fields")
        # h11 bounds only a head that is still arriving; one that came in a single read is checked here.
        if sum(len(name) + len(value) + 4 for name, value in request.headers) > MAX_HEAD_BYTES:
            raise Rejected(431, "request_header_fields_too_large",
                           f"the request's headers are larger than {MAX_HEAD_BYTES} bytes")
        length = None
        chunked = False
        for name, value in request.headers:
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = True
        if length is not None and chunked:
            # Two framings of one body: whoever picks the other one reads a different request.
            raise Rejected(400, "bad_request", "send Content-Length or Transfer-Encoding, not both")
        if length is not None and length > self.limits.body_limit(request.target)[0]:
            raise self._too_large(request.target)

    def _too_large(self, target: bytes) -> Rejected:
        # The messages Flask gives for the same limits (web/errors.py, web/jobs_api.py).
        limit, setting = self.limits.body_limit(target)
        if setting == "upload_max_mb":
            return Rejected(413, "request_entity_too_large",
                            f"the upload is larger than {self.limits.upload_max_mb} MB (setting upload_max_mb)")
        return Rejected(413, "request_entity_too_large",
                        f"the request body is larger than {limit} bytes (setting max_request_bytes)")

    async def _read_body(self, conn: h11.Connection, reader, writer, request: h11.Request) -> bytes:
        """The whole body, within ``body_timeout`` seconds and the target's body limit."""
        if conn.they_are_waiting_for_100_continue:
            writer.write(conn.send(h11.InformationalResponse(status_code=100, headers=[])))
        deadline = asyncio.get_running_loop().time() + self.limits.body_timeout
        limit = self.limits.body_limit(request.target)[0]
        body = bytearray()
        while True:
            try:
                event = conn.next_event()
            except h11.RemoteProtocolError as e:
                raise Rejected(400, "bad_request", f"malformed request body: {_reason(e)}") from None
            if isinstance(event, h11.Data):
                body += event.data
                if len(body) > limit:
                    raise self._too_large(request.target)
            elif isinstance(event, h11.EndOfMessage):
                return bytes(body)
            elif event is h11.NEED_DATA:
                try:
                    data = await self._read(reader, deadline)
                except TimeoutError:
                    raise Rejected(408, "request_timeout",
                                   f"the request body did not arrive within {self.limits.body_timeout:g} s "
                                   "(setting body_timeout)") from None
                if not data:
                    raise ClientGone()
                conn.receive_data(data)
            else:
                raise ClientGone()

    # -- the worker's side ----------------------------------------------------------------

    async def _take_slot(self) -> None:
        """Wait for a free worker, or refuse with 503 when too many already wait."""
        if self.slots.locked() and self.waiting >= self.limits.max_queued:
            raise Rejected(503, "server_busy",
                           f"the server is busy: {self.waiting} requests already wait for a worker "
                           f"(setting max_queued); try again in {RETRY_AFTER_S} s", retry_after=RETRY_AFTER_S)
        self.waiting += 1
        try:
            async with asyncio.timeout(QUEUE_WAIT_S):
                await self.slots.acquire()
        except TimeoutError:
            raise Rejected(503, "server_busy",
                           f"the server is busy: no worker was free within {QUEUE_WAIT_S:g} s; "
                           f"try again in {RETRY_AFTER_S} s", retry_after=RETRY_AFTER_S) from None
        finally:
            self.waiting -= 1

    def _backend_headers(self, request: h11.Request, body: bytes, peer) -> list[tuple[bytes, bytes]]:
        """The client's headers for the worker, less what concerns only the client's hop."""
        named = {token.strip().lower() for name, value in request.headers if name == b"connection"
                 for token in value.split(b",")}
        trusted = is_loopback_peer(peer)
        headers = []
        for raw_name, value in request.headers.raw_items():
            name = raw_name.lower()
            if name in HOP_BY_HOP or name in named or name == b"content-length":
                continue
            # The workers trust what their Unix socket says about scheme and client, as gunicorn
            # did from loopback before: only a local proxy may say it.
            if not trusted and (name.startswith(b"x-forwarded-") or name == b"forwarded"):
                continue
            headers.append((raw_name, value))
        if body or request.method in (b"POST", b"PUT", b"PATCH"):
            headers.append((b"content-length", str(len(body)).encode()))
        headers.append((b"connection", b"close"))
        return headers

    def _backend_request(self, request: h11.Request, body: bytes, peer) -> bytes:
        """The request as the worker gets it: HTTP/1.0, so that gunicorn never chunks its answer
        (the body is framed by Content-Length, or runs to the end of the connection)."""
        lines = [b"%s %s HTTP/1.0" % (request.method, request.target)]
        lines += [name + b": " + value for name, value in self._backend_headers(request, body, peer)]
        return b"\r\n".join(lines) + b"\r\n\r\n" + body

    async def _forward(self, conn: h11.Connection, writer, request: h11.Request, body: bytes) -> int:
        """Hand the request to a worker and relay its answer; return the status."""
        await self._take_slot()
        backend_writer = None
        status = None
        try:
            try:
                async with asyncio.timeout(BACKEND_TIMEOUT_S):
                    backend_reader, backend_writer = await asyncio.open_unix_connection(
                        self.backend, limit=MAX_RESPONSE_HEAD_BYTES)
            except (FileNotFoundError, ConnectionRefusedError):
                raise Rejected(503, "starting", "the server is starting; try again in a few seconds",
                               retry_after=RETRY_AFTER_S) from None
            backend_writer.write(self._backend_request(request, body, writer.get_extra_info("peername")))
            async with asyncio.timeout(BACKEND_TIMEOUT_S):
                head = await backend_reader.readuntil(b"\r\n\r\n")
            status, reason, headers = _response_head(head)
            length = next((int(v) for n, v in headers if n.lower() == b"content-length"), None)
            if request.method == b"HEAD" or status in (204, 304):
                length = 0
            # h11 frames the answer for this client again: Content-Length as the worker gave
            # it, else chunked (or to the end of the connection for an HTTP/1.0 client).
            pending = conn.send(h11.Response(status_code=status, reason=reason, headers=[
                (n, v) for n, v in headers if n.lower() not in HOP_BY_HOP]))
            received = 0
            # What the worker has sent goes to the client as it comes, one write per read,
            # without waiting for the client to take it: a slow reader costs the front memory,
            # never a worker's time, and a streamed answer reaches a fast reader live.
            while length is None or received < length:
                async with asyncio.timeout(BACKEND_TIMEOUT_S):
                    data = await backend_reader.read(READ_BYTES if length is None else length - received)
                if not data:
                    if length is not None:
                        raise ConnectionResetError(f"the worker's answer stopped at {received} of {length} bytes")
                    break
                received += len(data)
                pending += conn.send(h11.Data(data=data))
                if length is None or received < length:
                    writer.write(pending)
                    pending = b""
            writer.write(pending + conn.send(h11.EndOfMessage()))
        except TimeoutError:
            if status is not None:
                raise ClientGone() from None  # half an answer sent: all that is left is to close
            log.error("a worker did not answer %s %s within %g s", request.method.decode(),
                      request.target.decode("ascii", "replace")[:200], BACKEND_TIMEOUT_S)
            raise Rejected(504, "gateway_timeout", f"the server did not answer within {BACKEND_TIMEOUT_S:g} s") from None
        except (OSError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, h11.ProtocolError) as e:
            if status is not None:
                raise ClientGone() from None
            log.error("a worker failed on %s %s: %s", request.method.decode(),
                      request.target.decode("ascii", "replace")[:200], e)
            raise Rejected(502, "bad_gateway", "the server failed to answer; its log has the details") from None
        finally:
            self.slots.release()
            if backend_writer is not None:
                backend_writer.close()
        # The worker is free; the client now takes the answer at its own pace, within limits.
        try:
            async with asyncio.timeout(self.limits.body_timeout):
                await writer.drain()
        except TimeoutError:
            raise ClientGone() from None
        return status

    # -- closing --------------------------------------------------------------------------

    async def _answer_and_close(self, reader, writer, rejected: Rejected) -> None:
        """Send ``rejected``'s answer, then read and drop what the client still sends before
        closing: closing with unread data resets the connection, and the reset can destroy the
        answer before a client that writes its whole request first has read it."""
        writer.write(rejected.response())
        async with asyncio.timeout(LINGER_S):
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
        budget, linger = ((DISCARD_BYTES, self.limits.body_timeout) if rejected.status == 413
                          else (LINGER_BYTES, LINGER_S))
        deadline = asyncio.get_running_loop().time() + linger
        try:
            while budget > 0:
                data = await self._read(reader, deadline)
                if not data:
                    break
                budget -= len(data)
        except TimeoutError:
            pass

    def _log(self, writer, request: h11.Request | None, status: int | None, took: float | None) -> None:
        if not self.access_log:
            return
        peer = writer.get_extra_info("peername") or ("-",)
        line = (f"{request.method.decode()} {request.target.decode('ascii', 'replace')[:200]}"
                if request is not None else "-")
        log.info('%s "%s" %s %s', peer[0], line, status if status is not None else "-",
                 f"{took * 1000:.1f} ms" if took is not None else "")
