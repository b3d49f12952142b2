"""`dateline serve` against slow, hostile and too many clients (issue 12): a real server on the
sample archive, with short timeouts and a small connection cap so that each limit shows in seconds.

Half a header or half a body from a few clients must not keep the workers from answering anyone
else, every over-size or malformed request gets the API's JSON error (and gets it even when the
client sends its whole body before reading), the Host header never comes back in a redirect,
and a full server says 503 with Retry-After instead of making clients wait.
"""
from __future__ import annotations

import http.client
import json
import socket
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest

from conftest import dateline_process

pytestmark = pytest.mark.slow

HEADER_TIMEOUT = 3  # seconds: DATELINE_HEADER_TIMEOUT and DATELINE_BODY_TIMEOUT of the server below
MAX_CONNECTIONS = 24
SLOW_CLIENTS = 10  # more than the server's 2 sync workers, fewer than MAX_CONNECTIONS
ANSWER_WITHIN = 5.0  # seconds a normal question may take while the slow clients hold on
LIMIT = 65536  # DATELINE_MAX_REQUEST_BYTES's default


@pytest.fixture(scope="module")
def server(web_data):
    """One `dateline serve` for the module (2 workers), with HEADER_TIMEOUT and MAX_CONNECTIONS."""
    env = {"DATELINE_HEADER_TIMEOUT": str(HEADER_TIMEOUT), "DATELINE_BODY_TIMEOUT": str(HEADER_TIMEOUT),
           "DATELINE_MAX_CONNECTIONS": str(MAX_CONNECTIONS)}
    with dateline_process("serve", "--data", str(web_data), env=env) as url:
        parts = urlsplit(url)
        yield parts.hostname, parts.port


def ask(server, question: str = "Who sponsored the resolution condemning the 1988 massacre?") -> dict:
    """POST /api/ask as the chat page does; return the answer (fails the test past ANSWER_WITHIN)."""
    host, port = server
    req = urllib.request.Request(f"http://{host}:{port}/api/ask", data=json.dumps({"question": question}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=ANSWER_WITHIN) as r:
        assert r.status == 200
        return json.loads(r.read())


def raw(server, data: bytes, timeout: float = 10.0) -> tuple[int, dict, bytes]:
    """Send ``data`` on a fresh connection as is; return the status, headers (lower-case names)
    and body of the answer."""
    host, port = server
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(data)
        return read_answer(s)


def read_answer(s: socket.socket) -> tuple[int, dict, bytes]:
    """Read one HTTP answer from ``s`` (closed by the server, or framed by Content-Length)."""
    got = b""
    while b"\r\n\r\n" not in got:
        chunk = s.recv(65536)
        if not chunk:
            raise AssertionError(f"the server closed the connection after {got!r}")
        got += chunk
    head, _, body = got.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    length = int(headers.get("content-length", -1))
    while length < 0 or len(body) < length:
        chunk = s.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split()[1]), headers, body


def json_error(headers: dict, body: bytes) -> dict:
    """The API's error shape, or a test failure naming what came instead."""
    assert headers.get("content-type", "").startswith("application/json"), (headers, body[:200])
    error = json.loads(body)["error"]
    assert error["code"] and error["message"], error
    return error


def hold_slow_clients(server, first_part: bytes, count: int = SLOW_CLIENTS) -> list[socket.socket]:
    """``count`` connections that each send ``first_part`` and then nothing."""
    socks = []
    for _ in range(count):
        s = socket.create_connection(server, timeout=HEADER_TIMEOUT + 5)
        s.sendall(first_part)
        socks.append(s)
    time.sleep(0.3)  # every one of them is now in the server's hands
    return socks


def closed_with_408(socks: list[socket.socket]) -> None:
    """Each slow connection gets a JSON 408 once its time is up (none is held for ever)."""
    try:
        for s in socks:
            status, headers, body = read_answer(s)
            assert status == 408, (status, body)
            assert json_error(headers, body)["code"] == "request_timeout"
    finally:
        for s in socks:
            s.close()


