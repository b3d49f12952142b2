"""`dateline serve`: the chat page and the JSON API under gunicorn (the web package)."""
from __future__ import annotations

import ipaddress

import click

from index import settings

from .cli import data_option, main, user_errors


def server_options(f):
    """Add --host, --port and --workers (env DATELINE_HOST/PORT/WORKERS) to a command."""
    for name, kind in (("workers", click.IntRange(1, 64)), ("port", click.IntRange(1, 65535)), ("host", str)):
        s = settings.setting(name)
        f = click.option(f"--{name}", type=kind, default=s.default, envvar=s.env,
                         show_default=True, help=s.help)(f)
    return f


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
    args = [sys.executable, "-c", "from qa.cli import main; main()", "serve", "--data", str(data_dir),
            "--host", host, "--port", str(port), "--workers", str(workers)]
    os.execv(sys.executable, args)


def run_server(data_dir, host: str, port: int, workers: int, access_log: bool = False) -> None:
    """Print where the chat is, then serve until Ctrl+C."""
    from web.server import serve

    if not is_loopback(host):
        click.echo(f"warning: listening on {host}, reachable from other machines", err=True)
    click.echo(f"Chat at http://{host}:{port}/  (API description: /api/openapi.json; Ctrl+C stops)")
    serve(str(data_dir), host=host, port=port, workers=workers, access_log=access_log)


@main.command()
@server_options
@click.option("--access-log", is_flag=True, help="Log every request to stderr.")
@data_option
@user_errors
def serve(host, port, workers, access_log, data_dir):
    """Serve the chat page and the JSON API (gunicorn, loopback by default).

    Each worker loads the model and the live index once and picks up a newly published
    index (from `dateline index`) within the reload_interval setting, without a restart.
    """
    run_server(data_dir, host, port, workers, access_log)
