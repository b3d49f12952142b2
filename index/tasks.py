"""The work of a job: an import (and the rebuild after it), or a rebuild, with its progress and
result fed to the job; and the child process in which the server runs a queued job.

`dateline import` and `dateline index` print as they go and call ``import_files`` and
``build_index`` themselves, feeding a job through ``ImportProgress`` and ``build_progress``;
uploads (and `dateline watch`) call ``run_import``. The server starts
``python -m dateline.index.tasks DATA JOB_ID``, which runs the job queued under that id.
"""
from __future__ import annotations

import logging
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from . import jobs
from .errors import DatelineError
from .importing import ImportSummary, SkippedFile, import_files
from .store import Archive, ImportReport

log = logging.getLogger(__name__)

# <data>/uploads/<job id>/: the files of an upload, kept as they came until its job ends. Then
# the archive holds every item and the job's report every file's outcome, so they go.
UPLOADS = "uploads"


class ImportProgress:
    """``import_files`` hooks that tell a job how many files are done and what each did."""

    def __init__(self, job: jobs.JobRun):
        self.job = job
        self.summary = ImportSummary()  # what is done so far: the job's result if it stops halfway
        self.total = 0

    def on_progress(self, done: int, total: int, file: Path, items: int | None) -> None:
        """Count files; a streamed file's items are read inside its transaction, where the job is not written."""
        self.total = total
        if items is None:
            self.job.progress(done, total, unit="files", phase="importing")

    def on_file(self, file: Path, outcome: ImportReport | SkippedFile) -> None:
        """Add a file's report (or why it was skipped) to the job's result."""
        if isinstance(outcome, SkippedFile):
            self.summary.skipped.append(outcome)
        else:
            self.summary.reports.append(outcome)
        self.job.result = self.summary.to_dict  # made when written: at most twice a second
        done = self.summary.imported + len(self.summary.skipped)
        self.job.progress(done, self.total, unit="files", phase="importing", force=done == self.total)


def build_progress(job: jobs.JobRun) -> Callable[[int, int], None]:
    """A ``build_index`` progress hook that tells ``job`` how many chunks are embedded."""
    return lambda done, total: job.progress(done, total, unit="chunks", phase="embedding")


def run_import(data_dir: str | Path, files: list[tuple[Path, bool]], *, origin: str, job_id: int | None = None,
               fmt: str | None = None, source: str | None = None, year: int | None = None,
               index: bool = True, nothing_found: str | None = None) -> ImportSummary:
    """Import ``files`` as one job, then (with ``index``) bring the index up to date in it.

    ``files`` are ``(path, skippable)`` pairs as ``import_files`` takes them. The job's result
    is the import's summary (``ImportSummary.to_dict``), with the build's report under
    ``"index"``. The job fails, with the summary still as its result, when the archive cannot be
    written or when no file held news (``nothing_found`` is then its message).
    """
    data_dir = Path(data_dir)
    archive = Archive.open(data_dir)
    try:
        with jobs.run(data_dir, "import", origin=origin, job_id=job_id) as job:
            hooks = ImportProgress(job)
            summary = import_files(archive, files, fmt=fmt, source=source, year=year,
                                   on_file=hooks.on_file, on_progress=hooks.on_progress)
            job.result = summary.to_dict()
            if not summary.imported:
                reasons = "; ".join(f"{s.path.name}: {s.reason}" for s in summary.skipped[:3])
                raise DatelineError(nothing_found or f"no news items found ({reasons or 'no files'})",
                                    code="nothing_imported")
            if index:
                job.result["index"] = _build(data_dir, job)
        return summary
    finally:
        archive.close()


def run_index(data_dir: str | Path, *, origin: str, job_id: int | None = None, full: bool = False) -> dict:
    """Bring the index up to date (from scratch with ``full``) as one job; return the build's report."""
    with jobs.run(data_dir, "index", origin=origin, job_id=job_id) as job:
        job.result = _build(Path(data_dir), job, full=full)
        return job.result


def _build(data_dir: Path, job: jobs.JobRun, *, full: bool = False) -> dict:
    """Run ``build_index`` for ``job``; return its report as data."""
    from .build import build_index  # numpy, faiss and the model: only a build needs them
    from .ray_embed import RayOptions  # DATELINE_RAY: embed on the cluster, as `dateline index --ray`

    job.progress(0, None, unit="chunks", phase="embedding")
    return build_index(data_dir, full=full, on_progress=build_progress(job), ray=RayOptions.from_settings()).to_dict()


def upload_folder(data_dir: str | Path, job_id: int) -> Path:
    """Where the files of upload job ``job_id`` are kept."""
    return Path(data_dir) / UPLOADS / str(job_id)


def run_queued(data_dir: str | Path, job_id: int) -> None:
    """Run job ``job_id`` as ``enqueue`` queued it: an upload's import, or a rebuild."""
    data_dir = Path(data_dir).resolve()
    kind, origin, params = jobs.params(data_dir, job_id)
    if kind == "index":
        run_index(data_dir, origin=origin, job_id=job_id, full=bool(params.get("full")))
        return
    # Paths relative to the data directory: items' origins and the job's report then name
    # uploads/<id>/<file>, not the server's layout.
    os.chdir(data_dir)
    folder = upload_folder(Path("."), job_id)
    files = [(path, True) for path in sorted(folder.iterdir()) if path.is_file()] if folder.is_dir() else []
    try:
        run_import(data_dir, files, origin=origin, job_id=job_id, fmt=params.get("format"),
                   source=params.get("source"), year=params.get("year"), index=params.get("index", True),
                   nothing_found="no news items found in the uploaded files")
    finally:
        remove_finished_uploads(data_dir)


def remove_finished_uploads(data_dir: str | Path) -> None:
    """Remove the files of every upload whose job has ended, or whose process died (a job
    marked failed since): they were imported, or their failure is in the job's report."""
    root = Path(data_dir) / UPLOADS
    folders = [f for f in root.iterdir() if f.is_dir() and f.name.isdigit()] if root.is_dir() else []
    for folder in folders:
        job = jobs.get(data_dir, int(folder.name))
        if job is None or job.state in ("done", "failed"):
            shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str]) -> int:
    """`python -m dateline.index.tasks DATA JOB_ID`: run a queued job; exit 1 when it failed."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    data_dir, job_id = argv
    try:
        run_queued(data_dir, int(job_id))
    except DatelineError as e:
        log.error("job %s failed: %s", job_id, e)
        return 1
    log.info("job %s done", job_id)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
