"""The worker loop: claim a job, run its kind, record the outcome; beat while it runs.

The heartbeat and progress are written on their own short transactions so
the web pages can show them while the job's own work is still uncommitted.
SQLite has one writer at a time: while a job holds a long write transaction
(an import being applied) those writes wait and are skipped, and the job's
heartbeat timeout (a setting) is generous for that reason.
"""
from __future__ import annotations

import logging
import threading
import time
import traceback

from flask import Flask
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from crm.extensions import db
from crm.jobs import service
from crm.jobs.registry import JOB_KINDS
from crm.models import Job
from crm.models.base import utcnow

log = logging.getLogger(__name__)


class JobContext:
    """What a job function gets: its parameters, and a way to report progress."""

    def __init__(self, job: Job):
        self.job_id = job.id
        self.params = dict(job.params or {})
        self.user_id = job.user_id
        self._last = 0.0

    def report(self, done: int, total: int | None = None, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < 0.5:
            return
        self._last = now
        values = {"progress": done, "heartbeat_at": utcnow()}
        if total is not None:
            values["total"] = total
        _write(self.job_id, values)


def _write(job_id: int, values: dict) -> None:
    """Best effort: progress that would have to wait for the database lock is skipped."""
    sqlite = db.engine.dialect.name == "sqlite"
    try:
        with db.engine.connect() as conn:
            # On the DB-API connection, outside any transaction, so the PRAGMA takes effect.
            raw = conn.connection.driver_connection if sqlite else None
            if raw is not None:
                raw.execute("PRAGMA busy_timeout=100")
            try:
                conn.execute(update(Job).where(Job.id == job_id).values(**values))
                conn.commit()
            finally:
                if raw is not None:
                    raw.execute("PRAGMA busy_timeout=10000")
    except OperationalError:
        log.debug("job %s: progress not written (database busy)", job_id)


class _Heartbeat(threading.Thread):
    def __init__(self, app: Flask, job_id: int, every: float = 5.0):
        super().__init__(daemon=True)
        self.app, self.job_id, self.every = app, job_id, every
        self.stopped = threading.Event()

    def run(self) -> None:
        with self.app.app_context():
            while not self.stopped.wait(self.every):
                _write(self.job_id, {"heartbeat_at": utcnow()})


def run_one(app: Flask) -> bool:
    """Run the next queued job, if any; return whether one ran."""
    with app.app_context():
        service.requeue_stale(db.session)
        service.purge_expired(db.session)
        job = service.claim(db.session)
        db.session.commit()
        if job is None:
            return False
        job_id, kind = job.id, job.kind
        ctx = JobContext(job)
        db.session.rollback()  # end the read that loaded the job before the job's own work starts
        beat = _Heartbeat(app, job_id)
        # SQLite: a write committed by another connection between a job's first read and
        # its first write fails the job ("database is locked", WAL snapshot), so there the
        # job reports only between its own transactions and no thread beats beside it.
        if db.engine.dialect.name != "sqlite":
            beat.start()
        try:
            fn = JOB_KINDS.get(kind)
            if fn is None:
                raise LookupError(f"no job kind {kind!r} is registered")
            result = fn(ctx)
        except Exception as exc:  # noqa: BLE001 - any failure is recorded on the job
            db.session.rollback()
            log.error("job %s (%s) failed: %s", job_id, kind, traceback.format_exc())
            fail_job = db.session.get(Job, job_id)
            service.fail(db.session, fail_job, f"{type(exc).__name__}: {exc}")
            db.session.commit()
        else:
            done = db.session.get(Job, job_id, populate_existing=True)
            service.finish(db.session, done, result)
            db.session.commit()
        finally:
            beat.stopped.set()
            db.session.remove()
        return True


def run_forever(app: Flask, poll: float = 1.0) -> None:  # pragma: no cover - a loop around run_one
    log.info("ChainCRM worker started")
    while True:
        try:
            if not run_one(app):
                time.sleep(poll)
        except KeyboardInterrupt:
            return
        except OperationalError:
            time.sleep(poll)