@pytest.mark.parametrize("first_part", [
    pytest.param(b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl", id="half a header"),
    pytest.param(b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 2000\r\n\r\n{\"question\": \"Who", id="half a body"),
])
def test_slow_clients_do_not_stop_the_others(server, first_part):
    socks = hold_slow_clients(server, first_part)
    started = time.monotonic()
    try:
        answer = ask(server)
        assert answer["found"] and answer["citations"]
        assert time.monotonic() - started < ANSWER_WITHIN
    finally:
        closed_with_408(socks)
    # Each was given its HEADER_TIMEOUT seconds, not gunicorn's two minutes.
    assert time.monotonic() - started < HEADER_TIMEOUT + 5


def test_a_chunked_body_over_the_limit_gets_a_json_413(server):
    chunk = b"x" * 16384
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(LIMIT // len(chunk) + 2)) + b"0\r\n\r\n"
    status, headers, answer = raw(server, b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                          b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + body)
    assert status == 413, answer[:300]
    assert str(LIMIT) in json_error(headers, answer)["message"]


def test_a_5_mb_body_sent_whole_by_urllib_gets_the_413_not_a_broken_pipe(server):
    host, port = server
    req = urllib.request.Request(f"http://{host}:{port}/api/ask", data=b"{" + b" " * (5 * 1024 * 1024) + b"}",
                                 headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(req, timeout=20)
    assert caught.value.code == 413
    error = json_error({"content-type": caught.value.headers["Content-Type"]}, caught.value.read())
    assert "max_request_bytes" in error["message"]


@pytest.mark.parametrize("request_bytes, status", [
    pytest.param(b"GET /api/search?q=" + b"a" * 10000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 414, id="long URL"),
    pytest.param(b"GET /api/search?q=" + b"a" * 40000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 414, id="longer URL"),
    pytest.param(b"GET /api/status HTTP/1.1 please\r\nHost: 127.0.0.1\r\n\r\n", 400, id="bad request line"),
    pytest.param(b"GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header: x\r\n\r\n", 400, id="bad header name"),
    pytest.param(b"GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"b" * 40000 + b"\r\n\r\n", 431,
                 id="huge header"),
])
def test_requests_the_server_cannot_read_get_json_errors(server, request_bytes, status):
    got, headers, body = raw(server, request_bytes)
    assert got == status, body[:300]
    json_error(headers, body)


@pytest.mark.parametrize("path", ["/api//status", "/items//hostile-zanzibar-ferry", "/static//chat.js"])
def test_redirects_never_carry_the_host_header(server, path):
    host, port = server
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": "evil.example"})
        response = conn.getresponse()
        response.read()
        location = response.getheader("Location")
        assert response.status in (301, 302, 307, 308) and location, (response.status, location)
        assert "evil.example" not in location and location.startswith("/") and not location.startswith("//")
        # ...and the path still leads where the redirect meant.
        conn.request("GET", location)
        assert conn.getresponse().status == 200
    finally:
        conn.close()


def test_a_full_server_answers_503_with_retry_after_then_recovers(server):
    host, port = server
    # A couple more than the cap: the server may still be letting go of an earlier test's connection.
    socks = hold_slow_clients(server, b"GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\n", MAX_CONNECTIONS + 2)
    try:
        started = time.monotonic()
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(f"http://{host}:{port}/api/status", timeout=5)
        assert time.monotonic() - started < 2, "a full server says so at once"
        assert caught.value.code == 503
        assert int(caught.value.headers["Retry-After"]) >= 1
        assert json_error({"content-type": caught.value.headers["Content-Type"]}, caught.value.read())["code"]
    finally:
        for s in socks:
            s.close()
    deadline = time.monotonic() + 5
    while True:  # the closed connections are let go within moments
        try:
            assert ask(server)["found"]
            break
        except urllib.error.HTTPError as e:
            if e.code != 503 or time.monotonic() > deadline:
                raise
            time.sleep(0.2)
