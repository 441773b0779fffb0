"""Database rows → :mod:`chains` records, in a handful of set-based queries per chain.

Ids are the primary keys as text. The company layer is the chain's members plus the other ends of
their known supply links (so link prediction sees the firm graph around the chain), with their
dated momentum signals (扩产 / 融资, :mod:`crm.industry.signals`). Lead history:
per company, a signing or a 已签约 lead makes it ``signed`` (never a target); otherwise its latest
lead is ``active`` (open) or ``lost`` (终止, dated by its last change). Supply-link confidence is
stored as 1–5 and handed over as a fraction.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

import chains
from crm.models import Chain, Company, CompanySegment, CompanySignal, Lead, Segment, SegmentLink, Signing, SupplyLink
from crm.refdata.lookup import CLUSTERS

__all__ = ["ChainInputs", "chain_inputs", "source_regions"]

CONFIDENCE_SCALE = 5.0


@dataclass(frozen=True)
class ChainInputs:
    """Everything :class:`chains.ChainModel` takes for one chain (keyword arguments)."""

    segments: tuple[chains.Segment, ...]
    links: tuple[chains.SegmentLink, ...]
    companies: tuple[chains.Company, ...]
    memberships: tuple[chains.Membership, ...]
    supply_links: tuple[chains.SupplyLink, ...]
    leads: tuple[chains.LeadRecord, ...]
    signals: tuple[chains.Signal, ...] = ()

    def model(self, params: chains.Params, as_of: dt.date | None = None) -> chains.ChainModel:
        return chains.ChainModel(self.segments, self.links, self.companies, self.memberships, self.supply_links,
                                 leads=self.leads, signals=self.signals, params=params, as_of=as_of)


def _segment(row: Segment) -> chains.Segment:
    codes = tuple(c.strip() for c in (row.gbt_codes or "").replace("，", ",").split(",") if c.strip())
    return chains.Segment(str(row.id), str(row.chain_id), row.name, position=row.position, tier=row.tier or 0,
                          gbt_codes=codes, policy_weight=min(max(float(row.policy_weight or 0.0), 0.0), 1.0))


def chain_inputs(session: Session, chain: Chain) -> ChainInputs:
    """Read one chain's segments, links, members, their supply links and lead history."""
    seg_rows = session.scalars(select(Segment).where(Segment.chain_id == chain.id).order_by(Segment.id)).all()
    segments = tuple(_segment(r) for r in seg_rows)
    links = tuple(chains.SegmentLink(str(a), str(b), min(max(float(w or 0.0), 0.0), 1.0))
                  for a, b, w in session.execute(
                      select(SegmentLink.from_segment_id, SegmentLink.to_segment_id, SegmentLink.weight)
                      .where(SegmentLink.chain_id == chain.id).order_by(SegmentLink.id)))
    seg_ids = select(Segment.id).where(Segment.chain_id == chain.id)
    memberships = tuple(chains.Membership(str(c), str(s), min(max(float(sh or 0.0), 0.0), 1.0), bool(lead))
                        for c, s, sh, lead in session.execute(
                            select(CompanySegment.company_id, CompanySegment.segment_id, CompanySegment.share,
                                   CompanySegment.is_leader)
                            .where(CompanySegment.segment_id.in_(seg_ids)).order_by(CompanySegment.id)))
    members = select(CompanySegment.company_id).where(CompanySegment.segment_id.in_(seg_ids))
    supply = session.execute(
        select(SupplyLink.supplier_id, SupplyLink.buyer_id, SupplyLink.confidence, SupplyLink.product)
        .where(or_(SupplyLink.supplier_id.in_(members), SupplyLink.buyer_id.in_(members)))
        .order_by(SupplyLink.id)).all()
    supply_links = tuple(chains.SupplyLink(str(a), str(b), min(max((conf or 0) / CONFIDENCE_SCALE, 0.0), 1.0),
                                           product or "") for a, b, conf, product in supply)
    ids = {int(m.company_id) for m in memberships} | {a for a, *_ in supply} | {b for _a, b, *_ in supply}
    signed = set(session.scalars(select(Signing.company_id).where(Signing.company_id.in_(members))))
    companies = []
    for row in _chunked(session, ids, select(Company.id, Company.name, Company.is_local, Company.revenue,
                                             Company.cluster, Company.province_code, Company.stock_code), Company.id):
        cid, name, local, revenue, cluster, province, stock = row
        companies.append(chains.Company(str(cid), name, local=bool(local),
                                        revenue=float(revenue) if revenue is not None else None,
                                        cluster=CLUSTERS.get(cluster) if cluster else None, region=province,
                                        signed=cid in signed, stock_code=stock))
    companies.sort(key=lambda c: int(c.id))
    signals = tuple(chains.Signal(str(cid), kind, on) for cid, kind, on in _chunked(
        session, ids, select(CompanySignal.company_id, CompanySignal.kind, CompanySignal.on_date)
        .order_by(CompanySignal.id), CompanySignal.company_id))
    return ChainInputs(segments, links, tuple(companies), memberships, supply_links, _leads(session, members), signals)


def _chunked(session: Session, ids: set[int], stmt, column, size: int = 5000):
    ordered = sorted(ids)
    for start in range(0, len(ordered), size):
        yield from session.execute(stmt.where(column.in_(ordered[start:start + size])))


def _leads(session: Session, members) -> tuple[chains.LeadRecord, ...]:
    latest: dict[int, tuple[dt.datetime, str]] = {}
    signed: set[int] = set()
    stmt = (select(Lead.company_id, Lead.stage, Lead.first_reported_at, Lead.updated_at)
            .where(Lead.company_id.in_(members)))
    for company_id, stage, reported, updated in session.execute(stmt):
        if stage == "signed":
            signed.add(company_id)
            continue
        outcome = "lost" if stage == "ended" else "active"
        when = (updated or reported) if outcome == "lost" else reported
        when = _naive(when)
        # An open lead wins (the company is in the pipeline); otherwise the latest loss counts.
        if outcome == "active":
            latest[company_id] = (when, outcome)
        elif company_id not in latest or (latest[company_id][1] == "lost" and when > latest[company_id][0]):
            latest[company_id] = (when, outcome)
    out = [chains.LeadRecord(str(c), "signed", dt.date.today()) for c in sorted(signed)]
    out += [chains.LeadRecord(str(c), outcome, when.date()) for c, (when, outcome) in sorted(latest.items())
            if c not in signed]
    return tuple(out)


def _naive(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is None else value.astimezone(dt.timezone.utc).replace(tzinfo=None)


def source_regions(session: Session, company_ids) -> dict[int, str]:
    """Company id → its province and city names (the source region shown beside a target)."""
    from sqlalchemy.orm import aliased

    from crm.models import Division
    ids = sorted({int(i) for i in company_ids})
    if not ids:
        return {}
    province, city = aliased(Division), aliased(Division)
    rows = session.execute(select(Company.id, province.name, city.name)
                           .outerjoin(province, province.code == Company.province_code)
                           .outerjoin(city, city.code == Company.city_code).where(Company.id.in_(ids)))
    return {cid: " ".join(dict.fromkeys(n for n in (p, c) if n)) for cid, p, c in rows}
