"""Project lifecycle: stage moves with evidence, exits and reopening, and the city's 认定.

Forward moves may skip stages; moving back needs a manager. Non-industrial projects end at 竣工.
暂缓 and 终止 need a reason and remember the stage left, to which a reopen returns. A move to 签约,
开工 or 投产 needs evidence — attachments of the project, named on the move — and waits for a city
reviewer, who confirms it (认定) or returns it with a reason; only confirmed moves count in KPIs
(:func:`confirmed_stage_at`, :func:`confirmed_projects`). A returned move is put back in the queue
by offering more evidence (:func:`resubmit`).
"""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from crm.audit import service as audit
from crm.audit.stale import ensure_current
from crm.core.errors import DomainError
from crm.leads.stages import aware
from crm.models import Attachment, Project, ProjectStageChange, User
from crm.models.base import utcnow
from crm.notifications.services import link_to, notify
from crm.projects.rules import (EVIDENCE_STAGES, EXITS, MANAGER_ROLES, NON_INDUSTRIAL_LAST, PIPELINE, STAGE_LABELS,
                                rank)

__all__ = ["change_stage", "reopen", "confirm", "return_change", "resubmit", "stage_history", "seconds_in_stage",
           "confirmed_stage_at", "confirmed_projects", "review_queue", "evidence_of"]


def _entered_at(session: Session, project: Project) -> dt.datetime:
    last = session.scalar(select(func.max(ProjectStageChange.at)).where(ProjectStageChange.project_id == project.id))
    return aware(last or project.created_at) or utcnow()


def seconds_in_stage(session: Session, project: Project, now: dt.datetime | None = None) -> int:
    return max(0, int(((now or utcnow()) - _entered_at(session, project)).total_seconds()))


def _evidence_ids(session: Session, project: Project, ids) -> list[int]:
    wanted = sorted({int(i) for i in ids or ()})
    if not wanted:
        return []
    found = set(session.scalars(select(Attachment.id).where(
        Attachment.id.in_(wanted), Attachment.entity_type == "project", Attachment.entity_id == project.id)))
    if found != set(wanted):
        raise DomainError(_l("Evidence must be files attached to this project."), "evidence")
    return wanted


def _move(session: Session, actor, project: Project, to_stage: str, *, reason=None, on=None, evidence=None,
          review: bool = False):
    at = utcnow()
    seconds = max(0, int((at - _entered_at(session, project)).total_seconds()))
    from_stage = project.stage
    with audit.tracked_update(session, actor, project):
        if to_stage in EXITS:
            if from_stage in PIPELINE:
                project.stage_before_exit = from_stage
            project.exit_reason = reason
        else:
            project.stage_before_exit = None
            project.exit_reason = None
        project.stage = to_stage
    change = ProjectStageChange(project_id=project.id, from_stage=from_stage, to_stage=to_stage, at=at,
                                user_id=getattr(actor, "id", None), reason=reason, seconds_in_previous=seconds,
                                effective_on=on or at.date(), evidence=evidence or None,
                                review_status="pending" if review else None)
    session.add(change)
    session.flush()
    return change


def change_stage(session: Session, actor, project: Project, to_stage: str, *, reason: str | None = None,
                 on: dt.date | None = None, evidence_ids=(), expected_version: int | None = None
                 ) -> ProjectStageChange:
    """Move ``project`` under the lifecycle rules, or raise :class:`DomainError` saying why not."""
    ensure_current(session, project, expected_version)
    if to_stage not in PIPELINE and to_stage not in EXITS:
        raise DomainError(_l("Choose a stage from the list."), "stage")
    current = project.stage
    if to_stage == current:
        raise DomainError(_l("The project is already at this stage."), "stage")
    if on is not None and on > dt.date.today() + dt.timedelta(days=1):
        raise DomainError(_l("The date of a stage cannot be in the future."), "on")
    reason = (reason or "").strip() or None
    if to_stage in EXITS:
        if not reason:
            raise DomainError(_l("Pausing or ending a project needs a reason."), "reason")
        if current == "ended":
            raise DomainError(_l("An ended project must be reopened first."), "stage")
        return _move(session, actor, project, to_stage, reason=reason, on=on)
    if project.category != "industry" and rank(to_stage) > rank(NON_INDUSTRIAL_LAST):
        raise DomainError(_l("A non-industrial project ends at 竣工; 投产 and 达效 apply to industrial projects."),
                          "stage")
    base = (project.stage_before_exit or "signed") if current in EXITS else current
    if rank(to_stage) < rank(base) and not set(getattr(actor, "roles", ())) & MANAGER_ROLES:
        raise DomainError(_l("Only a manager can move a project back to an earlier stage."), "stage")
    evidence = _evidence_ids(session, project, evidence_ids)
    # Resuming at the stage left after a pause is no new event: that move was proven and reviewed already.
    review = to_stage in EVIDENCE_STAGES and not (current in EXITS and to_stage == base)
    if review and not evidence:
        raise DomainError(_l("Moving to 签约, 开工 or 投产 needs evidence: attach the document to the project and "
                             "tick it."), "evidence")
    return _move(session, actor, project, to_stage, on=on, evidence=evidence, review=review)


