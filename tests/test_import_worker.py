"""A worker killed in the middle of applying an import leaves nothing applied; the job is requeued."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from crm import create_app
from crm.extensions import db
from crm.models import Company, ImportBatch, Job
from tests.conftest import TEST_PASSWORD, make_config

ROOT = Path(__file__).resolve().parent.parent
ROWS = 1500


def _prepare(app):
    from crm.imports import services
    from crm.jobs import service as jobs
    from crm.units.services import create_unit
    from crm.users.services import create_user
    unit = create_unit(db.session, None, {"name": "导入县", "kind": "county"})
    user = create_user(db.session, None, username="importer", name="导入员", unit_id=unit.id, roles={"officer"},
                       password=TEST_PASSWORD)
    csv = "企业名称,股票代码\n" + "".join(f"批量导入企业{i:05d}有限公司,{i:06d}\n" for i in range(ROWS))
    batch = services.create_batch(db.session, user, "companies", "big.csv", csv.encode("gbk"))
    services.set_mapping(db.session, user, batch, batch.mapping)
    for _done in services.stage(db.session, batch):
        db.session.commit()
    job = jobs.enqueue(db.session, "import.apply", {"batch_id": batch.id}, user.id)
    db.session.commit()
    return batch.id, batch.batch_key, job.id


def _worker(url: str, instance: Path, pause: float) -> subprocess.Popen:
    env = {**os.environ, "CHAINCRM_ENV": "testing", "DATABASE_URL": url, "CHAINCRM_INSTANCE": str(instance),
           "CHAINCRM_TEST_APPLY_PAUSE": str(pause)}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "crm", "jobs", "worker", "--once"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_killed_worker_applies_nothing_and_the_job_is_requeued(kind, fresh_database_url, tmp_path):
    url = fresh_database_url(kind)
    app = create_app(make_config(url))
    app.instance_path = str(tmp_path)
    with app.app_context():
        upgrade()
        batch_id, key, job_id = _prepare(app)
        db.session.remove()

    worker = _worker(url, tmp_path, pause=60)
    marker = tmp_path / f"apply-paused-{job_id}"
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert worker.poll() is None, worker.stdout.read().decode()
        assert time.monotonic() < deadline, "the worker never reached the commit"
        time.sleep(0.1)
    worker.send_signal(signal.SIGKILL)  # every row written, nothing committed
    worker.wait(timeout=30)

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Company).where(Company.batch_id == key)) == 0
        assert db.session.get(ImportBatch, batch_id).status == "staged"
        job = db.session.get(Job, job_id)
        assert job.status == "running" and job.attempts == 1
        from crm.jobs.service import requeue_stale
        assert requeue_stale(db.session, minutes=0) == [job_id]
        db.session.commit()
        db.session.remove()

    rerun = _worker(url, tmp_path, pause=0)
    output = rerun.communicate(timeout=300)[0].decode()
    assert rerun.returncode == 0, output
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job.status == "done" and job.attempts == 2, job.error
        assert db.session.scalar(select(func.count()).select_from(Company).where(Company.batch_id == key)) == ROWS
        assert db.session.get(ImportBatch, batch_id).status == "applied"
        assert db.session.scalar(select(Company.stock_code).where(Company.name == "批量导入企业00042有限公司")) == "000042"
        db.session.remove()
        db.engine.dispose()
