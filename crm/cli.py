"""Command-line entry points: ``flask users create-admin``, ``flask demo load``, ``flask refdata load``."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from crm.core.errors import DomainError
from crm.extensions import db
from crm.models import Unit

users_cli = AppGroup("users", help="Manage users.")
companies_cli = AppGroup("companies", help="Company master data.")
demo_cli = AppGroup("demo", help="Demo data.")


@users_cli.command("create-admin")
@click.option("--username", required=True)
@click.option("--name", default="系统管理员")
@click.option("--unit", "unit_name", default=None, help="Unit name (default: the root unit).")
@click.password_option(help="Password (asked for when not given).")
def create_admin(username: str, name: str, unit_name: str | None, password: str) -> None:
    """Create the first system admin (no default passwords exist)."""
    from crm.users.services import create_user

    stmt = select(Unit).order_by(Unit.parent_id.is_not(None), Unit.id)
    if unit_name:
        stmt = select(Unit).where(Unit.name == unit_name)
    unit = db.session.scalars(stmt).first()
    if unit is None:
        unit = Unit(name=unit_name or "系统管理", kind="city")
        db.session.add(unit)
        db.session.flush()
    try:
        create_user(db.session, None, username=username, name=name, unit_id=unit.id, roles={"admin"},
                    password=password)
    except DomainError as err:
        db.session.rollback()
        raise click.ClickException(str(err.message)) from None
    db.session.commit()
    click.echo(f"admin {username} created in {unit.name}")


@demo_cli.command("load")
@click.option("--scale", type=click.IntRange(1, 100), default=1, show_default=True,
              help="Multiply the generated plan year's projects, leads and amounts (1 = the seed city's size).")
def demo_load(scale: int) -> None:
    """Load the demo (idempotent) and print how to sign in."""
    from crm.demo.loader import load_demo

    try:
        credentials = load_demo(db.session, scale)
    except DomainError as err:
        raise click.ClickException(str(err.message)) from None
    db.session.commit()
    click.echo(credentials)


@companies_cli.command("renormalise")
def companies_renormalise() -> None:
    """Recompute the dedupe key (normalised name) of every company, e.g. after an upgrade."""
    from crm.companies.services import renormalise_names

    changed = renormalise_names(db.session)
    db.session.commit()
    click.echo(f"normalised names recomputed: {changed} changed")


def register_commands(app: Flask) -> None:
    from crm.refdata.cli import register_cli as register_refdata

    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(companies_cli)
    from crm.jobs.cli import jobs_cli
    app.cli.add_command(jobs_cli)
    from crm.leads.cli import leads_cli
    app.cli.add_command(leads_cli)
    from crm.projects.cli import projects_cli
    app.cli.add_command(projects_cli)
    register_refdata(app)
