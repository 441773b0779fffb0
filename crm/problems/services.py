"""Problem services: raise, 交办, 办理, 反馈, send back, 销号 and escalate. They flush, never commit.

Every transition is one audited state event (``record_event(..., "state", "problem", ...)`` with the
step as field, the old and new status or level, and the text given), which the problem page shows as
its history: who did what, when and why.
"""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.audit import service as audit
from crm.core.errors import DomainError
from crm.models import AuditRecord, Problem, Project, Unit, User
from crm.notifications.services import link_to, notify, unit_managers
from crm.problems.rules import (ASSIGN_ROLES, KIND_LABELS, LEVEL_ORDER, OPEN_STATUSES, is_assigning_side,
                                is_responsible_side)

__all__ = ["raise_problem", "assign", "accept", "answer", "send_back", "close", "escalate", "transitions"]


def _text(value, limit: int) -> str | None:
    value = (value or "").strip()
    return value[:limit] or None


def _unit(session: Session, unit_id) -> int:
    try:
        unit_id = int(unit_id)
    except (TypeError, ValueError):
        raise DomainError(_l("Choose the responsible unit."), "resp_unit_id") from None
    unit = session.get(Unit, unit_id)
    if unit is None or not unit.active:
        raise DomainError(_l("Choose the responsible unit."), "resp_unit_id")
    return unit.id


def _deadline(value, required: bool) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise DomainError(_l("Assigning a problem needs a deadline."), "deadline")
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise DomainError(_l("Enter the deadline as a date (YYYY-MM-DD)."), "deadline") from None


def _event(session: Session, actor, problem: Problem, step: str, old, new, note: str | None = None) -> None:
    text = f"{new} · {note}" if note else new
    audit.record_event(session, actor, "state", "problem", problem.id, field=step, old=old, new=text)
    session.flush()


def _set_status(session: Session, actor, problem: Problem, status: str, step: str, note: str | None = None) -> None:
    old = problem.status
    with audit.tracked_update(session, actor, problem):
        problem.status = status
    _event(session, actor, problem, step, old, status, note)


def _link(problem: Problem) -> str:
    return link_to("problems.detail", problem_id=problem.id)


def raise_problem(session: Session, actor, project: Project, data: dict) -> Problem:
    """A new problem on ``project``; responsible unit, person and deadline may be proposed already."""
    title = _text(data.get("title"), 200)
    if not title:
        raise DomainError(_l("A problem needs a title."), "title")
    level = data.get("level") or "county"
    if level not in LEVEL_ORDER:
        raise DomainError(_l("Choose a level from the list."), "level")
    kind = data.get("kind") or None
    if kind is not None and kind not in KIND_LABELS:
        raise DomainError(_l("Choose a type from the list."), "kind")
    resp = data.get("resp_unit_id")
    problem = Problem(project_id=project.id, title=title, description=_text(data.get("description"), 4000),
                      kind=kind, level=level, status="raised",
                      resp_unit_id=_unit(session, resp) if resp not in (None, "") else None,
                      resp_person=_text(data.get("resp_person"), 64),
                      source_meeting=_text(data.get("source_meeting"), 200),
                      deadline=_deadline(data.get("deadline"), False), raised_by=getattr(actor, "id", None))
    session.add(problem)
    session.flush()
    audit.record_create(session, actor, problem)
    _event(session, actor, problem, "raised", None, "raised")
    return problem


def assign(session: Session, actor, problem: Problem, data: dict) -> Problem:
    """交办: the assigning side names the responsible unit, person and deadline."""
    if problem.status not in ("raised", "assigned"):
        raise DomainError(_l("Only a raised or assigned problem can be assigned."), "status")
    if not set(getattr(actor, "roles", ())) & ASSIGN_ROLES:
        raise DomainError(_l("Only a manager or a leader can assign a problem."), "status")
    if problem.status == "assigned" and not is_assigning_side(session, actor, problem.assigning_unit_id):
        raise DomainError(_l("Only the assigning side can assign this problem again."), "status")
    resp = _unit(session, data.get("resp_unit_id"))
    deadline = _deadline(data.get("deadline"), True)
    old = problem.status
    with audit.tracked_update(session, actor, problem):
        problem.resp_unit_id = resp
        problem.resp_person = _text(data.get("resp_person"), 64) or problem.resp_person
        problem.deadline = deadline
        problem.assigning_unit_id = getattr(actor, "unit_id", None)
        problem.status = "assigned"
    _event(session, actor, problem, "assigned", old, "assigned", _text(data.get("note"), 500))
    notify(session, unit_managers(session, resp), "problem_assigned", problem.title, _link(problem))
    return problem


