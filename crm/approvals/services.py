"""Set a project's approval profile (generating its checklist from the template) and update items.

Services flush, never commit, and audit every change. Changing the profile brings the checklist in line
with the template rows the new profile calls for:

* a newly applicable row becomes a new item (未办);
* an item still called for is refreshed from its row (stage, name, whether 承诺制 / 区域评估 may settle it);
* an item no longer called for is deleted when untouched (未办 with nothing recorded), and otherwise kept
  with ``applicable = False`` — its 文号 and attachment stay, it no longer counts for 前期 or progress,
  and it becomes applicable again if a later profile calls for it.

A change that would leave an item with a status the new profile does not allow (区域评估已覆盖 after
leaving a zone, 承诺制 where the row no longer allows it) is refused, naming the items, rather than
silently rewriting a recorded status.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.approvals.rules import STATUS_LABELS
from crm.approvals.template import TEMPLATE, applicable_rows
from crm.audit import service as audit
from crm.audit.stale import ensure_current
from crm.core.errors import DomainError
from crm.models import ApprovalItem, ApprovalProfile, Attachment, Project
from crm.models.approvals import APPROVAL_STATUSES, APPROVAL_TYPES, LAND_SUPPLIES
from crm.settings.registry import get as get_setting

__all__ = ["profile_of", "items_of", "set_profile", "update_item", "is_untouched", "status_problem"]

RECORD_FIELDS = ("doc_number", "authority", "approved_on", "attachment_id", "note")


def profile_of(session: Session, project_id: int) -> ApprovalProfile | None:
    return session.scalar(select(ApprovalProfile).where(ApprovalProfile.project_id == project_id))


def items_of(session: Session, project_id: int) -> list[ApprovalItem]:
    stmt = (select(ApprovalItem).where(ApprovalItem.project_id == project_id)
            .order_by(ApprovalItem.stage, ApprovalItem.sort, ApprovalItem.id))
    return list(session.scalars(stmt))


def is_untouched(item: ApprovalItem) -> bool:
    return item.status == "todo" and all(getattr(item, f) in (None, "") for f in RECORD_FIELDS)


def status_problem(status: str, commitment_allowed: bool, regional_allowed: bool, in_zone: bool):
    """Why ``status`` cannot be used for an item, or None when it can."""
    if status == "commitment" and not commitment_allowed:
        return _l("承诺制 is not allowed for this approval (see the checklist template).")
    if status == "regional" and not regional_allowed:
        return _l("A regional assessment (区域评估) cannot cover this approval (see the checklist template).")
    if status == "regional" and not in_zone:
        return _l("Only a project in a zone can be covered by a regional assessment (区域评估).")
    return None


def _profile_values(data: dict[str, Any]) -> dict[str, Any]:
    approval_type = (data.get("approval_type") or "").strip()
    if approval_type not in APPROVAL_TYPES:
        raise DomainError(_l("Choose the approval type: 审批, 核准 or 备案."), "approval_type")
    land_supply = (data.get("land_supply") or "").strip()
    if land_supply not in LAND_SUPPLIES:
        raise DomainError(_l("Choose the land supply: 划拨, 出让 or no new land."), "land_supply")
    in_zone = data.get("in_zone")
    in_zone = in_zone is True or str(in_zone or "").lower() in ("1", "y", "true", "on", "yes")
    return {"approval_type": approval_type, "land_supply": land_supply, "in_zone": in_zone}


def set_profile(session: Session, actor, project: Project, data: dict[str, Any],
                expected_version: int | None = None) -> ApprovalProfile:
    """Create or change the project's profile and bring its checklist in line with the template."""
    values = _profile_values(data)
    profile = profile_of(session, project.id)
    if profile is not None:
        ensure_current(session, profile, expected_version)
    rows = applicable_rows(get_setting(session, TEMPLATE.key), **values)
    items = {i.item_key: i for i in items_of(session, project.id)}
    _refuse_invalid_statuses(items, rows, values["in_zone"])
    if profile is None:
        profile = ApprovalProfile(project_id=project.id, **values)
        session.add(profile)
        audit.record_create(session, actor, profile)
    else:
        with audit.tracked_update(session, actor, profile):
            for key, value in values.items():
                setattr(profile, key, value)
    _sync(session, actor, project, items, rows)
    session.flush()
    return profile


