"""Trip and delegation services: create and edit (audited), and log their contacts.

Functions take the session and the acting user, flush but never commit, and raise
:class:`~crm.core.errors.DomainError` naming the form field concerned. The acting user's visibility
of a lead named on a visit is the view's business (it loads the lead through the scope).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from crm.audit import service as audit
from crm.core.errors import DomainError
from crm.leads import services as contact_log
from crm.models import Company, Delegation, Interaction, Lead, Trip, Unit, User
from crm.refdata import lookup

__all__ = ["TRIP_FIELDS", "DELEGATION_FIELDS", "create_trip", "update_trip", "create_delegation",
           "update_delegation", "record_visit", "contacts_of"]

TRIP_FIELDS = ("title", "start_on", "end_on", "destination_code", "destination", "team", "summary")
DELEGATION_FIELDS = ("company_id", "arrived_on", "left_on", "head", "size", "host_unit_id", "summary")


def _set(obj, fields, data: dict[str, Any]) -> None:
    for key in fields:
        if key in data:
            value = data[key]
            setattr(obj, key, (value.strip() or None) if isinstance(value, str) else value)


def _check_trip(trip: Trip) -> None:
    if not trip.title:
        raise DomainError(_l("Give the trip a title."), "title")
    if trip.start_on is None:
        raise DomainError(_l("Enter the first day."), "start_on")
    if trip.end_on is None:
        raise DomainError(_l("Enter the last day."), "end_on")
    if trip.end_on < trip.start_on:
        raise DomainError(_l("The last day cannot be before the first day."), "end_on")
    if trip.destination_code:
        try:
            trip.destination_code = lookup.normalise_code(trip.destination_code)
        except ValueError:
            raise DomainError(_l("Choose the destination from the list."), "destination_code") from None
    if not trip.destination_code and not trip.destination:
        raise DomainError(_l("Choose a destination or describe it."), "destination")


def create_trip(session: Session, actor, data: dict[str, Any]) -> Trip:
    """A trip organised by the actor's unit."""
    trip = Trip(unit_id=actor.unit_id, created_by=getattr(actor, "id", None))
    _set(trip, TRIP_FIELDS, data)
    _check_trip(trip)
    session.add(trip)
    audit.record_create(session, actor, trip)
    return trip


def update_trip(session: Session, actor, trip: Trip, data: dict[str, Any]) -> Trip:
    with audit.tracked_update(session, actor, trip):
        _set(trip, TRIP_FIELDS, data)
        _check_trip(trip)
    return trip


def _check_delegation(session: Session, delegation: Delegation) -> None:
    if delegation.company_id is None or session.get(Company, delegation.company_id) is None:
        raise DomainError(_l("Choose the investor group from the list."), "company_id")
    if delegation.arrived_on is None:
        raise DomainError(_l("Enter the arrival date."), "arrived_on")
    if delegation.left_on is not None and delegation.left_on < delegation.arrived_on:
        raise DomainError(_l("The delegation cannot leave before it arrives."), "left_on")
    if delegation.size is not None and delegation.size < 1:
        raise DomainError(_l("A delegation has at least one person."), "size")
    if delegation.host_unit_id is None or session.get(Unit, delegation.host_unit_id) is None:
        raise DomainError(_l("Choose the host unit."), "host_unit_id")


def create_delegation(session: Session, actor, data: dict[str, Any]) -> Delegation:
    """A delegation received; the host unit defaults to the actor's."""
    delegation = Delegation(host_unit_id=actor.unit_id, created_by=getattr(actor, "id", None))
    _set(delegation, DELEGATION_FIELDS, data)
    with session.no_autoflush:
        _check_delegation(session, delegation)
    session.add(delegation)
    audit.record_create(session, actor, delegation)
    return delegation


def update_delegation(session: Session, actor, delegation: Delegation, data: dict[str, Any]) -> Delegation:
    with audit.tracked_update(session, actor, delegation):
        _set(delegation, DELEGATION_FIELDS, data)
        _check_delegation(session, delegation)
    return delegation


def record_visit(session: Session, actor, *, trip: Trip | None = None, delegation: Delegation | None = None,
                 company_id: int | None = None, lead: Lead | None = None, at: dt.datetime | None = None,
                 summary: str, participants: str | None = None, next_step: str | None = None,
                 next_followup: dt.date | None = None) -> Interaction:
    """Log a company visited on ``trip`` (kind 'visit') or the reception of ``delegation`` (kind
    'delegation'). With a lead (of the same company), the contact goes through the lead's contact
    log, which moves its last contact, next follow-up and 保护期."""
    if (trip is None) == (delegation is None):
        raise ValueError("a visit belongs to a trip or to a delegation")
    if delegation is not None:
        company_id = delegation.company_id
    if lead is not None:
        if company_id is not None and company_id != lead.company_id:
            raise DomainError(_l("The lead chosen is on another company."), "lead_id")
        company_id = lead.company_id
    if company_id is None:
        raise DomainError(_l("Choose the company visited, or one of its leads."), "company_id")
    links = {"trip_id": trip.id if trip else None, "delegation_id": delegation.id if delegation else None,
             "kind": "visit" if trip else "delegation", "at": at, "summary": summary,
             "participants": participants, "next_step": next_step, "next_followup": next_followup}
    if lead is not None:
        return contact_log.log_interaction(session, actor, lead, **links)
    return contact_log.log_company_contact(session, actor, company_id, **links)


def contacts_of(session: Session, scope, *, trip_id: int | None = None, delegation_id: int | None = None) -> list:
    """The interactions of a trip or a delegation that ``scope`` may see, newest first:
    ``(interaction, company name, lead title or None, user name)``; the lead's title only when the
    scope sees that lead."""
    stmt = (select(Interaction, Company.name, Lead.title, User.name)
            .join(Company, Company.id == Interaction.company_id).join(User, User.id == Interaction.user_id)
            .outerjoin(Lead, and_(Lead.id == Interaction.lead_id, scope.condition(Lead)))
            .where(scope.condition(Interaction))
            .order_by(Interaction.at.desc(), Interaction.id.desc()).limit(500))
    if trip_id is not None:
        stmt = stmt.where(Interaction.trip_id == trip_id)
    else:
        stmt = stmt.where(Interaction.delegation_id == delegation_id)
    return session.execute(stmt).all()
