"""Plain, frozen records: what the web app hands to the engine (one record per database row).

Ids are strings (the app passes primary keys or codes as text). Shares, confidences and policy
weights are fractions in [0, 1]; revenue is in 万元 (a float here: the engine ranks, it does not
keep accounts). The labels of statuses and actions are the Chinese words of DESIGN.md §4.

Examples
--------
>>> seg = Segment("b", "demo", "焊接材料", position="midstream")
>>> seg.position_rank, seg.policy_weight
(1, 0.0)
>>> Membership("c1", "b", share=0.5, leader=True).share
0.5
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

__all__ = [
    "POSITIONS", "MISSING", "WEAK", "COMPLETE", "STATUSES", "FILL", "EXTEND", "STRENGTHEN", "ACTIONS",
    "Segment", "SegmentLink", "Company", "Membership", "SupplyLink", "LeadRecord", "Signal", "ChainData",
]

#: Positions from upstream to downstream; their index is the order of the fallback segment links.
POSITIONS = ("upstream", "midstream", "downstream")

MISSING, WEAK, COMPLETE = "缺失", "薄弱", "完备"
STATUSES = (MISSING, WEAK, COMPLETE)
FILL, EXTEND, STRENGTHEN = "补链", "延链", "强链"
ACTIONS = (FILL, EXTEND, STRENGTHEN)


@dataclass(frozen=True, slots=True)
class Segment:
    """A segment (环节) of a chain.

    ``tier`` and ``layer`` refine the position order (both ascending downstream); ``gbt_codes`` are
    GB/T 4754 codes; ``policy_weight`` in [0, 1] is set by people (0: no extra policy priority).
    """

    id: str
    chain: str
    name: str
    position: str = "midstream"
    tier: int = 0
    layer: int = 0
    gbt_codes: tuple[str, ...] = ()
    policy_weight: float = 0.0
    group: str = ""

    @property
    def position_rank(self) -> int:
        return POSITIONS.index(self.position)

    @property
    def order(self) -> tuple[int, int, int]:
        """Sort key upstream → downstream: position, then tier, then layer."""
        return (self.position_rank, self.tier, self.layer)


@dataclass(frozen=True, slots=True)
class SegmentLink:
    """``source`` supplies ``target``; ``weight`` in [0, 1]; ``origin`` is declared, firms or position."""

    source: str
    target: str
    weight: float = 1.0
    origin: str = "declared"


@dataclass(frozen=True, slots=True)
class Company:
    """A company: a prospect and a node of the chain graph.

    ``local`` is decided by the app from the company's location (the home city); ``cluster`` is the
    region cluster it lies in (京津冀, 长三角, 关中平原城市群 …) or ``None``; ``signed`` marks a company
    that already signed with the city (never a target).
    """

    id: str
    name: str
    local: bool = False
    revenue: float | None = None
    cluster: str | None = None
    region: str | None = None
    signed: bool = False
    stock_code: str | None = None


@dataclass(frozen=True, slots=True)
class Membership:
    """A company works in a segment with ``share`` of its business; ``leader`` = chain leader (链主) here."""

    company_id: str
    segment_id: str
    share: float = 1.0
    leader: bool = False


@dataclass(frozen=True, slots=True)
class SupplyLink:
    """A known supply relation between two companies, ``confidence`` in [0, 1]."""

    supplier_id: str
    buyer_id: str
    confidence: float = 1.0
    product: str = ""


@dataclass(frozen=True, slots=True)
class LeadRecord:
    """The latest lead of a company: ``outcome`` is ``active``, ``lost`` or ``signed``; ``on`` its date."""

    company_id: str
    outcome: str
    on: dt.date


@dataclass(frozen=True, slots=True)
class Signal:
    """A sign of momentum: ``kind`` is ``expansion`` or ``financing`` (or any text), ``on`` its date."""

    company_id: str
    kind: str
    on: dt.date


@dataclass(frozen=True)
class ChainData:
    """What a parser returns: one chain with its segments, links and (optionally) firms."""

    id: str
    name: str
    segments: tuple[Segment, ...]
    links: tuple[SegmentLink, ...] = ()
    companies: tuple[Company, ...] = ()
    memberships: tuple[Membership, ...] = ()
    supply_links: tuple[SupplyLink, ...] = ()
    notes: tuple[str, ...] = field(default=())
