"""Questions about the segment graph ``G`` (small: tens of segments): links, position, dependence, span.

``G`` is a :class:`networkx.DiGraph` whose nodes are segment ids and whose edge ``u → v`` means
``u`` supplies ``v`` (attribute ``weight`` in [0, 1]). Segment links where only firm links are known
are derived by :func:`derive_segment_links` (DESIGN.md §4.5).

Examples
--------
>>> G = segment_graph([Segment(s, "t", s) for s in "abc"],
...                   [SegmentLink("a", "b"), SegmentLink("b", "c")])
>>> sorted(downstream_reach(G).items())
[('a', 1.0), ('b', 0.5), ('c', 0.0)]
>>> dep = leader_dependence(G, {"c": "链主C"}, k=2, lam=0.5)
>>> dep["a"], dep["b"], dep["c"]
((0.25, 'c', 2), (0.5, 'c', 1), (1.0, 'c', 0))
>>> sorted(local_span(G, present={"a", "c"}, dependent=set()))
['a', 'b', 'c']
"""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Mapping

import networkx as nx

from chains.records import Membership, Segment, SegmentLink, SupplyLink

__all__ = ["segment_graph", "derive_segment_links", "leader_dependence", "betweenness", "downstream_reach",
           "local_span", "FALLBACK_WEIGHT"]

#: Weight of a link inferred from the position order alone (weaker than any observed firm link).
FALLBACK_WEIGHT = 0.3


def segment_graph(segments: Iterable[Segment], links: Iterable[SegmentLink], *, weight: str = "weight") -> nx.DiGraph:
    """The segment DiGraph; links naming unknown segments and self-links are ignored."""
    G = nx.DiGraph()
    for seg in segments:
        G.add_node(seg.id, name=seg.name, order=seg.order, policy=seg.policy_weight)
    for link in links:
        if link.source in G and link.target in G and link.source != link.target:
            old = G.edges[link.source, link.target][weight] if G.has_edge(link.source, link.target) else 0.0
            G.add_edge(link.source, link.target, **{weight: max(old, link.weight), "origin": link.origin})
    return G


def derive_segment_links(segments: Iterable[Segment], memberships: Iterable[Membership],
                         supply_links: Iterable[SupplyLink], *, fallback: bool = True) -> list[SegmentLink]:
    """Segment links aggregated from firm links through membership, the position order as a fallback.

    A firm link ``u → v`` gives a link from every segment of ``u`` to every other segment of ``v``;
    the weight of a segment link is the noisy-or ``1 - Π(1 - confidence)`` of its firm links. Then
    every segment still without an incoming link (and not in the most upstream order level) gets
    links from the nearest upstream level — from the segments of its own ``group`` in that level when
    there are some, else from the whole level — and likewise for missing outgoing links, with weight
    :data:`FALLBACK_WEIGHT` and origin ``position``.

    Examples
    --------
    >>> segs = [Segment("a", "t", "A", "upstream"), Segment("b", "t", "B", "midstream"),
    ...         Segment("c", "t", "C", "downstream")]
    >>> links = derive_segment_links(segs, [Membership("x", "a"), Membership("y", "b")],
    ...                              [SupplyLink("x", "y", 0.8)])
    >>> [(l.source, l.target, round(l.weight, 2), l.origin) for l in links]
    [('a', 'b', 0.8, 'firms'), ('b', 'c', 0.3, 'position')]
    """
    segments = list(segments)
    seg_of: dict[str, list[str]] = defaultdict(list)
    for m in memberships:
        seg_of[m.company_id].append(m.segment_id)
    keep: dict[tuple[str, str], float] = {}
    for link in supply_links:
        for s in seg_of.get(link.supplier_id, ()):
            for t in seg_of.get(link.buyer_id, ()):
                if s != t:
                    keep[s, t] = 1.0 - (1.0 - keep.get((s, t), 0.0)) * (1.0 - link.confidence)
    out = [SegmentLink(s, t, w, "firms") for (s, t), w in keep.items()]
    if fallback:
        out += _position_fallback(segments, set(keep))
    return out


def _position_fallback(segments: list[Segment], have: set[tuple[str, str]]) -> list[SegmentLink]:
    levels = sorted({s.order for s in segments})
    by_level: dict[tuple, list[Segment]] = defaultdict(list)
    for s in segments:
        by_level[s.order].append(s)
    has_in = {t for _s, t in have}
    has_out = {s for s, _t in have}
    added: dict[tuple[str, str], None] = {}
    for seg in segments:
        i = levels.index(seg.order)
        if seg.id not in has_in and i > 0:
            for other in _same_group_first(by_level[levels[i - 1]], seg.group):
                added[other.id, seg.id] = None
        if seg.id not in has_out and i < len(levels) - 1:
            for other in _same_group_first(by_level[levels[i + 1]], seg.group):
                added[seg.id, other.id] = None
    return [SegmentLink(s, t, FALLBACK_WEIGHT, "position") for (s, t) in added if (s, t) not in have]


def _same_group_first(level: list[Segment], group: str) -> list[Segment]:
    same = [s for s in level if group and s.group == group]
    return same or level


def leader_dependence(G: nx.DiGraph, leader_segments: Mapping[str, str], *, k: int, lam: float
                      ) -> dict[str, tuple[float, str | None, int | None]]:
    """Dependence of the local leaders on each segment, in [0, 1], with the nearest leader segment.

    For each distinct leader segment ``t`` (``leader_segments`` maps it to a leader's name), a
    segment ``s`` with a supply path of ``d ≤ k`` hops into ``t`` (shortest, ``d = 0`` for ``t``
    itself) scores ``lam ** d``; the dependence is the mean over leader segments, so 1 means every
    leader sits in ``s``. Returns ``{segment: (dependence, nearest leader segment, hops)}``.
    """
    total: dict[str, float] = {s: 0.0 for s in G}
    nearest: dict[str, tuple[int, str]] = {}
    if not leader_segments:
        return {s: (0.0, None, None) for s in G}
    reverse = G.reverse(copy=False)
    for t in sorted(leader_segments):
        if t not in G:
            continue
        for s, d in nx.single_source_shortest_path_length(reverse, t, cutoff=k).items():
            total[s] += lam ** d
            if s not in nearest or (d, t) < nearest[s]:
                nearest[s] = (d, t)
    n = len(leader_segments)
    return {s: (total[s] / n, nearest[s][1] if s in nearest else None, nearest[s][0] if s in nearest else None)
            for s in G}


def betweenness(G: nx.DiGraph) -> dict[str, float]:
    """Betweenness centrality rescaled so the most central segment scores 1 (all 0 when none is between)."""
    raw = nx.betweenness_centrality(G, normalized=True)
    top = max(raw.values(), default=0.0)
    return {s: (v / top if top > 0 else 0.0) for s, v in raw.items()}


def downstream_reach(G: nx.DiGraph) -> dict[str, float]:
    """Share of the other segments reachable downstream of each segment."""
    n = len(G)
    return {s: (len(nx.descendants(G, s)) / (n - 1) if n > 1 else 0.0) for s in G}


def local_span(G: nx.DiGraph, present: set[str], dependent: set[str]) -> set[str]:
    """The local span: present segments, segments with present ones both upstream and downstream, and
    segments a local leader depends on (``dependent``)."""
    span = set(present) | (set(dependent) & set(G))
    for s in G:
        if s not in span and nx.ancestors(G, s) & present and nx.descendants(G, s) & present:
            span.add(s)
    return span
