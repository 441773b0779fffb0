"""What the trip and delegation pages share: the leads a visit may name, and loading the one named."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.core.errors import DomainError
from crm.extensions import db
from crm.models import Company, Lead
from crm.security.web import current_scope
from crm.visits.forms import BLANK, VisitForm

MAX_LEAD_CHOICES = 200


def lead_choices(company_id: int | None = None) -> list[tuple]:
    """Open leads the user sees (of one company when given), most recently contacted first."""
    stmt = (select(Lead.id, Lead.title, Company.name).join(Company, Company.id == Lead.company_id)
            .where(current_scope().condition(Lead), Lead.stage != "ended")
            .order_by(Lead.last_contact_at.desc().nulls_last(), Lead.id.desc()).limit(MAX_LEAD_CHOICES))
    if company_id is not None:
        stmt = stmt.where(Lead.company_id == company_id)
    return [BLANK, *((lead_id, f"{company} · {title}") for lead_id, title, company in db.session.execute(stmt))]


def chosen_lead(form: VisitForm) -> Lead | None:
    """The lead named on the form, refused (on its field) when missing or outside the scope."""
    if form.lead_id.data is None:
        return None
    lead = db.session.get(Lead, form.lead_id.data)
    if lead is None or not current_scope().can_see(db.session, lead):
        raise DomainError(_l("Choose a lead from the list."), "lead_id")
    return lead
