"""Reporting rounds: one unit's monthly figures for one period, sent up, reviewed and locked.

A round belongs to a 责任单位 and a month; it covers the unit's projects in that year's plan (their
``resp_unit_id`` is the unit). No row means 草稿. The unit sends it (已报) when every project has the
month's completed investment (0 counts); a reviewer (``report.review``) approves it (已审) or returns it
with a reason (退回, the unit edits and sends again); an approved round is locked (锁定). From 已报 on the
unit's figures for the month are read-only in the grid (:func:`edit_guard`); after the lock a change goes
through a correction a reviewer approves (:mod:`crm.reporting.corrections`). Every step is one audited state
event on the round. Services flush, never commit.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.audit import service as audit
from crm.core.errors import DomainError
from crm.models import Project, ProjectYear, Unit, User
from crm.models.base import utcnow
from crm.models.monthly import ProjectMonth
from crm.models.reporting import ReportingRound
from crm.notifications.services import link_to, notify
from crm.projects import monthly
from crm.security.scope import ALL_SEEING_ROLES, unit_subtree
from crm.settings.registry import SettingDef, get, register

__all__ = ["STATUS_LABELS", "OPEN", "round_of", "status_of", "unit_project_ids", "missing", "submit", "approve",
           "return_round", "lock", "edit_guard", "due_date", "may_send"]

STATUS_LABELS = {"draft": _l("Draft (草稿)"), "submitted": _l("Sent (已报)"), "returned": _l("Returned (退回)"),
                 "approved": _l("Approved (已审)"), "locked": _l("Locked (锁定)")}
OPEN = ("draft", "returned")  # the unit may still edit the month's figures
REVIEW_ROLES = frozenset({"admin", "city_leader"})

DUE_DAY = register(SettingDef(
    "report_due_day", "int", 5, _l("Monthly report due day (of the next month)"), _l("Reporting"),
    minimum=1, maximum=28,
    help=_l("A unit's report for a month is late after this day of the following month (催报).")))


def due_date(session: Session, year: int, month: int) -> dt.date:
    """The last day to send the month's report: the due day of the following month."""
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt.replace(day=int(get(session, DUE_DAY.key)))


def _period(year: int, month: int) -> None:
    if not 2000 <= int(year) <= 2100 or not 1 <= int(month) <= 12:
        raise DomainError(_l("Choose a year between 2000 and 2100 and a month from 1 to 12."))


def round_of(session: Session, unit_id: int, year: int, month: int) -> ReportingRound | None:
    return session.scalar(select(ReportingRound).where(ReportingRound.unit_id == unit_id,
                                                       ReportingRound.year == year, ReportingRound.month == month))


def status_of(session: Session, unit_id: int, year: int, month: int) -> str:
    found = round_of(session, unit_id, year, month)
    return found.status if found else "draft"


def unit_project_ids(session: Session, unit_id: int, year: int) -> list[int]:
    """The unit's projects in the year's plan (it is their 责任单位)."""
    stmt = (select(Project.id).join(ProjectYear, ProjectYear.project_id == Project.id)
            .where(Project.resp_unit_id == unit_id, ProjectYear.year == year).order_by(Project.id))
    return list(session.scalars(stmt))


def missing(session: Session, unit_id: int, year: int, month: int) -> list[tuple[int, str]]:
    """The unit's plan projects without the month's completed investment, as (id, name)."""
    filled = (select(ProjectMonth.project_id).where(ProjectMonth.year == year, ProjectMonth.month == month,
                                                    ProjectMonth.completed.is_not(None)))
    stmt = (select(Project.id, Project.name).join(ProjectYear, ProjectYear.project_id == Project.id)
            .where(Project.resp_unit_id == unit_id, ProjectYear.year == year, Project.id.not_in(filled))
            .order_by(Project.name))
    return [(pid, name) for pid, name in session.execute(stmt)]


def may_send(session: Session, actor, unit_id: int) -> bool:
    """Members of the unit or of a unit above it who work projects may send its report."""
    roles = set(getattr(actor, "roles", ()))
    if roles & ALL_SEEING_ROLES:
        return True
    if not roles & {"manager", "officer"}:
        return False
    return unit_id in unit_subtree(session, actor.unit_id)


def _may_review(actor) -> bool:
    return bool(set(getattr(actor, "roles", ())) & REVIEW_ROLES)


def _event(session: Session, actor, found: ReportingRound, step: str, old: str, note: str | None = None) -> None:
    new = found.status if not note else f"{found.status} · {note}"
    audit.record_event(session, actor, "state", "reporting_round", found.id, field=step, old=old, new=new)


def _set(session: Session, actor, found: ReportingRound, status: str, step: str, note: str | None = None,
         expected_version: int | None = None) -> ReportingRound:
    if expected_version is not None and found.version_id != expected_version:
        raise DomainError(_l("Someone changed this report meanwhile: reload the page and try again."))
    old = found.status
    found.status = status
    session.flush()
    _event(session, actor, found, step, old, note)
    return found


