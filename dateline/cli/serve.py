"""Server commands: `dateline serve` (the chat page and JSON API under gunicorn) and `dateline demo`."""
from __future__ import annotations

import ipaddress
from pathlib import Path

import click

from .common import data_option, echo_status, echo_waiting, server_options, user_errors


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def exec_server(data_dir, host: str, port: int, workers: int) -> None:
    """Replace this process with `dateline serve` (never returns).

    `dateline demo` has loaded the model to build the index; torch's thread pools do not survive
    gunicorn's fork, so the server starts from a fresh interpreter instead.
    """
    import os
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    args = [sys.executable, "-m", "dateline", "serve", "--data", str(data_dir),
            "--host", host, "--port", str(port), "--workers", str(workers)]
    os.execv(sys.executable, args)


def run_server(data_dir, host: str, port: int, workers: int, access_log: bool = False) -> None:
    """Print where the chat is, then serve until Ctrl+C."""
    from dateline.index.replica import is_replica_root, live_snapshot
    from dateline.web.server import serve

    if not is_loopback(host):
        click.echo(f"warning: listening on {host}, reachable from other machines", err=True)
    if is_replica_root(data_dir):
        click.echo(f"read-only replica: answering from snapshot {live_snapshot(data_dir)} of {data_dir}, "
                   "and from each new one `dateline snapshot` publishes there")

    def listening() -> None:
        click.echo(f"Chat at http://{host}:{port}/  (API description: /api/openapi.json; Ctrl+C stops)")

    serve(str(data_dir), host=host, port=port, workers=workers, access_log=access_log, listening=listening)


@click.command()
@server_options
@click.option("--access-log", is_flag=True, help="Log every request to stderr.")
@data_option
@user_errors
def serve(host, port, workers, access_log, data_dir):
    """Serve the chat page and the JSON API (loopback by default).

    A front reads each request whole, within the header_timeout and body_timeout settings,
    and hands it to one of the gunicorn workers; it answers 503 with Retry-After when
    max_connections clients are connected or max_queued requests wait. Each worker loads the
    model and the live index once and picks up a newly published index (from `dateline
    index`) within the reload_interval setting, without a restart.

    Given a folder of snapshots (`dateline snapshot DEST`), it is a read-only replica: it
    writes nothing there, refuses uploads and rebuilds, and follows each new snapshot.
    """
    run_server(data_dir, host, port, workers, access_log)


@click.command()
@click.option("--serve/--no-serve", "serve_after", default=True, show_default=True,
              help="Serve the chat on the sample once it is indexed.")
@server_options
@data_option
@user_errors
def demo(serve_after, host, port, workers, data_dir):
    """Import and index the bundled sample archive (Iran Focus, June 2017), then serve the chat."""
    from importlib.resources import files

    from dateline.index import jobs
    from dateline.index.build import build_index
    from dateline.index.importing import import_files
    from dateline.index.store import Archive
    from dateline.index.tasks import build_progress

    sample = Path(str(files("dateline.qa") / "demo" / "iran_focus_2017.txt"))
    # The import and the build are jobs, as `dateline import` and `dateline index` run them.
    archive = Archive.open(data_dir)
    try:
        with jobs.run(data_dir, "import", origin="cli", on_wait=echo_waiting) as job:
            summary = import_files(archive, [(sample, False)])
            job.result = summary.to_dict()
    finally:
        archive.close()
    for imported in summary.reports:
        click.echo(imported.summary())
    with jobs.run(data_dir, "index", origin="cli", on_wait=echo_waiting) as job:
        report = build_index(data_dir, progress=True, on_progress=build_progress(job))
        job.result = report.to_dict()
    click.echo(report.summary())
    echo_status(Archive.open(data_dir, create=False).status(), data_dir / Archive.FILENAME)
    if serve_after:
        exec_server(data_dir, host, port, workers)
