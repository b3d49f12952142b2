"""`dateline watch`: import what is new in folders and feeds, then update the index, every so often."""
from __future__ import annotations

import logging
import re
import signal
import time
from pathlib import Path

import click

from .common import data_option, user_errors

log = logging.getLogger("dateline.watch")

_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smh])")
_UNIT_S = {"s": 1, "m": 60, "h": 3600}


def parse_duration(text: str) -> float:
    """Seconds in a duration such as 30s, 15m, 1h or 1h30m; click's error for anything else.

    >>> parse_duration("1h30m")
    5400.0
    """
    parts = _DURATION.findall(text.strip().lower())
    if not parts or "".join(n + u for n, u in parts) != text.strip().lower():
        raise click.BadParameter(f"{text!r} is not a duration such as 30s, 15m or 1h", param_hint="--every")
    seconds = sum(float(n) * _UNIT_S[u] for n, u in parts)
    if seconds < 1:
        raise click.BadParameter(f"{text!r} is under a second", param_hint="--every")
    return seconds


def _stop(signum, frame) -> None:
    """SIGTERM (systemd, docker stop) stops the watch as Ctrl+C does: the file being imported rolls back."""
    raise KeyboardInterrupt


@click.command("watch")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--feed", "feeds", multiple=True, metavar="URL",
              help="An RSS or Atom feed to follow (http or https); repeat for more.")
@click.option("--every", default="15m", show_default=True, metavar="DURATION",
              help="Time from the start of one cycle to the next: 30s, 15m, 1h.")
@click.option("--source", help="Source name for every item imported (default: a feed's title; a file's own).")
@click.option("--once", is_flag=True, help="Run one cycle and exit (for cron, or to try it); exit 1 if it failed.")
@data_option
@user_errors
def watch(paths, feeds, every, source, once, data_dir):
    """Import new and changed files under PATHs and new entries of feeds, then update the index.

    Each cycle logs one line. An unchanged feed costs one small request (conditional GET); a
    feed that is down, or a bad file, is logged and skipped. Run it beside `dateline serve`,
    which picks up each new index by itself.
    """
    from dateline.index.watch import Watcher
    from dateline.index.watch.state import only_watcher

    interval = parse_duration(every)
    if not paths and not feeds:
        raise click.UsageError("name at least one PATH or --feed URL to watch")
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    watcher = Watcher(data_dir, folders=list(paths), feeds=list(feeds), source=source)
    with only_watcher(data_dir):
        if once:
            raise SystemExit(1 if watcher.cycle().error else 0)
        signal.signal(signal.SIGTERM, _stop)
        click.echo(f"watching {len(paths)} path(s) and {len(feeds)} feed(s) every {every} into {data_dir} "
                   "(Ctrl+C stops)", err=True)
        try:
            while True:
                started = time.monotonic()
                try:
                    watcher.cycle()
                except Exception:  # a bug must not end the watch: log it whole, try again next cycle
                    log.exception("the watch cycle failed; trying again in %s", every)
                time.sleep(max(0.0, started + interval - time.monotonic()))
        except KeyboardInterrupt:
            click.echo("watch stopped", err=True)