def reopen(session: Session, actor, project: Project, *, expected_version: int | None = None) -> ProjectStageChange:
    """Return a paused or ended project to the stage it left (no new evidence: that move was proven)."""
    if project.stage not in EXITS:
        raise DomainError(_l("Only a paused or ended project can be reopened."), "stage")
    ensure_current(session, project, expected_version)
    return _move(session, actor, project, project.stage_before_exit or "signed")


def _pending(change: ProjectStageChange | None) -> ProjectStageChange:
    if change is None or change.review_status != "pending":
        raise DomainError(_l("This stage change is not waiting for confirmation."))
    return change


def confirm(session: Session, actor, change: ProjectStageChange) -> ProjectStageChange:
    """认定: the move now counts in KPIs and rankings."""
    _pending(change)
    if change.user_id is not None and change.user_id == getattr(actor, "id", None):
        raise DomainError(_l("A stage change is confirmed by someone other than who made it."))
    with audit.tracked_update(session, actor, change):
        change.review_status, change.reviewed_by, change.reviewed_at = "confirmed", actor.id, utcnow()
        change.review_note = None
    audit.record_event(session, actor, "state", "project", change.project_id, field="confirmed",
                       old=change.to_stage, new=change.effective_on)
    return change


def return_change(session: Session, actor, change: ProjectStageChange, note: str | None) -> ProjectStageChange:
    """Return the move to the unit with a reason; it does not count until resubmitted and confirmed."""
    _pending(change)
    note = (note or "").strip()
    if not note:
        raise DomainError(_l("Returning a stage change needs a reason."), "note")
    with audit.tracked_update(session, actor, change):
        change.review_status, change.reviewed_by, change.reviewed_at = "returned", actor.id, utcnow()
        change.review_note = note[:200]
    audit.record_event(session, actor, "state", "project", change.project_id, field="returned",
                       old=change.to_stage, new=note[:200])
    project = session.get(Project, change.project_id)
    notify(session, (change.user_id, project.owner_id), "project_returned",
           str(_l("%(project)s: the move to %(stage)s was returned — %(note)s", project=project.name,
                  stage=STAGE_LABELS[change.to_stage], note=note[:200])),
           link_to("projects.detail", project_id=project.id))
    return change


def resubmit(session: Session, actor, project: Project, change: ProjectStageChange, evidence_ids) -> None:
    """Put a returned move back in the queue with (more) evidence."""
    if change.project_id != project.id or change.review_status != "returned":
        raise DomainError(_l("Only a returned stage change can be submitted again."))
    evidence = _evidence_ids(session, project, evidence_ids)
    if not evidence:
        raise DomainError(_l("Moving to 签约, 开工 or 投产 needs evidence: attach the document to the project and "
                             "tick it."), "evidence")
    with audit.tracked_update(session, actor, change):
        change.evidence = sorted(set(change.evidence or []) | set(evidence))
        change.review_status = "pending"
    session.flush()


def evidence_of(session: Session, changes) -> dict[int, list[Attachment]]:
    ids = {i for c in changes for i in (c.evidence or [])}
    files = {a.id: a for a in session.scalars(select(Attachment).where(Attachment.id.in_(ids)))} if ids else {}
    return {c.id: [files[i] for i in (c.evidence or []) if i in files] for c in changes}


def stage_history(session: Session, project: Project) -> list[tuple[ProjectStageChange, str]]:
    stmt = (select(ProjectStageChange, User.name).outerjoin(User, User.id == ProjectStageChange.user_id)
            .where(ProjectStageChange.project_id == project.id)
            .order_by(ProjectStageChange.at, ProjectStageChange.id))
    return [(c, name or "") for c, name in session.execute(stmt)]


def confirmed_stage_at(session: Session, project_id: int, stage: str, as_of: dt.date | None = None) -> dt.date | None:
    """The date the project reached ``stage`` as confirmed by the city (认定), or None.

    The earliest confirmed move to the stage counts (a project reopened after a pause keeps its 开工 date).
    """
    stmt = select(func.min(ProjectStageChange.effective_on)).where(
        ProjectStageChange.project_id == project_id, ProjectStageChange.to_stage == stage,
        ProjectStageChange.review_status == "confirmed")
    if as_of is not None:
        stmt = stmt.where(ProjectStageChange.effective_on <= as_of)
    return session.scalar(stmt)


def confirmed_projects(stage: str, as_of: dt.date | None = None) -> Select:
    """Ids of projects whose move to ``stage`` was confirmed, dated on or before ``as_of`` (for KPIs)."""
    stmt = select(ProjectStageChange.project_id).where(
        ProjectStageChange.to_stage == stage, ProjectStageChange.review_status == "confirmed")
    if as_of is not None:
        stmt = stmt.where(ProjectStageChange.effective_on <= as_of)
    return stmt.distinct()


def review_queue(scope_condition, status: str = "pending") -> Select:
    """Stage changes waiting for 认定 (or returned), with their project, in the reviewer's scope."""
    return (select(ProjectStageChange, Project, User.name)
            .join(Project, Project.id == ProjectStageChange.project_id)
            .outerjoin(User, User.id == ProjectStageChange.user_id)
            .where(ProjectStageChange.review_status == status, scope_condition)
            .order_by(ProjectStageChange.at, ProjectStageChange.id))
