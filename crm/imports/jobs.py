"""Job kinds for imports: staging commits chunk by chunk; applying is one transaction."""
from __future__ import annotations

import time
from pathlib import Path

from flask import current_app

from crm.extensions import db
from crm.imports import services
from crm.jobs.registry import job_kind
from crm.models import ImportBatch, User


def _batch(ctx) -> ImportBatch:
    return db.session.get(ImportBatch, ctx.params["batch_id"])


def _pause_for_tests(ctx) -> None:
    pause = current_app.config.get("IMPORT_APPLY_PAUSE", 0)
    if pause and current_app.testing:
        (Path(current_app.instance_path) / f"apply-paused-{ctx.job_id}").touch()
        time.sleep(pause)


@job_kind("import.stage")
def stage_job(ctx) -> dict:
    batch = _batch(ctx)
    total = batch.total_rows
    db.session.commit()
    for done in services.stage(db.session, batch):
        db.session.commit()
        ctx.report(done, total)
    db.session.commit()
    return {"batch_id": batch.id}


@job_kind("import.apply")
def apply_job(ctx) -> dict:
    ctx.report(0, force=True)  # before this session reads anything (see crm.jobs.worker)
    batch = _batch(ctx)
    actor = db.session.get(User, ctx.user_id)
    result = services.apply(db.session, actor, batch)
    _pause_for_tests(ctx)
    db.session.commit()
    return {"batch_id": batch.id, **result}
