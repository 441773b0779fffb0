"""Merge two companies that are one firm: everything of the absorbed one moves to the survivor.

Moved: contacts, leads, interactions, signings, delegations, projects, chain links
(company-segment rows), supply links and subsidiaries. A chain link the survivor already has for
the same segment is kept and the absorbed one dropped (the 链主 flag survives if either had it);
supply links that would repeat one of the survivor's, or become a link of the survivor to itself,
are dropped. Empty fields of the survivor are filled from the absorbed company; the absorbed
company is then deleted. Leads, projects and subsidiaries that move get a new version, so forms
left open on them become stale. All in the caller's transaction: the service flushes, the view
commits once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from crm.audit import service as audit
from crm.audit.stale import ensure_current
from crm.companies.forms import FLAG_LABELS
from crm.companies.services import _derive_location, location_code
from crm.core.errors import DomainError
from crm.models import (Company, CompanySegment, Contact, Delegation, Interaction, Lead, Project, Signing,
                        SupplyLink)

__all__ = ["FIELD_LABELS", "KIND_LABELS", "MergePlan", "merge_companies", "plan_merge"]

# Child tables moved by one UPDATE of their company_id; versioned ones get a new version.
_MOVED_BY_COMPANY_ID = (
    ("contacts", Contact), ("leads", Lead), ("interactions", Interaction), ("signings", Signing),
    ("delegations", Delegation), ("projects", Project),
)
_VERSIONED = (Lead, Project)

# Fields filled on the survivor when empty there (flags: set when the absorbed has them).
_FILLED = ("short_name", "uscc", "stock_code", "industry_code", "registered_capital", "revenue", "employees",
           "notes", "owner_unit_id", "owner_id")
_FLAGS = ("world500", "china500", "private500", "listed", "specialized", "central_soe", "provincial_soe")

KIND_LABELS = {
    "contacts": _l("Contacts"), "leads": _l("Leads"), "interactions": _l("Interactions"),
    "signings": _l("Signings"), "delegations": _l("Delegations"), "projects": _l("Projects"),
    "chain_links": _l("Chain links"), "chain_links_dropped": _l("Chain links dropped (the survivor has them)"),
    "supply_links": _l("Supply links"), "supply_links_dropped": _l("Supply links dropped (repeats or self-links)"),
    "subsidiaries": _l("Subsidiaries"),
}


FIELD_LABELS = {
    "short_name": _l("Short name"), "uscc": _l("Unified social credit code"), "stock_code": _l("Stock code"),
    "industry_code": _l("Industry (GB/T 4754 code)"), "registered_capital": _l("Registered capital (10k yuan)"),
    "revenue": _l("Revenue (10k yuan)"), "employees": _l("Employees"), "notes": _l("Notes"),
    "owner_unit_id": _l("Owning unit"), "owner_id": _l("Owner"), "county_code": _l("Location"),
    "parent_id": _l("Parent group"), **FLAG_LABELS,
}


@dataclass
class MergePlan:
    """What a merge will do; :func:`plan_merge` computes it, :func:`merge_companies` carries it out."""

    counts: dict[str, int] = field(default_factory=dict)
    fills: dict[str, Any] = field(default_factory=dict)  # survivor field → value taken from the absorbed
    segment_drop_ids: list[int] = field(default_factory=list)
    segment_leader_ids: list[int] = field(default_factory=list)  # survivor rows that become 链主
    segment_move_ids: list[int] = field(default_factory=list)
    supply_drop_ids: list[int] = field(default_factory=list)
    supply_moves: dict[int, tuple[int, int]] = field(default_factory=dict)  # id → (supplier, buyer)
    survivor_parent: tuple[bool, int | None] = (False, None)  # (changes?, new parent)


def _ancestors(session: Session, company_id: int | None) -> list[int]:
    chain: list[int] = []
    current = company_id
    while current is not None and current not in chain:
        chain.append(current)
        current = session.scalar(select(Company.parent_id).where(Company.id == current))
    return chain


def _plan_segments(session: Session, plan: MergePlan, survivor: Company, absorbed: Company) -> None:
    kept = {row.segment_id: row for row in session.scalars(
        select(CompanySegment).where(CompanySegment.company_id == survivor.id))}
    for row in session.scalars(select(CompanySegment).where(CompanySegment.company_id == absorbed.id)):
        mine = kept.get(row.segment_id)
        if mine is None:
            plan.segment_move_ids.append(row.id)
            continue
        plan.segment_drop_ids.append(row.id)
        if row.is_leader and not mine.is_leader:
            plan.segment_leader_ids.append(mine.id)
    plan.counts["chain_links"] = len(plan.segment_move_ids)
    plan.counts["chain_links_dropped"] = len(plan.segment_drop_ids)


def _plan_supply_links(session: Session, plan: MergePlan, survivor: Company, absorbed: Company) -> None:
    both = [survivor.id, absorbed.id]
    rows = list(session.scalars(select(SupplyLink).where(
        or_(SupplyLink.supplier_id.in_(both), SupplyLink.buyer_id.in_(both))).order_by(SupplyLink.id)))
    # The survivor's own links stay; a moved link repeating one of them (or a link moved before it) is dropped.
    taken = {(r.supplier_id, r.buyer_id, r.product) for r in rows if absorbed.id not in (r.supplier_id, r.buyer_id)}
    for row in rows:
        if absorbed.id not in (row.supplier_id, row.buyer_id):
            continue
        supplier = survivor.id if row.supplier_id == absorbed.id else row.supplier_id
        buyer = survivor.id if row.buyer_id == absorbed.id else row.buyer_id
        if supplier == buyer or (supplier, buyer, row.product) in taken:
            plan.supply_drop_ids.append(row.id)
            continue
        taken.add((supplier, buyer, row.product))
        plan.supply_moves[row.id] = (supplier, buyer)
    plan.counts["supply_links"] = len(plan.supply_moves)
    plan.counts["supply_links_dropped"] = len(plan.supply_drop_ids)


def _plan_tree(session: Session, plan: MergePlan, survivor: Company, absorbed: Company) -> None:
    plan.counts["subsidiaries"] = session.scalar(select(func.count()).select_from(Company).where(
        Company.parent_id == absorbed.id, Company.id != survivor.id)) or 0
    if absorbed.id in _ancestors(session, survivor.parent_id):
        # The survivor sits below the absorbed company: it takes the absorbed one's place in the
        # tree, or the absorbed one's subsidiaries moving under it would close a loop.
        new_parent = absorbed.parent_id if absorbed.parent_id != survivor.id else None
        plan.survivor_parent = (True, new_parent)
    elif survivor.parent_id is None and absorbed.parent_id is not None:
        # Take the absorbed one's group unless the survivor is above it (a loop again).
        up = [survivor.id if i == absorbed.id else i for i in _ancestors(session, absorbed.parent_id)]
        if survivor.id not in up:
            plan.survivor_parent = (True, absorbed.parent_id)


def _plan_fills(plan: MergePlan, survivor: Company, absorbed: Company) -> None:
    for name in _FILLED:
        mine, theirs = getattr(survivor, name), getattr(absorbed, name)
        if mine in (None, "") and theirs not in (None, ""):
            plan.fills[name] = theirs
    for name in _FLAGS:
        if getattr(absorbed, name) and not getattr(survivor, name):
            plan.fills[name] = True
    if location_code(survivor) is None and location_code(absorbed) is not None:
        plan.fills["county_code"] = location_code(absorbed)


def plan_merge(session: Session, survivor: Company, absorbed: Company) -> MergePlan:
    """Count what would move and which survivor fields would be filled (the preview)."""
    if survivor.id == absorbed.id:
        raise DomainError(_l("A company cannot be merged with itself."))
    plan = MergePlan()
    for kind, model in _MOVED_BY_COMPANY_ID:
        plan.counts[kind] = session.scalar(
            select(func.count()).select_from(model).where(model.company_id == absorbed.id)) or 0
    _plan_segments(session, plan, survivor, absorbed)
    _plan_supply_links(session, plan, survivor, absorbed)
    _plan_tree(session, plan, survivor, absorbed)
    _plan_fills(plan, survivor, absorbed)
    return plan


def _carry_out(session: Session, plan: MergePlan, survivor: Company, absorbed: Company) -> dict[str, int]:
    moved: dict[str, int] = {}
    for kind, model in _MOVED_BY_COMPANY_ID:
        values: dict[str, Any] = {"company_id": survivor.id}
        if model in _VERSIONED:
            values["version_id"] = model.version_id + 1
        result = session.execute(update(model).where(model.company_id == absorbed.id).values(**values)
                                 .execution_options(synchronize_session="fetch"))
        moved[kind] = result.rowcount
    # Drop before moving, so no statement ever sees two rows for one unique key.
    if plan.segment_drop_ids:
        session.execute(delete(CompanySegment).where(CompanySegment.id.in_(plan.segment_drop_ids))
                        .execution_options(synchronize_session="fetch"))
    if plan.segment_leader_ids:
        session.execute(update(CompanySegment).where(CompanySegment.id.in_(plan.segment_leader_ids))
                        .values(is_leader=True).execution_options(synchronize_session="fetch"))
    if plan.segment_move_ids:
        session.execute(update(CompanySegment).where(CompanySegment.id.in_(plan.segment_move_ids))
                        .values(company_id=survivor.id).execution_options(synchronize_session="fetch"))
    if plan.supply_drop_ids:
        session.execute(delete(SupplyLink).where(SupplyLink.id.in_(plan.supply_drop_ids))
                        .execution_options(synchronize_session="fetch"))
    for link_id, (supplier, buyer) in plan.supply_moves.items():
        session.execute(update(SupplyLink).where(SupplyLink.id == link_id)
                        .values(supplier_id=supplier, buyer_id=buyer).execution_options(synchronize_session="fetch"))
    moved["chain_links"] = len(plan.segment_move_ids)
    moved["chain_links_dropped"] = len(plan.segment_drop_ids)
    moved["supply_links"] = len(plan.supply_moves)
    moved["supply_links_dropped"] = len(plan.supply_drop_ids)
    result = session.execute(
        update(Company).where(Company.parent_id == absorbed.id, Company.id != survivor.id)
        .values(parent_id=survivor.id, version_id=Company.version_id + 1)
        .execution_options(synchronize_session="fetch"))
    moved["subsidiaries"] = result.rowcount
    return moved


def merge_companies(session: Session, actor, survivor: Company, absorbed: Company, *,
                    survivor_version: int | None, absorbed_version: int | None) -> dict[str, int]:
    """Merge ``absorbed`` into ``survivor`` and delete it; return the counts of rows moved.

    Refused (:class:`~crm.core.errors.DomainError`) for the same company twice, and
    (:class:`~crm.core.errors.StaleEdit`) when either company changed after the versions the
    user reviewed.
    """
    if survivor.id == absorbed.id:
        raise DomainError(_l("A company cannot be merged with itself."))
    ensure_current(session, survivor, survivor_version)
    ensure_current(session, absorbed, absorbed_version)
    plan = plan_merge(session, survivor, absorbed)
    moved = _carry_out(session, plan, survivor, absorbed)
    code = plan.fills.pop("uscc", None)
    if code is not None:
        # The code is unique: the absorbed company lets go of it before the survivor takes it.
        absorbed.uscc = None
        session.flush()
    absorbed_label = f"{absorbed.id} {absorbed.name}"
    with audit.tracked_update(session, actor, survivor):
        location = plan.fills.pop("county_code", None)
        for name, value in plan.fills.items():
            setattr(survivor, name, value)
        if code is not None:
            survivor.uscc = code
        changes_parent, new_parent = plan.survivor_parent
        if changes_parent:
            survivor.parent_id = new_parent
        if location is not None:
            _derive_location(session, survivor, location)
    batch = audit.new_batch_id()
    audit.record_event(session, actor, "merge", "company", survivor.id, field="absorbed", old=absorbed_label,
                       new="; ".join(f"{kind}={count}" for kind, count in moved.items()), batch_id=batch)
    audit.record_delete(session, actor, absorbed)
    session.delete(absorbed)
    session.flush()
    return moved
