"""Job pages: progress (polled by htmx), and downloads checked against the job's owner."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, render_template, send_file
from flask_login import current_user

from crm.extensions import db
from crm.jobs.service import files_root
from crm.models import Job
from crm.security.permissions import SIGNED_IN, requires

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


def _own_job(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    # Another user's job is simply not there for you.
    if job is None or job.user_id != current_user.id:
        abort(404)
    return job


@bp.route("/<int:job_id>")
@requires(SIGNED_IN)
def detail(job_id: int):
    return render_template("jobs/detail.html", job=_own_job(job_id))


@bp.route("/<int:job_id>/status")
@requires(SIGNED_IN)
def status(job_id: int):
    return render_template("jobs/_status.html", job=_own_job(job_id))


@bp.route("/<int:job_id>/download")
@requires(SIGNED_IN)
def download(job_id: int):
    job = _own_job(job_id)
    if job.status != "done" or not job.file_path:
        abort(404)
    path = (files_root() / job.file_path).resolve()
    if files_root().resolve() not in path.parents or not path.exists():
        abort(404)
    name = (job.result or {}).get("download_name") or Path(job.file_path).name
    return send_file(path, as_attachment=True, download_name=name)
