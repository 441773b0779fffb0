"""Momentum signals (扩产 / 融资 news) kept per company, for the target score's momentum part.

A signal is dated; the engine counts it while it is younger than the recency window
(``chains.Params.recency_days``). Adding or removing one bumps the stamp of every chain the company
belongs to, so every worker rebuilds those chains' models.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.audit import service as audit
from crm.core.errors import DomainError
from crm.industry.cache import bump
from crm.models import Company, CompanySegment, CompanySignal, Segment
from crm.models.company import SIGNAL_KINDS

__all__ = ["SIGNAL_LABELS", "add_signal", "delete_signal", "signals_of"]

SIGNAL_LABELS = {"expansion": _l("Expansion (扩产)"), "financing": _l("Financing (融资)")}
OLDEST = dt.date(2000, 1, 1)


def _chains_of(session: Session, company_id: int) -> set[int]:
    return set(session.scalars(select(Segment.chain_id).join(CompanySegment, CompanySegment.segment_id == Segment.id)
                               .where(CompanySegment.company_id == company_id)))


def add_signal(session: Session, actor, company: Company, kind: Any, on: Any, note: Any = None,
               *, today: dt.date | None = None) -> CompanySignal:
    """Record that ``company`` expanded or raised money on ``on`` (a date, or ISO text)."""
    if kind not in SIGNAL_KINDS:
        raise DomainError(_l("Choose expansion or financing."), "kind")
    if isinstance(on, str):
        try:
            on = dt.date.fromisoformat(on.strip())
        except ValueError:
            raise DomainError(_l("Give the date as YYYY-MM-DD."), "on_date") from None
    if not isinstance(on, dt.date):
        raise DomainError(_l("Give the date as YYYY-MM-DD."), "on_date")
    if on > (today or dt.date.today()) or on < OLDEST:
        raise DomainError(_l("The date cannot be in the future or before 2000."), "on_date")
    note = (str(note).strip()[:200] or None) if note is not None else None
    row = CompanySignal(company_id=company.id, kind=kind, on_date=on, note=note,
                        created_by=getattr(actor, "id", None))
    session.add(row)
    session.flush()
    audit.record_create(session, actor, row)
    for chain_id in _chains_of(session, company.id):
        bump(session, chain_id)
    return row


def delete_signal(session: Session, actor, row: CompanySignal) -> None:
    chains_hit = _chains_of(session, row.company_id)
    audit.record_delete(session, actor, row)
    session.delete(row)
    session.flush()
    for chain_id in chains_hit:
        bump(session, chain_id)


def signals_of(session: Session, company_id: int) -> list[CompanySignal]:
    return list(session.scalars(select(CompanySignal).where(CompanySignal.company_id == company_id)
                                .order_by(CompanySignal.on_date.desc(), CompanySignal.id.desc())))