def _responsible(session: Session, actor, problem: Problem) -> None:
    if not is_responsible_side(session, actor, problem.resp_unit_id):
        raise DomainError(_l("Only the responsible unit can work on this problem."), "status")


def accept(session: Session, actor, problem: Problem) -> Problem:
    """办理: the responsible unit takes the assigned problem in hand."""
    if problem.status != "assigned":
        raise DomainError(_l("Only an assigned problem can be taken in hand."), "status")
    _responsible(session, actor, problem)
    _set_status(session, actor, problem, "handling", "handling")
    return problem


def answer(session: Session, actor, problem: Problem, text: str | None) -> Problem:
    """反馈: the responsible unit answers; the assigning side is told."""
    if problem.status not in ("assigned", "handling"):
        raise DomainError(_l("Only a problem being handled can be answered."), "status")
    _responsible(session, actor, problem)
    text = _text(text, 2000)
    if not text:
        raise DomainError(_l("An answer needs text saying what was done."), "answer")
    _set_status(session, actor, problem, "answered", "answered", text)
    managers = unit_managers(session, problem.assigning_unit_id) if problem.assigning_unit_id else []
    notify(session, [problem.raised_by, *managers], "problem_answered", problem.title, _link(problem))
    return problem


def _assigning(session: Session, actor, problem: Problem) -> None:
    if is_responsible_side(session, actor, problem.resp_unit_id):
        raise DomainError(_l("The responsible unit cannot close or send back its own problem: the assigning side "
                             "does (销号)."), "status")
    if not is_assigning_side(session, actor, problem.assigning_unit_id):
        raise DomainError(_l("Only the assigning side can close or send back this problem."), "status")


def send_back(session: Session, actor, problem: Problem, reason: str | None) -> Problem:
    """The assigning side returns the answer to 办理 with a reason."""
    if problem.status != "answered":
        raise DomainError(_l("Only an answered problem can be sent back."), "status")
    _assigning(session, actor, problem)
    reason = _text(reason, 500)
    if not reason:
        raise DomainError(_l("Sending an answer back needs a reason."), "reason")
    _set_status(session, actor, problem, "handling", "sent_back", reason)
    return problem


def close(session: Session, actor, problem: Problem, note: str | None = None) -> Problem:
    """销号: only the assigning side closes an answered problem."""
    _assigning(session, actor, problem)
    if problem.status != "answered":
        raise DomainError(_l("Only an answered problem can be closed."), "status")
    _set_status(session, actor, problem, "closed", "closed", _text(note, 500))
    return problem


def escalate(session: Session, actor, problem: Problem, reason: str | None) -> Problem:
    """Raise the level one step (县 → 市 → 省) with a reason."""
    if problem.status not in OPEN_STATUSES:
        raise DomainError(_l("A closed problem cannot be escalated."), "status")
    index = LEVEL_ORDER.index(problem.level)
    if index + 1 >= len(LEVEL_ORDER):
        raise DomainError(_l("The problem is already at province level."), "level")
    reason = _text(reason, 500)
    if not reason:
        raise DomainError(_l("Escalating a problem needs a reason."), "reason")
    old = problem.level
    with audit.tracked_update(session, actor, problem):
        problem.level = LEVEL_ORDER[index + 1]
    _event(session, actor, problem, "escalated", old, problem.level, reason)
    return problem


def transitions(session: Session, problem: Problem) -> list[tuple[AuditRecord, str]]:
    """The problem's steps, oldest first, each with the acting user's name."""
    stmt = (select(AuditRecord, User.name).outerjoin(User, User.id == AuditRecord.user_id)
            .where(AuditRecord.entity_type == "problem", AuditRecord.entity_id == problem.id,
                   AuditRecord.action == "state")
            .order_by(AuditRecord.at, AuditRecord.id))
    return [(rec, name or "") for rec, name in session.execute(stmt)]
