"""``flask projects rollover --from 2026 --to 2027``: make next year's key-project plan from this year's."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from crm.core.errors import DomainError
from crm.extensions import db

projects_cli = AppGroup("projects", help="Key projects and the year's plan.")


@projects_cli.command("rollover")
@click.option("--from", "from_year", type=int, required=True, help="The year whose plan is rolled over.")
@click.option("--to", "to_year", type=int, required=True, help="The new plan's year (the following one).")
@click.option("--force", is_flag=True, help="Add the missing projects even if the new year has a plan already.")
def rollover(from_year: int, to_year: int, force: bool) -> None:
    """Started projects become 续建, unstarted ones keep their list, finished and ended ones are dropped."""
    from crm.projects.plans import rollover as run

    try:
        result = run(db.session, None, from_year, to_year, force=force)
    except DomainError as err:
        db.session.rollback()
        raise click.ClickException(str(err.message)) from None
    db.session.commit()
    click.echo(f"plan {to_year}: {result.continuing} continuing (续建), {result.carried} carried, "
               f"{result.dropped} dropped, {result.skipped} already present")
