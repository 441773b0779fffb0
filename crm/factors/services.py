"""要素保障 services: enter or top up a pool, request inputs for a project, allocate, refuse. They flush, never commit.

An allocation may not exceed the request's outstanding amount nor what remains in the pool of the
request's year and kind (the pool total less everything allocated from it). Both sums are read after
locking the pool and the request rows (``FOR UPDATE`` on PostgreSQL; SQLite has one writer at a time),
so two allocators cannot both spend the same remainder. Every change writes audit rows.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.audit import service as audit
from crm.core.errors import DomainError, StaleEdit
from crm.factors.rules import KIND_LABELS, UNIT_LABELS, ZERO, derive_status, outstanding
from crm.models import FactorAllocation, FactorPool, FactorRequest, Project
from crm.models.base import utcnow

__all__ = ["set_pool", "create_request", "allocate", "refuse", "request_allocated", "pool_allocated",
           "parse_year"]

LIMIT = Decimal("1000000000000")  # far beyond any real pool; keeps Numeric(16, 3) from overflowing
STEP = Decimal("0.001")


def _text(value, limit: int) -> str | None:
    value = (value or "").strip()
    return value[:limit] or None


def parse_year(value) -> int:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise DomainError(_l("Enter the year as four digits, e.g. 2026."), "year") from None
    if not 2000 <= year <= 2100:
        raise DomainError(_l("Enter the year as four digits, e.g. 2026."), "year")
    return year


def _kind(value) -> str:
    if value not in KIND_LABELS:
        raise DomainError(_l("Choose a kind of input from the list."), "kind")
    return value


def _amount(value, field: str = "amount", *, signed: bool = False) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise DomainError(_l("Enter the amount as a number, e.g. 12.5."), field) from None
    if not amount.is_finite() or abs(amount) >= LIMIT:
        raise DomainError(_l("Enter the amount as a number, e.g. 12.5."), field)
    if amount != amount.quantize(STEP):
        raise DomainError(_l("Amounts have at most three decimals."), field)
    if amount == ZERO or (amount < ZERO and not signed):
        raise DomainError(_l("The amount must be greater than zero."), field)
    return amount.quantize(STEP)


def _date(value, field: str) -> dt.date:
    if value in (None, ""):
        return dt.date.today()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise DomainError(_l("Enter the date as YYYY-MM-DD."), field) from None


def _fresh(obj, version) -> None:
    """Refuse a form loaded before the last change of ``obj`` (its version travels with the form)."""
    if version in (None, ""):
        return
    if str(version).strip() != str(obj.version_id):
        raise StaleEdit(_l("This record was changed by someone else since you opened it: check the figures and "
                           "try again."))


def pool_allocated(session: Session, pool_id: int) -> Decimal:
    stmt = select(func.coalesce(func.sum(FactorAllocation.amount), 0)).where(FactorAllocation.pool_id == pool_id)
    return Decimal(session.scalar(stmt) or 0)


def request_allocated(session: Session, request_id: int) -> Decimal:
    stmt = select(func.coalesce(func.sum(FactorAllocation.amount), 0)).where(FactorAllocation.request_id == request_id)
    return Decimal(session.scalar(stmt) or 0)


def _fmt(value: Decimal) -> str:
    text = f"{value:,.3f}".rstrip("0").rstrip(".")
    return text or "0"


def set_pool(session: Session, actor, data: dict) -> FactorPool:
    """Enter a year's pool of a kind, or top it up (a negative amount corrects it down, never below what is
    already allocated from it)."""
    year, kind = parse_year(data.get("year")), _kind(data.get("kind"))
    amount = _amount(data.get("amount"), signed=True)
    note = _text(data.get("note"), 200)
    pool = session.scalar(select(FactorPool).where(FactorPool.year == year, FactorPool.kind == kind)
                          .with_for_update())
    if pool is None:
        if amount < ZERO:
            raise DomainError(_l("A new pool needs a total greater than zero."), "amount")
        pool = FactorPool(year=year, kind=kind, total=amount, note=note)
        session.add(pool)
        session.flush()
        audit.record_create(session, actor, pool)
        return pool
    used = pool_allocated(session, pool.id)
    total = pool.total + amount
    if total < used:
        raise DomainError(_l("The pool cannot go below what is already allocated from it (%(used)s %(unit)s).",
                             used=_fmt(used), unit=UNIT_LABELS[kind]), "amount")
    with audit.tracked_update(session, actor, pool):
        pool.total = total
        pool.note = note or pool.note
    audit.record_event(session, actor, "state", "factor_pool", pool.id, field="topup", old=_fmt(amount),
                       new=note)
    session.flush()
    return pool


def create_request(session: Session, actor, project: Project, data: dict) -> FactorRequest:
    """A project's request for one kind of input in one year."""
    req = FactorRequest(project_id=project.id, year=parse_year(data.get("year")), kind=_kind(data.get("kind")),
                        amount=_amount(data.get("amount")),
                        requested_on=_date(data.get("requested_on"), "requested_on"),
                        purpose=_text(data.get("purpose"), 2000), status="requested",
                        created_by=getattr(actor, "id", None))
    session.add(req)
    session.flush()
    audit.record_create(session, actor, req)
    return req


