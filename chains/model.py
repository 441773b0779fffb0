"""The chain model: built once from records, it answers coverage, status, importance and actions.

Construction does all the work on the company layer in a few linear passes (memberships once,
supply links three times) and keeps per-segment aggregates; every question about segments then
costs nothing on the company layer. Target scores (:mod:`chains.targets`) are computed on first
use and kept.

Rules (DESIGN.md §4), with the choices where it is silent:

- *Coverage*: local companies of a segment (count, share-weighted revenue) beside all known ones.
  Location quotient ``LQ = (L_s / L) / (A_s / A)`` on company counts (revenue is often unknown for
  external firms), ``L``/``A`` the local/all companies of the chain; 0 when there are none.
- *Status*: 缺失 without local companies; 薄弱 below ``min_local_count`` or ``min_lq``; else 完备.
  *Severity*: 1 for 缺失, ``1 - min(count / min_local_count, LQ / min_lq)`` for 薄弱, 0 for 完备.
- *Importance*: the weighted sum of leader dependence (:func:`chains.segments.leader_dependence`
  over the local chain leaders' segments), rescaled betweenness, downstream reach and policy weight.
- *Action*: 强链 for a local leader's own segment; else 补链 for a 缺失/薄弱 segment inside the local span
  (:func:`chains.segments.local_span`: present, present on both sides, or depended on by a leader);
  else 延链 for a 缺失 segment adjacent to a present one; else 强链 for a 完备 segment whose LQ reaches
  ``strong_lq``; else none.
- *Gap priority* = importance × severity (0 for 完备). *Target priority* of a segment (what the fit
  of its companies uses) = ``(0.5 + 0.5 × importance)`` × the action's weight (× severity for 补链),
  rescaled so the top segment scores 1 — the floor of one half keeps an end-of-chain 延链 segment
  (no betweenness, no reach) worth targeting; a segment without action has priority 0.

Examples
--------
>>> segs = [Segment(s, "t", s.upper()) for s in "abc"]
>>> links = [SegmentLink("a", "b"), SegmentLink("b", "c")]
>>> firms = [Company("x", "甲", local=True), Company("y", "乙", local=True), Company("z", "丙")]
>>> members = [Membership("x", "a"), Membership("y", "c"), Membership("z", "b")]
>>> m = ChainModel(segs, links, firms, members, params=Params(min_local_count=1))
>>> [(r.id, r.status, r.action) for r in m.segments()]
[('a', '完备', '强链'), ('b', '缺失', '补链'), ('c', '完备', '强链')]
>>> m.segment("b").why
'补链：B环节本地缺失，上下游本地均有企业'
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable

import networkx as nx

from chains import segments as seglib
from chains.errors import ChainError
from chains.params import IMPORTANCE_PARTS, Params
from chains.records import (COMPLETE, EXTEND, FILL, MISSING, STRENGTHEN, WEAK, Company, LeadRecord, Membership,
                            Segment, SegmentLink, Signal, SupplyLink)
from chains.targets import Target, TargetTable

__all__ = ["ChainModel", "SegmentReport"]


@dataclass(frozen=True)
class SegmentReport:
    """Everything the chain map shows about one segment."""

    id: str
    name: str
    position: str
    local_count: int
    local_revenue: float
    total_count: int
    total_revenue: float
    lq: float
    status: str
    severity: float
    importance: float
    importance_parts: dict[str, float]
    leader: str | None
    leader_segment: str | None
    leader_hops: int | None
    action: str | None
    gap_priority: float
    priority: float
    why: str = field(compare=False)


class ChainModel:
    """A chain's segments and its company layer, analysed once.

    Parameters
    ----------
    segments, links : iterables of Segment, SegmentLink
        The chain's segments and segment supply links.
    companies : iterable of Company
        Companies (any superset of the chain's members and supply-link ends).
    memberships : iterable of Membership
        Company-segment links; those naming other chains' segments or unknown companies are ignored.
    supply_links : iterable of SupplyLink
        Known company supply links (links naming unknown companies are ignored).
    leads, signals : iterables of LeadRecord, Signal
        Lead history (signed and lost leads) and momentum signals, for the target scores.
    params : Params
    as_of : datetime.date, optional
        Reference date of the recency window (default: today).
    """

    def __init__(self, segments: Iterable[Segment], links: Iterable[SegmentLink], companies: Iterable[Company],
                 memberships: Iterable[Membership], supply_links: Iterable[SupplyLink] = (), *,
                 leads: Iterable[LeadRecord] = (), signals: Iterable[Signal] = (), params: Params | None = None,
                 as_of: dt.date | None = None):
        self.params = params or Params()
        self.as_of = as_of or dt.date.today()
        self._segs = {s.id: s for s in sorted(segments, key=lambda s: (s.order, s.id))}
        if not self._segs:
            raise ChainError("a chain needs at least one segment")
        self.G = seglib.segment_graph(self._segs.values(), links)
        self.companies: list[Company] = list(companies)
        self.index: dict[str, int] = {c.id: i for i, c in enumerate(self.companies)}
        self._supply_links = supply_links
        self._leads, self._signals = leads, signals
        self._members(memberships)
        self._analyse()
        self._targets: TargetTable | None = None

    # -- company layer: one pass over the memberships -------------------------------------------
    def _members(self, memberships: Iterable[Membership]) -> None:
        seg_ids = list(self._segs)
        self.seg_pos = {s: i for i, s in enumerate(seg_ids)}
        n = len(seg_ids)
        #: per company index: [(segment position, share), ...] for the chain's members
        self.member_of: dict[int, list[tuple[int, float]]] = {}
        self.leaders: set[int] = set()
        self.local_count = [0] * n
        self.total_count = [0] * n
        self.local_revenue = [0.0] * n
        self.total_revenue = [0.0] * n
        self.revenues: list[list[float]] = [[] for _ in range(n)]
        self.local_members: list[list[int]] = [[] for _ in range(n)]
        companies, index, seg_pos = self.companies, self.index, self.seg_pos
        for m in memberships:
            i = index.get(m.company_id)
            s = seg_pos.get(m.segment_id)
            if i is None or s is None:
                continue
            c = companies[i]
            self.member_of.setdefault(i, []).append((s, m.share))
            self.total_count[s] += 1
            if c.revenue is not None:
                self.total_revenue[s] += m.share * c.revenue
                self.revenues[s].append(c.revenue)
            if m.leader:
                self.leaders.add(i)
            if c.local:
                self.local_count[s] += 1
                self.local_members[s].append(i)
                if c.revenue is not None:
                    self.local_revenue[s] += m.share * c.revenue
        for r in self.revenues:
            r.sort()
        self.local_set = {i for i in self.member_of if companies[i].local}
        self.local_leaders = self.leaders & self.local_set

    # -- segment layer ---------------------------------------------------------------------------
    def _analyse(self) -> None:
        p = self.params
        ids = list(self._segs)
        n_local, n_all = len(self.local_set), len(self.member_of)
        lq = []
        for s in range(len(ids)):
            share_all = self.total_count[s] / n_all if n_all else 0.0
            lq.append((self.local_count[s] / n_local) / share_all if n_local and share_all else 0.0)
        self.lq = lq
        status, severity = [], []
        for s in range(len(ids)):
            count = self.local_count[s]
            if count == 0:
                status.append(MISSING)
                severity.append(1.0)
            elif count < p.min_local_count or lq[s] < p.min_lq:
                status.append(WEAK)
                severity.append(1.0 - min(count / p.min_local_count, lq[s] / p.min_lq if p.min_lq else 1.0))
            else:
                status.append(COMPLETE)
                severity.append(0.0)
        self.status, self.severity = status, severity
        leader_at: dict[str, str] = {}
        for i in sorted(self.local_leaders, key=lambda i: (-(self.companies[i].revenue or 0), self.companies[i].id)):
            for s, _share in self.member_of[i]:
                leader_at.setdefault(ids[s], self.companies[i].name)
        self.leader_at = leader_at
        self.dependence = seglib.leader_dependence(self.G, leader_at, k=p.k, lam=p.lam)
        btw, reach = seglib.betweenness(self.G), seglib.downstream_reach(self.G)
        weights = p.importance_weights
        self.importance_parts, self.importance = [], []
        for sid in ids:
            parts = {"dependence": self.dependence[sid][0], "betweenness": btw[sid], "reach": reach[sid],
                     "policy": self._segs[sid].policy_weight}
            self.importance_parts.append(parts)
            self.importance.append(sum(weights[k] * parts[k] for k in IMPORTANCE_PARTS))
        present = {ids[s] for s in range(len(ids)) if self.local_count[s]}
        dependent = {sid for sid, (d, _t, _h) in self.dependence.items() if d > 0}
        span = seglib.local_span(self.G, present, dependent)
        self.action = [self._action(sid, s, present, span) for s, sid in enumerate(ids)]
        factor = {FILL: p.fill_weight, EXTEND: p.extend_weight, STRENGTHEN: p.strengthen_weight, None: 0.0}
        raw = [(0.5 + 0.5 * self.importance[s]) * factor[self.action[s]]
               * (severity[s] if self.action[s] == FILL else 1.0) for s in range(len(ids))]
        top = max(raw)
        self.priority = [(r / top if top > 0 else 0.0) for r in raw]
        self.between_present = {sid for sid in span - present
                                if nx.ancestors(self.G, sid) & present and nx.descendants(self.G, sid) & present}

    def _action(self, sid: str, s: int, present: set[str], span: set[str]) -> str | None:
        if sid in self.leader_at:
            return STRENGTHEN
        if self.status[s] != COMPLETE and sid in span:
            return FILL
        if self.status[s] == MISSING and (set(self.G.predecessors(sid)) | set(self.G.successors(sid))) & present:
            return EXTEND
        if self.status[s] == COMPLETE and self.lq[s] >= self.params.strong_lq:
            return STRENGTHEN
        return None

    # -- answers ---------------------------------------------------------------------------------
    def segment(self, segment_id: str) -> SegmentReport:
        """The report of one segment (``KeyError`` for an unknown id)."""
        s = self.seg_pos[segment_id]
        seg = self._segs[segment_id]
        dep, t, hops = self.dependence[segment_id]
        return SegmentReport(
            id=seg.id, name=seg.name, position=seg.position, local_count=self.local_count[s],
            local_revenue=self.local_revenue[s], total_count=self.total_count[s],
            total_revenue=self.total_revenue[s], lq=self.lq[s], status=self.status[s], severity=self.severity[s],
            importance=self.importance[s], importance_parts=dict(self.importance_parts[s]),
            leader=self.leader_at.get(t) if t else None, leader_segment=t, leader_hops=hops,
            action=self.action[s], gap_priority=self.importance[s] * self.severity[s], priority=self.priority[s],
            why=self.segment_why(segment_id))

    def segments(self) -> list[SegmentReport]:
        """Reports of every segment, upstream to downstream."""
        return [self.segment(sid) for sid in self._segs]

    def local_companies(self, segment_id: str) -> list[Company]:
        """The local companies of a segment, largest revenue first."""
        members = self.local_members[self.seg_pos[segment_id]]
        return sorted((self.companies[i] for i in members), key=lambda c: (-(c.revenue or 0.0), c.id))

    def segment_why(self, segment_id: str) -> str:
        """A Chinese sentence saying why the segment has its status and action."""
        s = self.seg_pos[segment_id]
        seg = self._segs[segment_id]
        action, status = self.action[s], self.status[s]
        text = f"{action or '暂无行动'}：{seg.name}环节本地{status}"
        if status != MISSING:
            text += f"（{self.local_count[s]}家，区位熵{self.lq[s]:.2f}）"
        _dep, t, hops = self.dependence[segment_id]
        if t is not None and hops == 0:
            text += f"，本地链主{self.leader_at[t]}在此环节"
        elif t is not None:
            text += f"，本地链主{self.leader_at[t]}所在的{self._segs[t].name}环节在{hops}跳内依赖该环节"
        if segment_id in self.between_present and action == FILL:
            text += "，上下游本地均有企业"
        if action == EXTEND:
            near = sorted(n for n in set(self.G.predecessors(segment_id)) | set(self.G.successors(segment_id))
                          if self.local_count[self.seg_pos[n]])
            text += f"，与本地已有的{'、'.join(self._segs[n].name for n in near)}环节相邻，位于本地链条之外"
        if action == STRENGTHEN and status == COMPLETE and self.lq[s] >= self.params.strong_lq:
            text += "，已具优势，宜做强做大"
        return text

    def segment_name(self, segment_id: str) -> str:
        return self._segs[segment_id].name

    @property
    def segment_ids(self) -> list[str]:
        """Segment ids upstream to downstream."""
        return list(self._segs)

    # -- targets (chains.targets does the work) ---------------------------------------------------
    def _table(self) -> TargetTable:
        if self._targets is None:
            self._targets = TargetTable(self, self._supply_links, self._leads, self._signals)
            self._supply_links = self._leads = self._signals = ()
        return self._targets

    def targets(self, *, segment: str | None = None, action: str | None = None, cluster: str | None = None,
                limit: int | None = None) -> list[Target]:
        """Ranked, explained targets, best first: only those whose main segment (the one adding most to
        their fit) is ``segment`` or has the action ``action``, or in ``cluster``; at most ``limit``."""
        return self._table().targets(segment=segment, action=action, cluster=cluster, limit=limit)

    def ranking(self) -> list[tuple[str, float]]:
        """Every candidate company id with its score, best first."""
        return self._table().ranking()

    def pair_link(self, company_id: str, partner_id: str) -> float:
        """The link part of ``company_id`` if ``partner_id`` were the only local firm (for evaluation)."""
        return self._table().pair_link(company_id, partner_id)
