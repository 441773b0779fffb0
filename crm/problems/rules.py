"""Problem vocabulary: statuses, levels, kinds and who counts as the assigning or the responsible side.

The *responsible side* is the responsible unit and the units below it. The *assigning side* is the
unit that assigned the problem (交办) and the units above it, or an all-seeing user, holding a role
that may assign (:data:`ASSIGN_ROLES`). Only the assigning side closes (销号), and never a user of the
responsible unit itself.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from crm.security.scope import ALL_SEEING_ROLES, unit_subtree

STATUS_LABELS = {"raised": _l("Raised"), "assigned": _l("Assigned (交办)"), "handling": _l("Being handled (办理)"),
                 "answered": _l("Answered (反馈)"), "closed": _l("Closed (销号)")}
LEVEL_LABELS = {"county": _l("County level"), "city": _l("City level"), "province": _l("Province level")}
LEVEL_ORDER = ("county", "city", "province")
KIND_LABELS = {"land": _l("Land"), "funds": _l("Funds"), "approval": _l("Approvals"), "energy": _l("Energy and power"),
               "environment": _l("Environment"), "labour": _l("Labour"), "other": _l("Other")}
ASSIGN_ROLES = frozenset({"admin", "city_leader", "county_leader", "manager"})
OPEN_STATUSES = ("raised", "assigned", "handling", "answered")
STEP_LABELS = {"raised": _l("Raised"), "assigned": _l("Assigned (交办)"), "handling": _l("Taken in hand (办理)"),
               "answered": _l("Answered (反馈)"), "sent_back": _l("Sent back to 办理"), "closed": _l("Closed (销号)"),
               "escalated": _l("Escalated")}


def is_responsible_side(session: Session, actor, resp_unit_id: int | None) -> bool:
    unit_id = getattr(actor, "unit_id", None)
    if resp_unit_id is None or unit_id is None:
        return False
    return unit_id in unit_subtree(session, resp_unit_id)


def is_assigning_side(session: Session, actor, assigning_unit_id: int | None) -> bool:
    roles = set(getattr(actor, "roles", ()))
    if not roles & ASSIGN_ROLES:
        return False
    if roles & ALL_SEEING_ROLES:
        return True
    unit_id = getattr(actor, "unit_id", None)
    return assigning_unit_id is not None and unit_id is not None and \
        assigning_unit_id in unit_subtree(session, unit_id)
