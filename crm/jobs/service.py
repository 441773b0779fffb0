"""Enqueue, claim, finish and requeue jobs; store and expire their files.

Claims are safe with several workers: PostgreSQL uses ``FOR UPDATE SKIP
LOCKED``; SQLite (where SQLAlchemy silently drops ``skip_locked``) uses
``UPDATE … WHERE status = 'queued'`` and checks the row count.
"""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crm.models import Job
from crm.models.base import utcnow
from crm.settings import get as get_setting
from crm.settings.registry import SettingDef, register

GROUP = _l("Files and background jobs")
register(SettingDef("job_threshold_rows", "int", 2000, _l("Rows above which imports and exports run in the background"),
                    GROUP, minimum=1, maximum=10_000_000))
register(SettingDef("file_retention_hours", "int", 24, _l("Hours an export or upload is kept"), GROUP,
                    minimum=1, maximum=24 * 90))
register(SettingDef("job_stale_minutes", "int", 10, _l("Minutes without a heartbeat before a job is requeued"),
                    GROUP, minimum=1, maximum=24 * 60))


def files_root() -> Path:
    root = Path(current_app.instance_path) / "files"
    root.mkdir(parents=True, exist_ok=True)
    return root


def job_dir(job_id: int) -> Path:
    path = files_root() / "jobs" / str(job_id)
    path.mkdir(parents=True, exist_ok=True)
    return path


def enqueue(session: Session, kind: str, params: dict, user_id: int | None, total: int | None = None) -> Job:
    job = Job(kind=kind, params=params, user_id=user_id, status="queued", total=total)
    session.add(job)
    session.flush()
    return job


def claim(session: Session) -> Job | None:
    """Take the oldest queued job, or None. The caller commits."""
    now = utcnow()
    if session.get_bind().dialect.name == "postgresql":
        job = session.scalars(select(Job).where(Job.status == "queued").order_by(Job.id).limit(1)
                              .with_for_update(skip_locked=True)).first()
        if job is None:
            return None
        job.status, job.started_at, job.heartbeat_at = "running", now, now
        job.attempts += 1
        session.flush()
        return job
    for _ in range(5):
        candidate = session.scalar(select(Job.id).where(Job.status == "queued").order_by(Job.id).limit(1))
        if candidate is None:
            return None
        result = session.execute(update(Job).where(Job.id == candidate, Job.status == "queued").values(
            status="running", started_at=now, heartbeat_at=now, attempts=Job.attempts + 1))
        if result.rowcount == 1:
            return session.get(Job, candidate, populate_existing=True)
    return None


def finish(session: Session, job: Job, result: dict | None) -> None:
    hours = get_setting(session, "file_retention_hours")
    result = dict(result or {})
    job.file_path = result.pop("file", None)  # a job's file is given back in its result
    job.status, job.result, job.finished_at = "done", result, utcnow()
    job.progress = job.total or job.progress
    job.expires_at = utcnow() + dt.timedelta(hours=hours)


def fail(session: Session, job: Job, message: str) -> None:
    job.status, job.error, job.finished_at = "failed", message[:4000], utcnow()


def requeue_stale(session: Session, minutes: int | None = None) -> list[int]:
    """Put running jobs whose worker stopped beating back in the queue."""
    minutes = get_setting(session, "job_stale_minutes") if minutes is None else minutes
    limit = utcnow() - dt.timedelta(minutes=minutes)
    stale = list(session.scalars(select(Job).where(Job.status == "running", Job.heartbeat_at <= limit)))
    for job in stale:
        job.status, job.progress = "queued", 0
    session.flush()
    return [j.id for j in stale]


def purge_expired(session: Session) -> int:
    """Delete the files of expired jobs; the job rows stay as history."""
    jobs = list(session.scalars(select(Job).where(Job.expires_at <= utcnow(), Job.file_path.is_not(None))))
    for job in jobs:
        shutil.rmtree(files_root() / "jobs" / str(job.id), ignore_errors=True)
        job.file_path = None
    session.flush()
    return len(jobs)
