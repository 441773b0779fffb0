"""Target scores for external companies (DESIGN.md §4.4): parts in [0, 1], weighted, explained.

Candidates are the chain's member companies that are not local and not signed (``Company.signed``
or a ``signed`` lead). For a candidate ``c`` with segment shares ``share(c, s)``:

- **fit** = ``min(1, Σ share(c, s) × priority(s))``, priority the segment's target priority
  (:mod:`chains.model`);
- **link**: with known supply links to local members of the chain,
  ``cap + (1 - cap) × (1 - Π(1 - confidence × w))`` (``cap`` = ``predicted_link_cap``; the noisy-or of
  the links, ``w`` = ``leader_link_weight`` for a local chain leader and ``other_link_weight``
  otherwise), so a known link always outranks a predicted one; with none,
  ``cap × (1 - (1 - a) × exp(-r))`` where
  ``a`` (segment affinity) is the best ``w × weight`` of a segment link between one of ``c``'s
  segments and a present segment (in either direction), and ``r`` the resource-allocation index
  (:func:`networkx.resource_allocation_index` on the undirected firm graph) of ``c`` summed over the
  local members, each weighted by ``w`` — computed in one pass over the links;
- **scale**: 1 for a chain leader (a leader elsewhere), else the best revenue percentile of ``c``
  among the known revenues of its segments (mid-rank: the share below plus half the share equal,
  so a lone company scores 0.5; 0 when its revenue is unknown);
- **source**: 1 in one of the target clusters, ``other_source`` otherwise;
- **momentum**: the freshest expansion or financing signal, ``1 - age / recency_days`` (0 if none);
- **lost**: ``(1 - age / recency_days)`` of a lead lost within the window, times the weighted sum of
  the five parts above; its weight is ``-lost_discount``. So the score — the weighted sum of all six
  parts — keeps ``1 - lost_discount`` of a company's score on the day its lead was lost.
"""
from __future__ import annotations

import math
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

import networkx as nx

from chains.params import TARGET_PARTS

__all__ = ["Target", "TargetTable"]

ALL_PARTS = (*TARGET_PARTS, "lost")


@dataclass(frozen=True)
class Target:
    """An explained target: ``score == sum(weights[k] * parts[k] for k in parts)``."""

    company_id: str
    name: str
    score: float
    parts: dict[str, float]
    weights: dict[str, float]
    segment: str
    action: str | None
    cluster: str | None
    in_pipeline: bool
    why: str


