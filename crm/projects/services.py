"""Create and edit projects, and their library memberships (入库), audited; services flush, never commit.

The 投资项目代码 is optional (a converted 招商 project may not have one yet) but, when present, valid
and unique: it is the key imports update on. 属地 and 责任单位: a project in a zone inside a county
has the zone as 责任单位 and the county as 属地; left blank, 属地 is derived from the zone's parent
county, so the project is counted once — under its 责任单位 — and seen by both.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.audit import service as audit
from crm.audit.stale import ensure_current
from crm.core.errors import DomainError
from crm.models import Company, Project, ProjectLibrary, ProjectStageChange, Segment, Unit
from crm.models.base import utcnow
from crm.models.projects import LIBRARIES, PROJECT_CATEGORIES, PROJECT_NATURES, PROJECT_SOURCES
from crm.projects.rules import clean_code, code_problem

__all__ = ["FIELDS", "create_project", "update_project", "set_library", "remove_library", "derived_location"]

FIELDS = ("code", "name", "company_id", "location_unit_id", "resp_unit_id", "source", "category", "segment_id",
          "total_investment", "nature", "content", "start_year", "end_year", "parent_id", "owner_id",
          "planned_register_on", "planned_start_on", "planned_complete_on", "planned_production_on")


def _money(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise DomainError(_l("Enter an amount in 10k yuan."), field) from None
    if amount < 0:
        raise DomainError(_l("An amount cannot be negative."), field)
    return amount


def derived_location(session: Session, resp_unit_id: int | None) -> int | None:
    """The county a zone belongs to (its parent of kind county), else None."""
    unit = session.get(Unit, resp_unit_id) if resp_unit_id else None
    if unit is None or unit.kind != "zone" or unit.parent_id is None:
        return None
    parent = session.get(Unit, unit.parent_id)
    return parent.id if parent is not None and parent.kind == "county" else None


def _check(session: Session, data: dict[str, Any], project: Project | None) -> dict[str, Any]:
    data = {k: v for k, v in data.items() if k in FIELDS}
    if "code" in data:
        code = clean_code(data["code"])
        if code:
            problem = code_problem(code)
            if problem:
                raise DomainError(problem, "code")
            clash = session.scalar(select(Project.id).where(Project.code == code))
            if clash is not None and (project is None or clash != project.id):
                raise DomainError(_l("Another project already has the code %(code)s.", code=code), "code")
        data["code"] = code
    if "name" in data:
        data["name"] = (data["name"] or "").strip()
        if not data["name"]:
            raise DomainError(_l("A project needs a name."), "name")
    for key, allowed in (("source", PROJECT_SOURCES), ("category", PROJECT_CATEGORIES)):
        if key in data and data[key] not in allowed:
            raise DomainError(_l("Choose a value from the list."), key)
    if data.get("nature") in ("", None):
        data["nature"] = None
    elif "nature" in data and data["nature"] not in PROJECT_NATURES:
        raise DomainError(_l("Choose a value from the list."), "nature")
    if "resp_unit_id" in data and session.get(Unit, data["resp_unit_id"] or 0) is None:
        raise DomainError(_l("Choose the responsible unit (责任单位)."), "resp_unit_id")
    for key, model in (("location_unit_id", Unit), ("segment_id", Segment), ("company_id", Company),
                       ("parent_id", Project)):
        if data.get(key) and session.get(model, data[key]) is None:
            raise DomainError(_l("Choose a value from the list."), key)
    if project is not None and data.get("parent_id") == project.id:
        raise DomainError(_l("A project cannot be its own parent."), "parent_id")
    if "total_investment" in data:
        data["total_investment"] = _money(data["total_investment"], "total_investment")
    start, end = data.get("start_year"), data.get("end_year")
    if start and end and end < start:
        raise DomainError(_l("The end year cannot be before the start year."), "end_year")
    if "resp_unit_id" in data and not data.get("location_unit_id"):
        derived = derived_location(session, data["resp_unit_id"])
        if derived is not None or "location_unit_id" in data:
            data["location_unit_id"] = derived
    return data


def create_project(session: Session, actor, data: dict[str, Any], *, batch_id: str | None = None) -> Project:
    """A project entered directly (or imported); it starts at 签约 unless ``stage`` is given."""
    stage = data.get("stage") or "signed"
    values = _check(session, data, None)
    for key in ("name", "source", "category", "resp_unit_id"):
        if not values.get(key):
            raise DomainError(_l("This field is required."), key)
    values.setdefault("owner_id", getattr(actor, "id", None))
    project = Project(**values, stage=stage, batch_id=batch_id)
    session.add(project)
    audit.record_create(session, actor, project, batch_id=batch_id)
    session.add(ProjectStageChange(project_id=project.id, from_stage=None, to_stage=stage, at=utcnow(),
                                   user_id=getattr(actor, "id", None)))
    session.flush()
    return project


def update_project(session: Session, actor, project: Project, data: dict[str, Any],
                   expected_version: int | None = None) -> Project:
    """Edit the fields (not the stage: :mod:`crm.projects.stages` moves it)."""
    ensure_current(session, project, expected_version)
    values = _check(session, data, project)
    with audit.tracked_update(session, actor, project):
        for key, value in values.items():
            setattr(project, key, value)
    session.flush()
    return project


def set_library(session: Session, actor, project: Project, library: str, entered_on: dt.date | None,
                number: str | None) -> ProjectLibrary:
    """Record (or correct) the project's entry in one library."""
    if library not in LIBRARIES:
        raise DomainError(_l("Choose a value from the list."), "library")
    row = session.scalar(select(ProjectLibrary).where(ProjectLibrary.project_id == project.id,
                                                      ProjectLibrary.library == library))
    number = (number or "").strip()[:64] or None
    if row is None:
        row = ProjectLibrary(project_id=project.id, library=library, entered_on=entered_on, number=number)
        session.add(row)
        audit.record_create(session, actor, row)
    else:
        with audit.tracked_update(session, actor, row):
            row.entered_on, row.number = entered_on, number
    audit.record_event(session, actor, "update", "project", project.id, field="library", old=None, new=library)
    session.flush()
    return row


def remove_library(session: Session, actor, project: Project, library_id: int) -> None:
    row = session.get(ProjectLibrary, library_id)
    if row is None or row.project_id != project.id:
        raise DomainError(_l("This library entry does not belong to the project."))
    audit.record_event(session, actor, "update", "project", project.id, field="library", old=row.library, new=None)
    session.delete(row)
    session.flush()
