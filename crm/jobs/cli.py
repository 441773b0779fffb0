"""``flask jobs worker`` runs the worker; ``--once`` runs at most one job (tests, cron)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

jobs_cli = AppGroup("jobs", help="Background jobs.")


@jobs_cli.command("worker")
@click.option("--once", is_flag=True, help="Run at most one job, then exit.")
@click.option("--poll", default=1.0, help="Seconds between polls when idle.")
def worker(once: bool, poll: float) -> None:
    from crm.jobs.worker import run_forever, run_one

    app = current_app._get_current_object()
    if once:
        click.echo("ran a job" if run_one(app) else "no job queued")
    else:
        run_forever(app, poll)
