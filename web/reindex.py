"""Jobs the server starts (POST /api/reindex, POST /api/import): each queued in the archive's
jobs table, then run by a child process (`python -m dateline.index.tasks DATA JOB_ID`), so that
the gunicorn workers stay free to answer.

The child waits for the archive's writer lock (index/jobs.py) in state queued, so a rebuild or
an upload started while `dateline import` runs in a shell goes after it; the server's workers
pick up the generation it publishes by themselves (see web.engine).
"""
from __future__ import annotations

import logging
import subprocess
import sys
import threading
from pathlib import Path

from dateline.index import jobs

log = logging.getLogger(__name__)

LOG_NAME = "jobs.log"  # the children's output, in the data directory


def running(data_dir: str | Path) -> bool:
    """Whether an index build is queued or running on ``data_dir``, from any origin."""
    return building(jobs.active(data_dir))


def building(job: jobs.Job | None) -> bool:
    """Whether ``job`` (the active one) is a build: a rebuild job, or an import in its rebuild phase."""
    return job is not None and (job.kind == "index" or job.phase == "embedding")


def start(data_dir: str | Path, full: bool = False) -> int | None:
    """Queue an incremental rebuild (from scratch with ``full``) and start its child; return the
    job's id, or None when a rebuild is already queued or running."""
    job_id, created = jobs.enqueue(data_dir, "index", origin="api", params={"full": full}, unless_pending=True)
    if not created:
        return None
    spawn(data_dir, job_id)
    return job_id


def spawn(data_dir: str | Path, job_id: int) -> None:
    """Start the child that runs queued job ``job_id``; the job fails when it cannot start."""
    data_dir = Path(data_dir)
    try:
        with open(data_dir / LOG_NAME, "ab") as out:
            child = subprocess.Popen(_command(data_dir, job_id), stdin=subprocess.DEVNULL, stdout=out,
                                     stderr=out, start_new_session=True)
    except OSError as e:
        jobs.fail(data_dir, job_id, f"the job could not be started ({e.strerror or e})")
        raise
    jobs.assign(data_dir, job_id, child.pid)
    threading.Thread(target=_reap, args=(child, data_dir, job_id), daemon=True, name=f"job-{job_id}").start()
    log.info("job %d on %s started (pid %d)", job_id, data_dir, child.pid)


def _command(data_dir: Path, job_id: int) -> list[str]:
    """`python -m dateline.index.tasks DATA JOB_ID`, run by this interpreter."""
    return [sys.executable, "-m", "dateline.index.tasks", str(data_dir), str(job_id)]


def _reap(child: subprocess.Popen, data_dir: Path, job_id: int) -> None:
    """Wait for the child (no zombie) and log how it ended."""
    code = child.wait()
    if code:
        log.error("job %d on %s failed (exit %d); see %s", job_id, data_dir, code, data_dir / LOG_NAME)
    else:
        log.info("job %d on %s finished", job_id, data_dir)
