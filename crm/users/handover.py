"""Handover (离岗交接): move everything a user owns — companies, leads, projects — to another user.

One bulk UPDATE per kind, each row's version bumped so forms left open on them become stale,
and one audit event per kind with its count, all under one batch id. Units stay as they are
(a lead's 主办 unit keeps its credit); only the owning officer changes. Who may hand over:
anyone holding the function whose reach (:func:`crm.users.services.manageable_unit_ids`:
system admins everywhere, others their own unit subtree) covers both users.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from crm.audit import service as audit
from crm.core.errors import DomainError
from crm.models import Company, Lead, Project, User
from crm.users.services import ensure_can_manage

__all__ = ["KINDS", "HandoverResult", "handover", "owned_counts"]

# (kind, model): every model with an owning officer.
KINDS = (("company", Company), ("lead", Lead), ("project", Project))


@dataclass(frozen=True)
class HandoverResult:
    counts: dict[str, int]
    batch_id: str


def owned_counts(session: Session, user: User) -> dict[str, int]:
    """How many records of each kind ``user`` owns."""
    return {kind: session.scalar(select(func.count()).select_from(model).where(model.owner_id == user.id)) or 0
            for kind, model in KINDS}


def _ensure_reach(session: Session, actor: User, user: User, field: str) -> None:
    try:
        ensure_can_manage(session, actor, user.unit_id)
    except DomainError:
        raise DomainError(_l("You can only hand over work between users of your own unit."), field) from None


def handover(session: Session, actor: User, from_user: User, to_user: User) -> HandoverResult:
    """Make ``to_user`` the owner of everything ``from_user`` owns.

    Refused when both are the same user, when ``to_user`` is disabled, or when either user is
    outside the actor's reach.
    """
    if from_user.id == to_user.id:
        raise DomainError(_l("Choose another user to receive the work."), "to_user_id")
    if not to_user.active:
        raise DomainError(_l("%(name)s is disabled and cannot receive work.", name=to_user.name), "to_user_id")
    _ensure_reach(session, actor, from_user, None)
    _ensure_reach(session, actor, to_user, "to_user_id")
    batch = audit.new_batch_id()
    counts: dict[str, int] = {}
    for kind, model in KINDS:
        result = session.execute(
            update(model).where(model.owner_id == from_user.id)
            .values(owner_id=to_user.id, version_id=model.version_id + 1)
            .execution_options(synchronize_session="fetch"))
        counts[kind] = result.rowcount
        # The audit action list is fixed by a CHECK constraint; a handover is recorded as an
        # "update" of the leaving user: field <kind>.owner_id, old = their id, new = "receiver (rows)".
        audit.record_event(session, actor, "update", "user", from_user.id, field=f"{kind}.owner_id",
                           old=from_user.id, new=f"{to_user.id} ({counts[kind]})", batch_id=batch)
    session.flush()
    return HandoverResult(counts, batch)
