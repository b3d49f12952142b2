"""`dateline jobs`: the imports and index builds, from every origin, with their progress and results."""
from __future__ import annotations

import json

import click

from .common import data_option, user_errors


@click.command("jobs")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for programs.")
@click.option("--limit", type=click.IntRange(1, 10000), default=20, show_default=True,
              help="How many of the latest jobs to list.")
@data_option
@user_errors
def jobs_cmd(as_json, limit, data_dir):
    """List the latest imports and index builds (from the CLI, uploads, `dateline watch`, the API).

    A job whose process stopped without finishing (killed, a crash) is shown as failed.
    """
    from dateline.index import jobs

    found = jobs.recent(data_dir, limit)
    if as_json:
        click.echo(json.dumps([job.to_dict() for job in found], indent=2))
        return
    if not found:
        click.echo("no jobs yet")
    for job in found:
        click.echo(describe(job))


def describe(job) -> str:
    """One job in a line or a few: id, kind, state, origin, when, and what it did or why it failed."""
    when = job.finished_at or job.started_at or job.created_at
    line = f"{job.id:>5}  {job.kind:<6}  {job.state:<7}  {job.origin:<6}  {when}"
    progress = job.to_dict()["progress"]
    if job.state in ("running", "queued") and progress:
        line += f"  {progress['phase'] or ''} {progress['done']}/{progress['total'] or '?'} {progress['unit'] or ''}"
        if progress["seconds_left"] is not None:
            line += f", {progress['seconds_left']:.0f} s left"
        if job.pid:
            line += f"  (pid {job.pid} on {job.host})"
    result = job.result or {}
    more = []
    if "totals" in result:
        line += "  " + ", ".join(f"{v} {k}" for k, v in result["totals"].items())
        more += [f"skipped {s['file']}: {s['reason']}" for s in result.get("skipped", [])[:3]]
    built = result.get("index") if job.kind == "import" else result or None
    if built:
        line += (f"; index: generation {built['generation']}, {built['embedded']} embedded, "
                 f"{built['chunks_reused']} reused" if built.get("published") else "; index: up to date")
    if job.error:
        more.append(f"error: {job.error}")
    line += "".join(f"\n         {text}" for text in more)
    return line
