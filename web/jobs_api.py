"""The jobs API: GET /api/jobs, GET /api/jobs/<id>, and uploads, POST /api/import.

An upload answers 202 at once with its job (and ``Location: /api/jobs/<id>``); the import and
the rebuild after it run in a child process (web/reindex.py), and the job's result holds each
file's report: a file that is not news gets its reason there, never an error status.
"""
from __future__ import annotations

import re

from flask import Blueprint, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from dateline.index import jobs
from dateline.index.errors import DatelineError
from dateline.qa.request import FieldError

from . import uploads
from .auth import challenge, require_key, require_token
from .engine import refuse_on_replica
from .errors import without_paths
from .models import ImportForm

bp = Blueprint("jobs", __name__, url_prefix="/api")
bp.before_request(require_key)
bp.after_request(challenge)

MAX_LIST = 100  # jobs one GET /api/jobs returns at most
MAX_ID = 2 ** 63 - 1  # SQLite's largest integer: a larger id names no job
FORM_FIELDS = set(ImportForm.model_fields)


def public(job: jobs.Job) -> dict:
    """A job as the API shows it: no process id or host, files by their names alone, and no
    server path in its error."""
    data = job.to_dict(process=False)
    result = data["result"]
    if result and "files" in result:
        for report in result["files"]:
            report["file"] = _name(report["file"])
            for rejection in report["rejections"]:
                rejection["file"] = _name(rejection["file"])
                # "same identity as the record at uploads/2/a.jsonl:1": the upload's own folder
                rejection["reason"] = _UPLOAD_FOLDER.sub("", rejection["reason"])
        for skipped in result.get("skipped", []):
            skipped["file"] = _name(skipped["file"])
    if data["error"]:
        data["error"] = without_paths(data["error"])
    return data


_UPLOAD_FOLDER = re.compile(r"(?<![\w/\\])uploads[\\/]\d+[\\/]")  # relative: the data directory's own


def _name(path: str) -> str:
    """A file's name without its directories (the server's layout is its own); a feed's URL
    (`dateline watch`) as it is."""
    if re.match(r"[a-z][a-z0-9+.-]*://", path, re.IGNORECASE):
        return path
    return re.split(r"[\\/]", path.rstrip("\\/"))[-1]


@bp.get("/jobs")
def list_jobs():
    """The latest jobs, newest first (``?limit=``, 1 to 100, default 20)."""
    raw = request.args.get("limit", "20")
    if not re.fullmatch(r"[0-9]{1,3}", raw) or not 1 <= int(raw) <= MAX_LIST:
        raise FieldError("limit", f"`limit` must be a whole number from 1 to {MAX_LIST}")
    return {"jobs": [public(job) for job in jobs.recent(current_app.config["DATA_DIR"], int(raw))]}


@bp.get("/jobs/<int:job_id>")
def get_job(job_id: int):
    """One job: its state, progress and result."""
    job = jobs.get(current_app.config["DATA_DIR"], job_id) if job_id <= MAX_ID else None
    if job is None:
        raise DatelineError(f"no job {job_id}", code="not_found", status=404)
    return public(job)


@bp.post("/import")
def upload():
    """Import the uploaded files as a job (then rebuild the index, unless ``index`` is false); needs the token."""
    refuse_on_replica("importing")
    require_token("importing")
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    request.max_content_length = limit  # uploads get their own limit, above max_request_bytes
    if request.mimetype != "multipart/form-data":
        raise DatelineError(f"send the files as multipart/form-data, not {request.mimetype or 'a body without a Content-Type'}",
                            code="unsupported_media_type", status=415)
    try:
        files = [f for f in request.files.getlist("file") if f.filename]  # a browser sends "" for no file
        unknown = sorted(set(request.files) - {"file"} | set(request.form) - FORM_FIELDS)
        form = request.form.to_dict()
    except RequestEntityTooLarge:
        raise DatelineError(f"the upload is larger than {limit // (1024 * 1024)} MB (setting upload_max_mb)",
                            code="request_entity_too_large", status=413) from None
    if unknown:
        raise FieldError(unknown[0], f"`{unknown[0]}` is not a field of an import; send `file` parts "
                                     f"and {', '.join(sorted(FORM_FIELDS))}")
    options = ImportForm.checked(form)
    if not files:
        raise FieldError("file", "send one or more files as `file` parts of the form")
    data_dir = current_app.config["DATA_DIR"]
    job_id = uploads.start(data_dir, files, options)
    job = jobs.get(data_dir, job_id)
    return public(job), 202, {"Location": f"/api/jobs/{job_id}"}