def _refuse_invalid_statuses(items: dict[str, ApprovalItem], rows, in_zone: bool) -> None:
    wanted = {row["key"]: row for _i, row in rows}
    clashes = []
    for key, item in items.items():
        row = wanted.get(key)
        if row is None or item.status not in ("commitment", "regional"):
            continue
        if status_problem(item.status, row["commitment"], row["regional"], in_zone):
            clashes.append(f"{item.name}（{STATUS_LABELS[item.status]}）")
    if clashes:
        raise DomainError(_l("These items have a status the new profile does not allow; change them first: "
                             "%(items)s", items="、".join(clashes)), "approval_type")


def _sync(session: Session, actor, project: Project, items: dict[str, ApprovalItem], rows) -> None:
    wanted = {row["key"]: (sort, row) for sort, row in rows}
    for key, (sort, row) in wanted.items():
        item = items.get(key)
        fields = {"stage": int(row["stage"]), "sort": sort, "name": row["name"], "applicable": True,
                  "commitment_allowed": bool(row["commitment"]), "regional_allowed": bool(row["regional"])}
        if item is None:
            item = ApprovalItem(project_id=project.id, item_key=key, status="todo", **fields)
            session.add(item)
            audit.record_create(session, actor, item)
            continue
        with audit.tracked_update(session, actor, item):
            for name, value in fields.items():
                setattr(item, name, value)
    for key, item in items.items():
        if key in wanted:
            continue
        if is_untouched(item):
            audit.record_delete(session, actor, item)
            audit.record_event(session, actor, "update", "project", project.id, field="approval_item",
                               old=item.name, new=None)
            session.delete(item)
        elif item.applicable:
            with audit.tracked_update(session, actor, item):
                item.applicable = False


def _text(value, limit: int) -> str | None:
    return (str(value or "").strip()[:limit]) or None


def _date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise DomainError(_l("Enter the date as YYYY-MM-DD."), "approved_on") from None


def _attachment(session: Session, project: Project, value) -> int | None:
    if value in (None, "", "None"):
        return None
    try:
        attachment = session.get(Attachment, int(value))
    except (TypeError, ValueError):
        attachment = None
    if attachment is None or attachment.entity_type != "project" or attachment.entity_id != project.id:
        raise DomainError(_l("Choose one of the project's files."), "attachment_id")
    return attachment.id


def update_item(session: Session, actor, project: Project, item: ApprovalItem, data: dict[str, Any],
                expected_version: int | None = None, today: dt.date | None = None) -> ApprovalItem:
    """Record an item's status and 批复.

    已办 needs a 批复文号 or an attached file (the proof a reviewer looks for); 不适用 needs a note saying
    why; 承诺制 and 区域评估已覆盖 only where the template allows them (区域评估 in a zone only). The date
    of the 批复 cannot lie in the future.
    """
    if item.project_id != project.id:
        raise DomainError(_l("This item does not belong to the project."))
    ensure_current(session, item, expected_version)
    status = (data.get("status") or "").strip()
    if status not in APPROVAL_STATUSES:
        raise DomainError(_l("%(value)s is not one of the statuses.", value=status[:20]), "status")
    values = {"status": status, "doc_number": _text(data.get("doc_number"), 100),
              "authority": _text(data.get("authority"), 100), "approved_on": _date(data.get("approved_on")),
              "attachment_id": _attachment(session, project, data.get("attachment_id")),
              "note": _text(data.get("note"), 500)}
    if values["approved_on"] is not None and values["approved_on"] > (today or dt.date.today()):
        raise DomainError(_l("The date of the approval (%(date)s) cannot be in the future.",
                             date=values["approved_on"].isoformat()), "approved_on")
    profile = profile_of(session, project.id)
    problem = status_problem(status, item.commitment_allowed, item.regional_allowed,
                             bool(profile and profile.in_zone))
    if problem:
        raise DomainError(problem, "status")
    if status == "done" and not (values["doc_number"] or values["attachment_id"]):
        raise DomainError(_l("An approval marked 已办 needs its 批复文号 or an attached file."), "doc_number")
    if status == "na" and not values["note"]:
        raise DomainError(_l("Say in the note why the approval does not apply (不适用)."), "note")
    old_status = item.status
    with audit.tracked_update(session, actor, item):
        for key, value in values.items():
            setattr(item, key, value)
    if old_status != status:
        # The project's own history then shows the approvals' progress next to its other changes.
        audit.record_event(session, actor, "update", "project", project.id, field=f"approval: {item.name}",
                           old=old_status, new=status)
    session.flush()
    return item
