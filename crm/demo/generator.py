"""The generated demo at the seed's scale: one deterministic generator with a scale option.

``load_generated(session, scale)`` writes the plan year (the ``plan_year`` setting) as the seed city had it
at its March launch — 1,031 key projects × scale over 临汾's counties, zones and departments, 4,190亿元 in
all and 907亿元 planned for the year, 521 of them started or resumed (2,139.5亿元, 584亿元) — with the
招商 pipeline behind it (:mod:`crm.demo.investors`) and the projects' history, figures and problems
(:mod:`crm.demo.plan_rows`). Deterministic (seeded by year and scale) and idempotent: the load's batch id is
derived from the year and scale, so a second load finds it and writes nothing; a load at another scale
over an existing one is refused, since the two would add up to neither.
"""
from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.core.errors import DomainError
from crm.demo.investors import load_investors, officers
from crm.demo.plan import Plan, fingerprint_rows, generate
from crm.demo.plan_rows import load_projects
from crm.models import Chain, Project, ProjectYear, Segment, Unit, User
from crm.settings import get as get_setting

__all__ = ["MAX_SCALE", "batch_id", "load_generated", "fingerprint"]

MAX_SCALE = 100
_NAMESPACE = uuid.UUID("5b0c9a4e-6f1d-4c3a-9e57-1d2a3c4b5e6f")


def batch_id(year: int, scale: int) -> str:
    """The batch id of the generated demo of ``year`` at ``scale`` (the same on every run)."""
    return str(uuid.uuid5(_NAMESPACE, f"chaincrm-demo:{year}:{scale}"))


def _segments(session: Session) -> dict[tuple[str, int], int]:
    rows = session.execute(select(Chain.name, Segment.key, Segment.id).join(Chain, Chain.id == Segment.chain_id))
    return {(chain, int(key[1:])): sid for chain, key, sid in rows if key and key[1:].isdigit()}


def load_generated(session: Session, scale: int = 1) -> Plan | None:
    """Write the generated demo at ``scale``; None when it is there already. Flushes, never commits."""
    if not 1 <= scale <= MAX_SCALE:
        raise DomainError(_l("The scale is a whole number from 1 to %(max)s.", max=MAX_SCALE), "scale")
    year = int(get_setting(session, "plan_year"))
    batch = batch_id(year, scale)
    if session.scalar(select(Project.id).where(Project.batch_id == batch).limit(1)) is not None:
        return None
    others = [batch_id(year, s) for s in range(1, MAX_SCALE + 1) if s != scale]
    if session.scalar(select(Project.id).where(Project.batch_id.in_(others)).limit(1)) is not None:
        raise DomainError(_l("The demo is already loaded at another scale; load a new scale into an empty "
                             "database."), "scale")
    plan = generate(year, scale)
    codes = {p.code for p in plan.projects} | {u.code for u in plan.umbrellas}
    # Compared here rather than in an IN list, which at a large scale passes SQLite's limit on parameters.
    if codes & set(session.scalars(select(Project.code).where(Project.code.is_not(None)))):
        raise DomainError(_l("Projects with the demo's project codes exist already."), "scale")
    units = {u.name: u for u in session.scalars(select(Unit))}
    people = officers(session, units, batch)
    converted = load_investors(session, plan, batch, units, people, _segments(session))
    reviewer = session.scalar(select(User).where(User.username == "city_leader"))
    owners = {name: user.id for name, user in people.items()}
    load_projects(session, plan, batch, units, owners, _segments(session), converted, reviewer)
    session.flush()
    return plan


def fingerprint(session: Session, year: int) -> str:
    """The fingerprint of ``year``'s plan as stored (compare with :meth:`Plan.fingerprint`)."""
    rows = session.execute(select(Project.code, Project.total_investment, ProjectYear.planned_investment,
                                  ProjectYear.plan_list).join(ProjectYear, ProjectYear.project_id == Project.id)
                           .where(ProjectYear.year == year))
    return fingerprint_rows((code or "", total, planned, plan_list) for code, total, planned, plan_list in rows)
