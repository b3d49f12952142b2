"""Load test of `dateline serve` on loopback: concurrent clients asking for a bounded time.

Prints requests/s, p50/p90/p99 latency and the error count (goal on the sample archive: zero
errors, p50 under 50 ms at 8 clients). With --data it starts `dateline serve` on a free
loopback port itself and stops it afterwards; with --url it targets a running server, which
must be on this machine.

With --data it also reports the server's memory after the run, from /proc/<pid>/smaps_rollup
of the gunicorn master and each worker: anonymous memory (the process's own, which no other
process shares and the kernel can only swap) and PSS (resident memory with each shared page
divided among the processes that map it; the sum over processes is what the server costs).
The index is memory-mapped, so workers share it through the page cache.

    python benchmarks/load.py --data ./dateline-data --clients 8 --duration 20
    python benchmarks/load.py --url http://127.0.0.1:8000 --endpoint search
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
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
MAX_CLIENTS = 64
MAX_DURATION = 120.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(host: str, port: int, endpoint: str, question: str, timeout: float = 30.0) -> int:
    """Send one question; return the HTTP status (the body is read and checked for JSON)."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        if endpoint == "ask":
            conn.request("POST", "/api/ask", body=json.dumps({"question": question}),
                         headers={"Content-Type": "application/json"})
        else:
            conn.request("GET", f"/api/search?q={quote(question)}&k=5")
        response = conn.getresponse()
        json.loads(response.read())
        return response.status
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


def _session_pids(session: int) -> list[int]:
    """Processes of one session (the server and its workers), the leader first."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # Fields after the command's closing parenthesis: state ppid pgrp session ...
            if int(stat.rsplit(")", 1)[1].split()[3]) == session:
                pids.append(int(entry.name))
    return sorted(pids, key=lambda p: (p != session, p))


def memory(session: int) -> list[dict]:
    """Anonymous memory, PSS and RSS in MB of each process of ``session`` (Linux only)."""
    out = []
    for pid in _session_pids(session):
        try:
            fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:])
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        mb = {k: round(int(fields[k].split()[0]) / 1024, 1) for k in ("Rss", "Pss", "Anonymous") if k in fields}
        out.append({"pid": pid, "role": "master" if pid == session else "worker", "cmd": cmd[:60], **mb})
    return out


def run(host: str, port: int, *, clients: int, duration: float, endpoint: str, warmup: float) -> dict:
    """Run ``clients`` threads for ``warmup`` + ``duration`` seconds; measure the last part."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()
    start_at = time.monotonic() + warmup
    stop_at = start_at + duration

    def client(i: int) -> None:
        n = i
        while True:
            t0 = time.monotonic()
            if t0 >= stop_at:
                return
            question = QUESTIONS[n % len(QUESTIONS)]
            n += 1
            try:
                status = request(host, port, endpoint, question)
                problem = None if status == 200 else f"HTTP {status}"
            except (OSError, ValueError, http.client.HTTPException) as e:
                problem = type(e).__name__
            t1 = time.monotonic()
            if t0 < start_at:
                continue  # warm-up: not counted
            with lock:
                if problem:
                    errors[problem] = errors.get(problem, 0) + 1
                else:
                    latencies.append(t1 - t0)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=warmup + duration + 60)
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000 if latencies else float("nan")

    return {
        "endpoint": endpoint, "clients": clients, "duration_s": duration,
        "requests": len(latencies), "errors": sum(errors.values()), "error_kinds": errors,
        "req_per_s": round(len(latencies) / duration, 1),
        "p50_ms": round(pct(50), 1), "p90_ms": round(pct(90), 1), "p99_ms": round(pct(99), 1),
        "max_ms": round(latencies[-1] * 1000, 1) if latencies else None,
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--url", help="a running server on this machine, e.g. http://127.0.0.1:8000")
    target.add_argument("--data", type=Path, help="start `dateline serve` on this data directory")
    parser.add_argument("--workers", type=int, default=2, help="server workers when --data starts one")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds measured")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds run first, not measured")
    parser.add_argument("--endpoint", choices=["ask", "search"], default="ask")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= MAX_CLIENTS:
        parser.error(f"--clients must be from 1 to {MAX_CLIENTS}")
    if not 0 < args.duration <= MAX_DURATION:
        parser.error(f"--duration must be at most {MAX_DURATION:.0f} seconds")

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
    try:
        wait_ready(host, port, timeout=300, proc=proc)
        figures = run(host, port, clients=args.clients, duration=args.duration,
                      endpoint=args.endpoint, warmup=args.warmup)
        if proc is not None and Path("/proc/self/smaps_rollup").exists():
            procs = memory(proc.pid)
            figures["memory_mb"] = procs
            figures["total_pss_mb"] = round(sum(p.get("Pss", 0) for p in procs), 1)
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"{figures['endpoint']}: {figures['clients']} clients, {figures['duration_s']:.0f} s: "
              f"{figures['requests']} requests, {figures['req_per_s']} req/s, "
              f"p50 {figures['p50_ms']} ms, p90 {figures['p90_ms']} ms, p99 {figures['p99_ms']} ms, "
              f"max {figures['max_ms']} ms, errors {figures['errors']}"
              + (f" {figures['error_kinds']}" if figures["errors"] else ""))
        for p in figures.get("memory_mb", []):
            print(f"  {p['role']:<6} pid {p['pid']}: anonymous {p.get('Anonymous')} MB, PSS {p.get('Pss')} MB, "
                  f"RSS {p.get('Rss')} MB")
        if "total_pss_mb" in figures:
            print(f"  server in all: PSS {figures['total_pss_mb']} MB")
    return 1 if figures["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
