"""The company page's contact-log timeline: every interaction with the company that the viewer may
see (``Scope.condition(Interaction)``: the logging unit's subtree, or a lead the viewer sees),
newest first, paged; its lead, trip and delegation are linked only when the viewer sees them."""
from __future__ import annotations

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from crm.companies.panels import register_panel
from crm.core.params import Page, int_arg
from crm.extensions import db
from crm.leads.rules import INTERACTION_LABELS
from crm.models import Company, Delegation, Interaction, Lead, Trip, Unit, User
from crm.security.permissions import allowed
from crm.security.scope import Scope

__all__ = ["company_timeline", "PER_PAGE"]

PER_PAGE = 20


def company_timeline(session: Session, scope: Scope, company_id: int, page: int = 1,
                     per_page: int = PER_PAGE) -> Page:
    """Rows ``(interaction, user name, unit name, lead title, trip title, delegation id)``; the last
    three are None when absent or outside the scope."""
    where = and_(Interaction.company_id == company_id, scope.condition(Interaction))
    total = session.scalar(select(func.count()).select_from(Interaction).where(where)) or 0
    stmt = (select(Interaction, User.name, Unit.name, Lead.title, Trip.title, Delegation.id)
            .join(User, User.id == Interaction.user_id).join(Unit, Unit.id == Interaction.unit_id)
            .outerjoin(Lead, and_(Lead.id == Interaction.lead_id, scope.condition(Lead)))
            .outerjoin(Trip, and_(Trip.id == Interaction.trip_id, scope.condition(Trip)))
            .outerjoin(Delegation, and_(Delegation.id == Interaction.delegation_id, scope.condition(Delegation)))
            .where(where).order_by(Interaction.at.desc(), Interaction.id.desc())
            .limit(per_page).offset((page - 1) * per_page))
    return Page(session.execute(stmt).all(), page, per_page, total)


@register_panel
def timeline_panel(company: Company):
    from flask_login import current_user

    from crm.security.web import current_scope
    if not allowed(current_user.roles, "lead.view"):
        return None
    page = company_timeline(db.session, current_scope(), company.id, int_arg("page", 1, minimum=1, maximum=100000))
    return "leads/_company_timeline.html", {"page": page, "kinds": INTERACTION_LABELS}
