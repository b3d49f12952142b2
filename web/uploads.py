"""Uploads (POST /api/import): the files are kept in ``<data>/uploads/<job id>/`` under their
client's names made safe, and imported (then indexed) by a job in a child process, which
removes them when the job ends (index/tasks.py)."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from werkzeug.datastructures import FileStorage

from dateline.index import disk, jobs
from dateline.index.tasks import upload_folder

from . import reindex
from .models import ImportForm

MAX_NAME_CHARS = 100


def safe_name(name: str | None, taken: set[str]) -> str:
    """A client's file name as a plain name in one folder: no directories, no leading dot, only
    letters, digits, ``.``, ``-`` and ``_`` (its extension kept: it tells the format), unique in ``taken``."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[^\w.-]+", "_", base, flags=re.ASCII).lstrip("._")[-MAX_NAME_CHARS:] or "upload"
    stem, dot, suffix = base.rpartition(".")
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}-{n}.{suffix}" if dot and stem else f"{base}-{n}"
    taken.add(candidate)
    return candidate


def start(data_dir: str | Path, files: list[FileStorage], form: ImportForm) -> int:
    """Queue an import of ``files`` with ``form``'s options, keep the files, start the job; return its id.

    DatelineError (503) when the archive or the upload folder cannot be written; the job is then
    marked failed and nothing of the upload is kept.
    """
    data_dir = Path(data_dir)
    job_id, _ = jobs.enqueue(data_dir, "import", origin="upload", create=True,
                             params={"format": form.format, "source": form.source, "year": form.year,
                                     "index": form.index})
    folder = upload_folder(data_dir, job_id)
    try:
        folder.mkdir(parents=True)
        taken: set[str] = set()
        for file in files:
            file.save(folder / safe_name(file.filename, taken))
    except OSError as e:
        shutil.rmtree(folder, ignore_errors=True)
        error = disk.os_error(e, e.filename or folder, shown=f"uploads/{job_id}",
                              then="the upload was not kept") or e
        jobs.fail(data_dir, job_id, getattr(error, "message", "the upload could not be kept"))
        raise error from e
    reindex.spawn(data_dir, job_id)
    return job_id
