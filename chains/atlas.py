"""The industry-chain atlas format (github.com/JiMoxiao/industry-chain-atlas, MIT).

An atlas file has ``industry`` (the chain's name), ``segments`` with ``id``, ``name``, ``position``,
``tier``, ``layer``, ``group`` and ``key_companies`` (``code``, ``name``, ``role``), and
``supply_relationships`` between company codes with a ``confidence`` of 1–5. Read here as:

- companies: one per stock code (``id`` and ``stock_code`` = the code, kept as text), so the app
  matches them to its companies by stock code;
- memberships: a company listed in ``n`` segments of the chain has ``share = 1/n`` in each; the atlas
  names no chain leaders (the app flags them);
- supply links: ``confidence / 5``; relationships lacking a supplier or buyer code (non-listed
  counterparts) are skipped and counted in ``notes``; a code listed in no segment becomes a company
  named by its code;
- segment links: derived from the supply links through memberships, the position order as a
  fallback (:func:`chains.segments.derive_segment_links`).

Examples
--------
>>> data = {"industry": "示例", "segments": [
...     {"id": "a", "name": "原料", "position": "upstream", "tier": 1,
...      "key_companies": [{"code": "000001", "name": "甲"}]},
...     {"id": "b", "name": "制造", "position": "midstream", "tier": 2,
...      "key_companies": [{"code": "600000", "name": "乙"}]}],
...     "supply_relationships": [{"supplier_code": "000001", "buyer_code": "600000", "confidence": 4}]}
>>> chain = parse_atlas(data, file="demo.yaml", chain_id="demo")
>>> chain.name, [(l.source, l.target, l.weight, l.origin) for l in chain.links]
('示例', [('a', 'b', 0.8, 'firms')])
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from chains.errors import ChainParseError, Issue
from chains.records import POSITIONS, ChainData, Company, Membership, Segment, SupplyLink
from chains.segments import derive_segment_links

__all__ = ["is_atlas", "parse_atlas"]


def is_atlas(data: dict) -> bool:
    """Whether a loaded mapping is in the atlas format."""
    segments = data.get("segments")
    return "supply_relationships" in data or (isinstance(segments, list) and any(
        isinstance(s, dict) and "key_companies" in s for s in segments))


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def parse_atlas(data: dict, *, file: str, chain_id: str) -> ChainData:
    """Read an atlas mapping; every problem is collected, then raised as one ChainParseError."""
    errors: list[Issue] = []
    segments: list[Segment] = []
    seen: set[str] = set()
    names: dict[str, str] = {}
    seg_of: dict[str, list[str]] = defaultdict(list)
    raw_segments = data.get("segments")
    if not isinstance(raw_segments, list) or not raw_segments:
        errors.append(Issue(file, 0, "segments", "missing or empty"))
        raw_segments = []
    for row, item in enumerate(raw_segments, 1):
        if not isinstance(item, dict):
            errors.append(Issue(file, row, "segments", "must be a mapping"))
            continue
        sid, name, position = _text(item.get("id")), _text(item.get("name")), _text(item.get("position"))
        for field, value in (("id", sid), ("name", name)):
            if not value:
                errors.append(Issue(file, row, f"segments.{field}", "missing"))
        if sid and sid in seen:
            errors.append(Issue(file, row, "segments.id", f"repeats segment {sid!r}"))
        if position not in POSITIONS:
            errors.append(Issue(file, row, "segments.position", f"unknown position {position!r}"))
        order = []
        for field in ("tier", "layer"):
            value = item.get(field, 0)
            if not isinstance(value, int) or isinstance(value, bool):
                errors.append(Issue(file, row, f"segments.{field}", f"not an integer: {value!r}"))
                value = 0
            order.append(value)
        for firm in item.get("key_companies") or []:
            code = _text(firm.get("code")) if isinstance(firm, dict) else ""
            if not code:
                errors.append(Issue(file, row, "segments.key_companies.code", "missing"))
                continue
            names.setdefault(code, _text(firm.get("name")) or code)
            if sid not in seg_of[code]:
                seg_of[code].append(sid)
        seen.add(sid)
        if sid and name and position in POSITIONS:
            segments.append(Segment(sid, chain_id, name, position, order[0], order[1], group=_text(item.get("group"))))
    supply: list[SupplyLink] = []
    skipped = 0
    for row, rel in enumerate(data.get("supply_relationships") or [], 1):
        if not isinstance(rel, dict):
            errors.append(Issue(file, row, "supply_relationships", "must be a mapping"))
            continue
        a, b = _text(rel.get("supplier_code")), _text(rel.get("buyer_code"))
        if not a or not b:
            skipped += 1
            continue
        conf = rel.get("confidence", 5)
        if not isinstance(conf, (int, float)) or isinstance(conf, bool) or not 1 <= conf <= 5:
            errors.append(Issue(file, row, "supply_relationships.confidence", f"must be 1 to 5, not {conf!r}"))
            continue
        for code in (a, b):
            names.setdefault(code, code)
        supply.append(SupplyLink(a, b, conf / 5, _text(rel.get("product"))))
    if errors:
        raise ChainParseError(errors)
    companies = tuple(Company(code, name, stock_code=code) for code, name in names.items())
    memberships = tuple(Membership(code, sid, 1 / len(sids)) for code, sids in seg_of.items() for sid in sids)
    links = tuple(derive_segment_links(segments, memberships, supply))
    notes = (f"skipped {skipped} supply relationships without both codes",) if skipped else ()
    return ChainData(chain_id, _text(data.get("industry")) or chain_id, tuple(segments), links, companies,
                     memberships, tuple(supply), notes)
