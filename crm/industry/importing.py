"""Chain import from an uploaded file (YAML, JSON, the atlas format) or a CSV pair — all or nothing.

:mod:`chains.parsers` reads and checks the file(s) first (every problem named by file, row and
field); only a clean chain is written: a new chain with its segments and links, and — where the file
carries firms — memberships and supply links of the companies found by stock code (the others are
counted, not created: the company register is kept by the company import).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

import chains
from chains import parsers
from crm.audit import service as audit
from crm.core.errors import DomainError
from crm.files.decoding import DecodeError, decode
from crm.models import Chain, Company, CompanySegment, Segment, SegmentLink, SupplyLink

__all__ = ["ImportOutcome", "parse_upload", "import_chain"]


@dataclass(frozen=True)
class ImportOutcome:
    chain: Chain
    segments: int
    links: int
    memberships: int
    unmatched_firms: int


def parse_upload(filename: str, content: bytes, links_name: str | None = None, links_content: bytes | None = None,
                 *, name: str | None = None) -> chains.ChainData:
    """Parse one uploaded file (or a segments/links CSV pair); raise ChainParseError with every issue.

    Bytes are decoded by the file core first (BOM, UTF-8, then GB18030), so a CSV saved by Excel
    in GBK reads like any other.
    """
    content = _text(filename, content)
    links_content = None if links_content is None else _text(links_name or "links.csv", links_content)
    lower = filename.lower()
    stem = filename.rsplit("/", 1)[-1].rsplit(".", 1)[0] or "chain"
    if lower.endswith((".yaml", ".yml")):
        return parsers.read_yaml(content, file=filename)
    if lower.endswith(".json"):
        return parsers.read_json(content, file=filename)
    if lower.endswith(".csv"):
        return parsers.read_csv_pair(content, links_content, chain_id=stem, name=name,
                                     files=(filename, links_name or "links.csv"))
    raise DomainError(_l("Upload a YAML, JSON or CSV file."), "file")


def _text(filename: str, content: bytes | str) -> str:
    if isinstance(content, str):
        return content
    try:
        return decode(content)[0]
    except DecodeError as exc:
        raise chains.ChainParseError([parsers.Issue(filename, 0, "", str(exc))]) from None


def import_chain(session: Session, actor, data: chains.ChainData, *, name: str | None = None) -> ImportOutcome:
    """Write a parsed chain as a new chain (refused if a chain of that name exists)."""
    name = (name or data.name or data.id).strip()[:100]
    if session.scalar(select(Chain.id).where(Chain.name == name)) is not None:
        raise DomainError(_l("A chain named %(name)s exists already.", name=name), "name")
    chain = Chain(name=name)
    session.add(chain)
    session.flush()
    audit.record_create(session, actor, chain)
    seg_ids: dict[str, int] = {}
    for seg in data.segments:
        row = Segment(chain_id=chain.id, key=seg.id[:64], name=seg.name[:100], position=seg.position,
                      tier=seg.tier, gbt_codes=",".join(seg.gbt_codes)[:200] or None, policy_weight=seg.policy_weight)
        session.add(row)
        session.flush()
        seg_ids[seg.id] = row.id
    for link in data.links:
        session.add(SegmentLink(chain_id=chain.id, from_segment_id=seg_ids[link.source],
                                to_segment_id=seg_ids[link.target], weight=link.weight))
    codes = {c.id: c.stock_code for c in data.companies if c.stock_code}
    found = dict(session.execute(select(Company.stock_code, Company.id).where(
        Company.stock_code.in_(sorted(set(codes.values()))))).all()) if codes else {}
    firm = {cid: found[code] for cid, code in codes.items() if code in found}
    members = 0
    seen = set()
    for m in data.memberships:
        key = (firm.get(m.company_id), seg_ids.get(m.segment_id))
        if None in key or key in seen:
            continue
        seen.add(key)
        session.add(CompanySegment(company_id=key[0], segment_id=key[1], share=m.share, is_leader=m.leader))
        members += 1
    pairs = set(session.execute(select(SupplyLink.supplier_id, SupplyLink.buyer_id, SupplyLink.product).where(
        SupplyLink.supplier_id.in_(sorted(set(firm.values())))))) if firm else set()
    for s in data.supply_links:
        a, b = firm.get(s.supplier_id), firm.get(s.buyer_id)
        if a and b and a != b and (a, b, s.product[:120]) not in pairs:
            pairs.add((a, b, s.product[:120]))
            session.add(SupplyLink(supplier_id=a, buyer_id=b, product=s.product[:120],
                                   confidence=max(1, round(s.confidence * 5)), source=f"import:{data.id}"[:120]))
    session.flush()
    audit.record_event(session, actor, "bulk_create", "chain", chain.id, field="segments",
                       new=f"{len(data.segments)} segments, {len(data.links)} links, {members} memberships")
    return ImportOutcome(chain, len(data.segments), len(data.links), members, len(data.companies) - len(firm))
