"""``flask leads release``: release leads whose 保护期 ran out (their owners and unit managers are
notified by the service) and list them by unit."""
from __future__ import annotations

import datetime as dt

import click
from flask.cli import AppGroup
from sqlalchemy import select

from crm.extensions import db
from crm.models import Company, Unit

leads_cli = AppGroup("leads", help="The leads pipeline.")


@leads_cli.command("release")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Release as of this date (default: today).")
def release(today) -> None:
    """Release open leads past their 保护期 with no follow-up (run daily, e.g. from cron)."""
    from crm.leads.services import release_expired

    day = today.date() if today else dt.date.today()
    released = release_expired(db.session, day)
    units = dict(db.session.execute(select(Unit.id, Unit.name)).all())
    companies = dict(db.session.execute(
        select(Company.id, Company.name).where(Company.id.in_({lead.company_id for lead in released}))).all())
    db.session.commit()
    for lead in released:
        click.echo(f"{units.get(lead.unit_id, lead.unit_id)}\t{lead.id}\t{companies.get(lead.company_id, '')}"
                   f"\t{lead.title}")
    click.echo(f"leads released: {len(released)}")