def _lock(session: Session, req: FactorRequest, version) -> None:
    """Reload the request under a row lock, then refuse a form loaded before its last change."""
    session.refresh(req, with_for_update=True)
    _fresh(req, version)


def allocate(session: Session, actor, req: FactorRequest, data: dict) -> FactorAllocation:
    """Grant ``amount`` of ``req`` out of its year's pool of its kind, with the granting document's number."""
    amount = _amount(data.get("amount"))
    allocated_on = _date(data.get("allocated_on"), "allocated_on")
    _lock(session, req, data.get("version_id"))
    if req.status in ("granted", "refused"):
        raise DomainError(_l("This request is closed (granted in full or refused): nothing more can be allocated."),
                          "amount")
    pool = session.scalar(select(FactorPool).where(FactorPool.year == req.year, FactorPool.kind == req.kind)
                          .with_for_update())
    unit = UNIT_LABELS[req.kind]
    if pool is None:
        raise DomainError(_l("The city has entered no %(year)s pool of %(kind)s: enter the pool first.",
                             year=req.year, kind=KIND_LABELS[req.kind]), "amount")
    already = request_allocated(session, req.id)
    left = outstanding(req.amount, already, req.status)
    if amount > left:
        raise DomainError(_l("%(amount)s %(unit)s is more than the request's outstanding %(left)s %(unit)s.",
                             amount=_fmt(amount), unit=unit, left=_fmt(left)), "amount")
    remaining = pool.total - pool_allocated(session, pool.id)
    if amount > remaining:
        raise DomainError(_l("%(amount)s %(unit)s is more than the %(year)s pool has left (%(remaining)s %(unit)s).",
                             amount=_fmt(amount), unit=unit, year=req.year, remaining=_fmt(remaining)), "amount")
    grant = FactorAllocation(request_id=req.id, pool_id=pool.id, amount=amount, allocated_on=allocated_on,
                             doc_no=_text(data.get("doc_no"), 64), note=_text(data.get("note"), 200),
                             created_by=getattr(actor, "id", None))
    session.add(grant)
    session.flush()
    audit.record_create(session, actor, grant)
    status = derive_status(req.amount, already + amount)
    with audit.tracked_update(session, actor, req):
        req.status = status
        # The outstanding amount changed even when the status did not: touching the row bumps its version,
        # so a form opened before this allocation is refused as stale.
        req.updated_at = utcnow()
    return grant


def refuse(session: Session, actor, req: FactorRequest, data: dict) -> FactorRequest:
    """不予保障: close the request's outstanding part with a reason (what was allocated stays allocated)."""
    reason = _text(data.get("reason"), 500)
    if not reason:
        raise DomainError(_l("Refusing a request needs a reason."), "reason")
    _lock(session, req, data.get("version_id"))
    if req.status in ("granted", "refused"):
        raise DomainError(_l("This request is already closed (granted in full or refused)."), "reason")
    with audit.tracked_update(session, actor, req):
        req.status = "refused"
        req.refusal_reason = reason
    return req