def submit(session: Session, actor, unit_id: int, year: int, month: int, *, today: dt.date) -> ReportingRound:
    """已报: send the unit's month; refused while a project lacks the month's completed investment."""
    _period(year, month)
    unit = session.get(Unit, unit_id)
    if unit is None or not may_send(session, actor, unit_id):
        raise DomainError(_l("You may not send this unit's report."))
    if dt.date(year, month, 1) > today:
        raise DomainError(_l("A month can be reported only once it has begun."))
    found = round_of(session, unit_id, year, month)
    if found is not None and found.status not in OPEN:
        raise DomainError(_l("This report was already sent (%(status)s).", status=STATUS_LABELS[found.status]))
    if not unit_project_ids(session, unit_id, year):
        raise DomainError(_l("The unit has no project in this year's plan: there is nothing to report."))
    gaps = missing(session, unit_id, year, month)
    if gaps:
        names = "、".join(name for _pid, name in gaps[:5]) + ("…" if len(gaps) > 5 else "")
        raise DomainError(_l("%(n)s projects have no completed investment for the month (enter 0 if none): "
                             "%(names)s", n=len(gaps), names=names))
    if found is None:
        found = ReportingRound(unit_id=unit_id, year=year, month=month, status="draft")
        session.add(found)
        session.flush()
        audit.record_create(session, actor, found)
    found.submitted_at, found.submitted_by, found.return_reason = utcnow(), actor.id, None
    return _set(session, actor, found, "submitted", "submitted")


def _reviewing(actor, found: ReportingRound, allowed: Iterable[str]) -> None:
    if not _may_review(actor):
        raise DomainError(_l("Only a reviewer may approve, return or lock a report."))
    if found.status not in allowed:
        raise DomainError(_l("This report is %(status)s: the step does not apply.",
                             status=STATUS_LABELS[found.status]))


def approve(session: Session, actor, found: ReportingRound, *, expected_version: int | None = None):
    """已审."""
    _reviewing(actor, found, ("submitted",))
    found.reviewed_at, found.reviewed_by = utcnow(), actor.id
    return _set(session, actor, found, "approved", "approved", expected_version=expected_version)


def return_round(session: Session, actor, found: ReportingRound, reason: str | None, *,
                 expected_version: int | None = None) -> ReportingRound:
    """退回 with a reason: the unit edits its figures again and sends anew."""
    _reviewing(actor, found, ("submitted", "approved"))
    reason = (reason or "").strip()[:200]
    if not reason:
        raise DomainError(_l("Say why the report goes back."), "reason")
    found.reviewed_at, found.reviewed_by, found.return_reason = utcnow(), actor.id, reason
    _set(session, actor, found, "returned", "returned", reason, expected_version=expected_version)
    senders = [found.submitted_by] if found.submitted_by else []
    notify(session, senders, "report_returned", reason,
           link_to("reporting.round_page", round_id=found.id))
    return found


def lock(session: Session, actor, found: ReportingRound, *, expected_version: int | None = None):
    """锁定: the approved figures stand; later changes need an approved correction."""
    _reviewing(actor, found, ("approved",))
    found.locked_at, found.locked_by = utcnow(), actor.id
    return _set(session, actor, found, "locked", "locked", expected_version=expected_version)


def edit_guard(session: Session, project_ids: Iterable[int], year: int, month: int) -> dict[int, object]:
    """The grid's guard: a project whose unit's round for the month is sent, approved or locked is read-only."""
    ids = list(project_ids)
    if not ids:
        return {}
    stmt = (select(Project.id, ReportingRound.status)
            .join(ReportingRound, ReportingRound.unit_id == Project.resp_unit_id)
            .where(Project.id.in_(ids), ReportingRound.year == year, ReportingRound.month == month,
                   ReportingRound.status.not_in(OPEN)))
    out = {}
    for project_id, status in session.execute(stmt):
        if status == "locked":
            out[project_id] = _l("Locked (锁定): ask for a correction from the reporting page.")
        else:
            out[project_id] = _l("Sent (%(status)s): the reviewer must return the report before it changes.",
                                 status=STATUS_LABELS[status])
    return out


monthly.register_edit_guard(edit_guard)


def names_of(session: Session, user_ids: Iterable[int | None]) -> dict[int, str]:
    ids = {i for i in user_ids if i}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def counts(session: Session, year: int, month: int, unit_ids: Iterable[int] | None = None) -> dict[int, tuple]:
    """Per 责任单位 with plan projects: (projects, projects with the month's completed investment)."""
    filled = func.count(ProjectMonth.id)
    stmt = (select(Project.resp_unit_id, func.count(Project.id), filled)
            .join(ProjectYear, (ProjectYear.project_id == Project.id) & (ProjectYear.year == year))
            .outerjoin(ProjectMonth, (ProjectMonth.project_id == Project.id) & (ProjectMonth.year == year)
                       & (ProjectMonth.month == month) & ProjectMonth.completed.is_not(None))
            .group_by(Project.resp_unit_id))
    if unit_ids is not None:
        stmt = stmt.where(Project.resp_unit_id.in_(sorted(unit_ids)))
    return {unit_id: (n, k) for unit_id, n, k in session.execute(stmt)}