class TargetTable:
    """The parts of every candidate, kept in flat arrays (built once per model)."""

    def __init__(self, model, supply_links, leads, signals):
        self.model = m = model
        p = m.params
        self.weights = {**p.target_weights, "lost": -p.lost_discount}
        companies, index = m.companies, m.index
        window = p.recency_days
        signed, lost, active = set(), {}, set()
        for lead in leads:
            i = index.get(lead.company_id)
            age = (m.as_of - lead.on).days
            if i is None:
                continue
            if lead.outcome == "signed":
                signed.add(i)
            elif lead.outcome == "lost" and 0 <= age <= window:
                lost[i] = max(lost.get(i, 0.0), 1.0 - age / window)
            elif lead.outcome == "active":
                active.add(i)
        momentum: dict[int, float] = {}
        for sig in signals:
            i = index.get(sig.company_id)
            age = (m.as_of - sig.on).days
            if i is not None and 0 <= age <= window:
                momentum[i] = max(momentum.get(i, 0.0), 1.0 - age / window)
        self.active = active
        self.candidates = array("l", sorted(i for i in m.member_of
                                            if not companies[i].local and not companies[i].signed and i not in signed))
        self._links(supply_links)
        self._score(lost, momentum)

    def _lw(self, i: int) -> float:
        p = self.model.params
        return p.leader_link_weight if i in self.model.local_leaders else p.other_link_weight

    def _links(self, supply_links) -> None:
        m = self.model
        index, local = m.index, m.local_set
        known: dict[int, float] = {}
        partner: dict[int, tuple[float, int]] = {}
        pairs: dict[tuple[int, int], float] = {}
        for link in supply_links:
            a, b = index.get(link.supplier_id), index.get(link.buyer_id)
            if a is None or b is None or a == b:
                continue
            key = (a, b) if a < b else (b, a)
            pairs[key] = max(pairs.get(key, 0.0), link.confidence)
            for c, f in ((a, b), (b, a)):
                if f in local and c not in local and c in m.member_of:
                    w = link.confidence * self._lw(f)
                    known[c] = 1.0 - (1.0 - known.get(c, 0.0)) * (1.0 - w)
                    if w > partner.get(c, (-1.0, 0))[0]:
                        partner[c] = (w, f)
        degree: dict[int, int] = {}
        local_weight: dict[int, float] = {}
        for a, b in pairs:
            degree[a] = degree.get(a, 0) + 1
            degree[b] = degree.get(b, 0) + 1
            for z, f in ((a, b), (b, a)):
                if f in local:
                    local_weight[z] = local_weight.get(z, 0.0) + self._lw(f)
        ra: dict[int, float] = {}
        for a, b in pairs:
            for c, z in ((a, b), (b, a)):
                lw = local_weight.get(z)
                if lw:
                    ra[c] = ra.get(c, 0.0) + lw / degree[z]
        self.known, self.partner, self.ra = known, partner, ra
        self.pairs = pairs
        present = [s for s in range(len(m.seg_pos)) if m.local_count[s]]
        ids = m.segment_ids
        leader_segs = set(m.leader_at)
        affinity = []
        for s, sid in enumerate(ids):
            best = 0.0
            for t in present:
                if t == s:
                    continue
                tid = ids[t]
                w = max(m.G.edges[sid, tid]["weight"] if m.G.has_edge(sid, tid) else 0.0,
                        m.G.edges[tid, sid]["weight"] if m.G.has_edge(tid, sid) else 0.0)
                lw = m.params.leader_link_weight if tid in leader_segs else m.params.other_link_weight
                best = max(best, w * lw)
            affinity.append(best)
        self.affinity = affinity

    def _score(self, lost: dict[int, float], momentum: dict[int, float]) -> None:
        m = self.model
        p = m.params
        w = self.weights
        companies, priority, member_of = m.companies, m.priority, m.member_of
        clusters = set(p.target_clusters)
        n = len(self.candidates)
        cols = {k: array("d", bytes(8 * n)) for k in (*ALL_PARTS, "score")}
        main = array("l", bytes(8 * n))
        for j, i in enumerate(self.candidates):
            c = companies[i]
            segs = member_of[i]
            fit, best, aff, pct = 0.0, -1.0, 0.0, 0.0
            for s, share in segs:
                v = share * priority[s]
                fit += v
                if v > best:
                    best, main[j] = v, s
                aff = max(aff, self.affinity[s])
                if c.revenue is not None and m.revenues[s]:
                    revs = m.revenues[s]
                    pct = max(pct, (bisect_left(revs, c.revenue) + bisect_right(revs, c.revenue)) / (2 * len(revs)))
            known = self.known.get(i, 0.0)
            if known > 0:  # above every prediction: a known link is evidence, a prediction a guess
                link = p.predicted_link_cap + (1.0 - p.predicted_link_cap) * known
            else:
                link = p.predicted_link_cap * (1.0 - (1.0 - aff) * math.exp(-self.ra.get(i, 0.0)))
            parts = (min(1.0, fit), link, 1.0 if i in m.leaders else pct,
                     1.0 if c.cluster in clusters else p.other_source, momentum.get(i, 0.0))
            base = sum(w[k] * v for k, v in zip(TARGET_PARTS, parts))
            lost_part = lost.get(i, 0.0) * base
            for k, v in zip(TARGET_PARTS, parts):
                cols[k][j] = v
            cols["lost"][j] = lost_part
            cols["score"][j] = base + w["lost"] * lost_part
        self.cols, self.main = cols, main
        score = cols["score"]
        self.order = sorted(range(n), key=lambda j: (-score[j], companies[self.candidates[j]].id))

    # -- answers ---------------------------------------------------------------------------------
    def ranking(self) -> list[tuple[str, float]]:
        ids, score, cand = self.model.companies, self.cols["score"], self.candidates
        return [(ids[cand[j]].id, score[j]) for j in self.order]

    def targets(self, *, segment=None, action=None, cluster=None, limit=None) -> list[Target]:
        """Explained targets best first, optionally only those whose main segment is ``segment``, whose
        main segment's action is ``action``, or in ``cluster``; at most ``limit``."""
        m = self.model
        seg = m.seg_pos[segment] if segment is not None else None
        out: list[Target] = []
        for j in self.order:
            if limit is not None and len(out) >= limit:
                break
            s = self.main[j]
            c = m.companies[self.candidates[j]]
            if (seg is not None and s != seg) or (action is not None and m.action[s] != action) or \
                    (cluster is not None and c.cluster != cluster):
                continue
            out.append(self._target(j))
        return out

    def _target(self, j: int) -> Target:
        m = self.model
        i = self.candidates[j]
        c = m.companies[i]
        s = self.main[j]
        parts = {k: self.cols[k][j] for k in ALL_PARTS}
        return Target(company_id=c.id, name=c.name, score=self.cols["score"][j], parts=parts,
                      weights=dict(self.weights), segment=m.segment_ids[s], action=m.action[s], cluster=c.cluster,
                      in_pipeline=i in self.active, why=self._why(i, s, parts))

    def _why(self, i: int, s: int, parts: dict[str, float]) -> str:
        m = self.model
        sid = m.segment_ids[s]
        text = f"{m.action[s] or '暂无行动'}：{m.segment_name(sid)}环节本地{m.status[s]}"
        _dep, t, hops = m.dependence[sid]
        if t is not None:
            text += f"，本地链主{m.leader_at[t]}" + ("在此环节" if hops == 0 else f"在{hops}跳内依赖该环节")
        if i in self.partner:
            text += f"；与本地企业{m.companies[self.partner[i][1]].name}有已知供应关系"
        elif parts["link"] > 0:
            text += "；按链路推断可与本地企业配套"
        if i in m.leaders:
            text += "；是本链链主"
        elif parts["scale"] > 0:
            text += f"；营收居该环节前{max(1, math.ceil((1 - parts['scale']) * 100))}%"
        if m.companies[i].cluster in m.params.target_clusters:
            text += f"；来自目标区域{m.companies[i].cluster}"
        if parts["momentum"] > 0:
            text += "；近期有扩产或融资"
        if parts["lost"] > 0:
            text += "；近期线索流失，已折减"
        return text

    def pair_link(self, company_id: str, partner_id: str) -> float:
        """Link part of ``company_id`` if ``partner_id`` (weight 1) were the only local firm."""
        m = self.model
        a, b = m.index[company_id], m.index[partner_id]
        if not hasattr(self, "_firms"):
            self._firms = nx.Graph(list(self.pairs))
        key = (a, b) if a < b else (b, a)
        if self.pairs.get(key, 0.0) > 0:
            return self.pairs[key]
        ids = m.segment_ids
        aff = 0.0
        for s, _sh in m.member_of.get(a, ()):
            for t, _th in m.member_of.get(b, ()):
                if s != t:
                    G = m.G
                    aff = max(aff, G.edges[ids[s], ids[t]]["weight"] if G.has_edge(ids[s], ids[t]) else 0.0,
                              G.edges[ids[t], ids[s]]["weight"] if G.has_edge(ids[t], ids[s]) else 0.0)
        ra = 0.0
        if a in self._firms and b in self._firms:
            ra = next(nx.resource_allocation_index(self._firms, [(a, b)]))[2]
        return m.params.predicted_link_cap * (1.0 - (1.0 - aff) * math.exp(-ra))
