"""Load test of `dateline serve` on loopback: concurrent clients asking for a bounded time,
optionally while slow clients hold connections open.

For each client count it prints requests/s, p50/p90/p99 latency of the answered requests, the
503s the server answered because it was full (counted apart: each should carry Retry-After and
come back fast) and every other error (goal on the sample archive: no errors but 503s, p50
under 50 ms at 8 clients). A request that gets no answer within --timeout counts as an error of
its own kind ("timeout"): none should. With --slow N, N more connections each send half a
request header and hold it, reconnecting whenever the server closes them (as a hostile client
would); answered requests should still come back in well under a second.

With --data it starts `dateline serve` on a free loopback port itself and stops it afterwards;
with --url it targets a running server, which must be on this machine.

With --data it also reports the server's memory after the runs, from /proc/<pid>/smaps_rollup
of each of its processes: anonymous memory (the process's own, which no other process shares
and the kernel can only swap) and PSS (resident memory with each shared page divided among the
processes that map it; the sum over processes is what the server costs). The index is
memory-mapped, so workers share it through the page cache.

    python benchmarks/load.py --data ./dateline-data --clients 8 --duration 20
    python benchmarks/load.py --data ./dateline-data --clients 4 --slow 50
    python benchmarks/load.py --data ./dateline-data --clients 16,64,256 --duration 10
    python benchmarks/load.py --url http://127.0.0.1:8000 --endpoint search
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import select
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

from dateline.cli.serve import is_loopback

QUESTIONS = [
    "How many political prisoners were executed in 1988?",
    "What did the European Parliament say about human rights in Iran?",
    "What happened on 28 June?",
    "Who sponsored the resolution condemning the 1988 massacre?",
    "What is the rift between Khamenei and Rouhani about?",
    "Where will the Iranian opposition hold its gathering?",
    "Why should businesses not invest in Iran?",
    "What did Shahin Gobadi write?",
]
MAX_CLIENTS = 256
MAX_SLOW = 500
MAX_DURATION = 120.0
# What a slow client sends before it stops: a request line and the start of a header.
HALF_HEADER = b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(host: str, port: int, endpoint: str, question: str, timeout: float = 30.0) -> tuple[int, str | None]:
    """Send one question; return the HTTP status and its Retry-After header (the body is read
    and checked for JSON)."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        if endpoint == "ask":
            conn.request("POST", "/api/ask", body=json.dumps({"question": question}),
                         headers={"Content-Type": "application/json"})
        else:
            conn.request("GET", f"/api/search?q={quote(question)}&k=5")
        response = conn.getresponse()
        json.loads(response.read())
        return response.status, response.getheader("Retry-After")
    finally:
        conn.close()


def wait_ready(host: str, port: int, timeout: float, proc: subprocess.Popen | None = None) -> None:
    """Wait until /api/status answers 200 (the index is loaded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"dateline serve exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection(host, port, timeout=5)
            conn.request("GET", "/api/status")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.25)
    raise SystemExit(f"no server answered on {host}:{port} within {timeout:.0f} s")


class SlowClients:
    """Hold ``count`` connections that each send half a request header and then nothing,
    reconnecting whenever the server answers or closes one; count how often it did."""

    def __init__(self, host: str, port: int, count: int):
        self.host, self.port, self.count = host, port, count
        self.socks: list[socket.socket] = []
        self.reopened = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._hold, daemon=True)

    def _open(self) -> socket.socket | None:
        try:
            s = socket.create_connection((self.host, self.port), timeout=5)
            s.sendall(HALF_HEADER)
            s.setblocking(False)
            return s
        except OSError:
            return None

    def _hold(self) -> None:
        while not self._stop.is_set():
            while len(self.socks) < self.count and not self._stop.is_set():
                s = self._open()
                if s is None:
                    time.sleep(0.1)
                    break
                self.socks.append(s)
            readable, _, _ = select.select(self.socks, [], [], 0.2) if self.socks else ([], [], [])
            for s in readable:  # the server answered (408, 503) or closed it: open another
                self.socks.remove(s)
                s.close()
                self.reopened += 1

    def __enter__(self) -> "SlowClients":
        if self.count:
            self._thread.start()
            deadline = time.monotonic() + 10
            while len(self.socks) < self.count and time.monotonic() < deadline:
                time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        for s in self.socks:
            s.close()


def _session_pids(session: int) -> list[tuple[int, int]]:
    """(pid, parent pid) of each process of one session (the server and its workers), the
    leader first."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # Fields after the command's closing parenthesis: state ppid pgrp session ...
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[3]) == session:
                pids.append((int(entry.name), int(fields[1])))
    return sorted(pids, key=lambda p: (p[0] != session, p[0]))


def memory(session: int) -> list[dict]:
    """Anonymous memory, PSS and RSS in MB, and CPU seconds used so far, of each process of
    ``session`` (Linux only).

    Roles: "serve" is the `dateline serve` process itself, "worker" a process with no child
    in the session, "master" one in between (gunicorn's arbiter)."""
    procs = _session_pids(session)
    parents = {ppid for _, ppid in procs}
    out = []
    for pid, _ in procs:
        try:
            fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:])
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        mb = {k: round(int(fields[k].split()[0]) / 1024, 1) for k in ("Rss", "Pss", "Anonymous") if k in fields}
        role = "serve" if pid == session else ("master" if pid in parents else "worker")
        # utime + stime (fields 14 and 15 of stat, here 11 and 12 after the name): CPU used so far.
        cpu_s = round((int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK"), 1)
        out.append({"pid": pid, "role": role, "cmd": cmd[:60], "cpu_s": cpu_s, **mb})
    return out


def run(host: str, port: int, *, clients: int, duration: float, endpoint: str, warmup: float,
        slow: int = 0, timeout: float = 30.0) -> dict:
    """Run ``clients`` threads for ``warmup`` + ``duration`` seconds, with ``slow`` slow
    connections held open meanwhile; measure the last ``duration`` seconds."""
    latencies: list[float] = []
    busy: list[float] = []  # latencies of the 503s
    busy_without_retry_after = 0
    errors: dict[str, int] = {}
    lock = threading.Lock()

    def client(i: int) -> None:
        nonlocal busy_without_retry_after
        n = i
        while True:
            t0 = time.monotonic()
            if t0 >= stop_at:
                return
            question = QUESTIONS[n % len(QUESTIONS)]
            n += 1
            retry_after = None
            try:
                status, retry_after = request(host, port, endpoint, question, timeout)
                problem = None if status == 200 else f"HTTP {status}"
            except TimeoutError:
                problem = "timeout"
            except (OSError, ValueError, http.client.HTTPException) as e:
                problem = type(e).__name__
            t1 = time.monotonic()
            if t0 < start_at:
                continue  # warm-up: not counted
            with lock:
                if problem == "HTTP 503":
                    busy.append(t1 - t0)
                    busy_without_retry_after += retry_after is None
                elif problem:
                    errors[problem] = errors.get(problem, 0) + 1
                else:
                    latencies.append(t1 - t0)
            if problem == "HTTP 503":
                time.sleep(float(retry_after or 1))  # as a well-behaved client does

    with SlowClients(host, port, slow) as held:
        start_at = time.monotonic() + warmup
        stop_at = start_at + duration
        threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=warmup + duration + timeout + 30)
        held_at_end, reopened = len(held.socks), held.reopened
    latencies.sort()
    busy.sort()

    def pct(values: list[float], p: float) -> float:
        return round(values[min(len(values) - 1, int(p / 100 * len(values)))] * 1000, 1) if values else float("nan")

    return {
        "endpoint": endpoint, "clients": clients, "duration_s": duration, "slow": slow,
        "slow_held_at_end": held_at_end, "slow_reopened": reopened,
        "requests": len(latencies), "errors": sum(errors.values()), "error_kinds": errors,
        "busy_503": len(busy), "busy_p99_ms": pct(busy, 99), "busy_without_retry_after": busy_without_retry_after,
        "req_per_s": round(len(latencies) / duration, 1),
        "p50_ms": pct(latencies, 50), "p90_ms": pct(latencies, 90), "p99_ms": pct(latencies, 99),
        "max_ms": round(latencies[-1] * 1000, 1) if latencies else None,
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else None,
    }


def _client_counts(text: str) -> list[int]:
    counts = [int(c) for c in text.split(",") if c.strip()]
    if not counts or not all(1 <= c <= MAX_CLIENTS for c in counts):
        raise argparse.ArgumentTypeError(f"give client counts from 1 to {MAX_CLIENTS}, comma-separated")
    return counts


def _print(figures: dict) -> None:
    print(f"{figures['endpoint']}: {figures['clients']} clients"
          + (f" + {figures['slow']} slow connections" if figures["slow"] else "")
          + f", {figures['duration_s']:.0f} s: {figures['requests']} answered, {figures['req_per_s']} req/s, "
          f"p50 {figures['p50_ms']} ms, p90 {figures['p90_ms']} ms, p99 {figures['p99_ms']} ms, "
          f"max {figures['max_ms']} ms; 503 busy {figures['busy_503']}"
          + (f" (p99 {figures['busy_p99_ms']} ms, {figures['busy_without_retry_after']} without Retry-After)"
             if figures["busy_503"] else "")
          + f"; other errors {figures['errors']}" + (f" {figures['error_kinds']}" if figures["errors"] else "")
          + (f"; slow connections closed by the server: {figures['slow_reopened']}" if figures["slow"] else ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--url", help="a running server on this machine, e.g. http://127.0.0.1:8000")
    target.add_argument("--data", type=Path, help="start `dateline serve` on this data directory")
    parser.add_argument("--workers", type=int, default=2, help="server workers when --data starts one")
    parser.add_argument("--clients", type=_client_counts, default=[8],
                        help="concurrent clients; several (16,64,256) run one after another on one server")
    parser.add_argument("--slow", type=int, default=0, help="slow connections held open during each run")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds measured")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds run first, not measured")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds a request may take before it counts as an error")
    parser.add_argument("--endpoint", choices=["ask", "search"], default="ask")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if not 0 < args.duration <= MAX_DURATION:
        parser.error(f"--duration must be at most {MAX_DURATION:.0f} seconds")
    if not 0 <= args.slow <= MAX_SLOW:
        parser.error(f"--slow must be from 0 to {MAX_SLOW}")

    proc = None
    if args.url:
        parts = urlsplit(args.url)
        host, port = parts.hostname or "", parts.port or 80
        if not is_loopback(host):
            parser.error("--url must point at this machine (127.0.0.1, ::1 or localhost)")
    else:
        host, port = "127.0.0.1", _free_port()
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
        proc = subprocess.Popen(
            [sys.executable, "-m", "dateline", "serve", "--data", str(args.data),
             "--host", host, "--port", str(port), "--workers", str(args.workers)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    runs = []
    try:
        wait_ready(host, port, timeout=300, proc=proc)
        for clients in args.clients:
            figures = run(host, port, clients=clients, duration=args.duration, endpoint=args.endpoint,
                          warmup=args.warmup, slow=args.slow, timeout=args.timeout)
            runs.append(figures)
            if not args.json:
                _print(figures)
        memory_mb = memory(proc.pid) if proc is not None and Path("/proc/self/smaps_rollup").exists() else []
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    if args.json:
        print(json.dumps({"runs": runs, "memory_mb": memory_mb,
                          "total_pss_mb": round(sum(p.get("Pss", 0) for p in memory_mb), 1)}))
    else:
        for p in memory_mb:
            print(f"  {p['role']:<6} pid {p['pid']}: anonymous {p.get('Anonymous')} MB, PSS {p.get('Pss')} MB, "
                  f"RSS {p.get('Rss')} MB, CPU {p['cpu_s']} s")
        if memory_mb:
            print(f"  server in all: PSS {round(sum(p.get('Pss', 0) for p in memory_mb), 1)} MB")
    return 1 if any(r["errors"] for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
