"""The evaluation of the chain method on the atlas chains (DESIGN.md §4.6): planted gaps and hidden links.

**Planted gaps.** For each chain and seed, on the chain with all its firm links, three scenarios are
planted on the segment graph (every firm external unless made local; the atlas names no leaders):

- *between*: a path ``A → B → C`` where ``B`` has a firm outside ``A`` and ``C``; the firms of ``A`` and
  ``C`` are made local, ``B`` is emptied (its local firms' memberships in ``B`` dropped). ``B`` must be
  缺失 and 补链 (inside the local span).
- *leader*: a link ``B → C``; the firms of ``C`` are made local, one of them a chain leader, ``B`` is
  emptied. ``B`` must be 缺失 and 补链 (the leader depends on it), ``C`` must be 强链.
- *frontier*: a link ``X → Y`` (or ``Y → X``); the firms of ``X`` are made local and ``Y`` emptied, where
  ``Y`` has no present segment downstream (or upstream) of it. ``Y`` must be 缺失 and 延链.

A scenario that cannot be planted on a chain for a seed (no such path) is counted as not planted.
The models use the default parameters except ``min_local_count=1``; the expected labels follow from
the construction alone.

**Hidden links.** For each seed, 20 % of each chain's linked firm pairs (at least one) are hidden:
the model is built from the other links (segment links re-derived from them, the position order as
fallback). Each hidden pair is ranked against five times as many sampled pairs of the chain's firms
that have no known link, by :meth:`chains.ChainModel.pair_link` (the link part of a company if the
other firm were the only local one), beside preferential attachment
(:func:`networkx.preferential_attachment` on the kept links) and random scores. The pairs of all chains
are pooled per seed; AUC (ties count one half) and precision@10 (ties broken at random) are
averaged over the seeds with their standard deviation.

Examples
--------
>>> auc([0.9, 0.5], [0.5, 0.1])
0.875
"""
from __future__ import annotations

import random
import statistics
from dataclasses import dataclass, field, replace
from pathlib import Path

import networkx as nx

from chains.model import ChainModel
from chains.params import Params
from chains.parsers import read_path
from chains.records import EXTEND, FILL, MISSING, STRENGTHEN, ChainData, Membership
from chains.segments import derive_segment_links, segment_graph

__all__ = ["ATLAS_DIR", "load_atlas", "planted_gaps", "hidden_links", "auc", "precision_at", "GapResult",
           "LinkResult", "HIDE_SHARE", "NEGATIVES_PER_HIDDEN"]

ATLAS_DIR = Path(__file__).resolve().parent / "data" / "atlas"
HIDE_SHARE = 0.2
NEGATIVES_PER_HIDDEN = 5


def load_atlas(directory: Path = ATLAS_DIR) -> list[ChainData]:
    """The atlas chains shipped with the package, by file name."""
    return [read_path(path) for path in sorted(directory.glob("*.yaml"))]


@dataclass
class GapResult:
    """Planted gaps of one chain: per scenario, how many were planted and how many found as expected."""

    chain: str
    planted: dict[str, int] = field(default_factory=dict)
    found: dict[str, int] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)


def _firms(chain: ChainData, segment: str) -> set[str]:
    return {m.company_id for m in chain.memberships if m.segment_id == segment}


def _plant(chain: ChainData, local: set[str], empty: str, leader: str | None = None) -> ChainModel:
    companies = [replace(c, local=c.id in local) for c in chain.companies]
    members = [Membership(m.company_id, m.segment_id, m.share, m.company_id == leader)
               for m in chain.memberships if not (m.segment_id == empty and m.company_id in local)]
    return ChainModel(chain.segments, chain.links, companies, members, chain.supply_links,
                      params=Params(min_local_count=1))


def planted_gaps(chain: ChainData, seeds: int) -> GapResult:
    """Plant the three scenarios for each seed on ``chain`` and check the model's status and action."""
    G = segment_graph(chain.segments, chain.links)
    result = GapResult(chain.id, {"between": 0, "leader": 0, "frontier": 0}, {"between": 0, "leader": 0, "frontier": 0})

    def check(kind: str, model: ChainModel, expect: list[tuple[str, str | None, str]]) -> None:
        result.planted[kind] += 1
        got = [(model.segment(s).status, model.segment(s).action) for s, _st, _ac in expect]
        if all((st is None or g[0] == st) and g[1] == ac for g, (_s, st, ac) in zip(got, expect)):
            result.found[kind] += 1
        else:
            result.misses.append(f"{chain.id} {kind}: expected {expect}, got {got}")

    for seed in range(seeds):
        rng = random.Random(f"{chain.id}-{seed}")  # nosec B311 - seeded sampling, reproducible
        paths = [(a, b, c) for a, b in G.edges for c in G.successors(b) if len({a, b, c}) == 3
                 and not (_firms(chain, a) | _firms(chain, c)) >= _firms(chain, b)]
        if paths:
            a, b, c = rng.choice(sorted(paths))
            check("between", _plant(chain, _firms(chain, a) | _firms(chain, c), b), [(b, MISSING, FILL)])
        edges = [(b, c) for b, c in G.edges if _firms(chain, c) - _firms(chain, b)]
        if edges:
            b, c = rng.choice(sorted(edges))
            leader = rng.choice(sorted(_firms(chain, c) - _firms(chain, b)))
            check("leader", _plant(chain, _firms(chain, c), b, leader), [(b, MISSING, FILL), (c, None, STRENGTHEN)])
        frontier = []
        for x, y in sorted(G.edges):
            for near, far, beyond in ((x, y, nx.descendants), (y, x, nx.ancestors)):
                local = _firms(chain, near)
                present = {m.segment_id for m in chain.memberships if m.company_id in local} - {far}
                if local and not beyond(G, far) & present:
                    frontier.append((near, far))
        if frontier:
            near, far = rng.choice(frontier)
            check("frontier", _plant(chain, _firms(chain, near), far), [(far, MISSING, EXTEND)])
    return result


def auc(positives: list[float], negatives: list[float]) -> float:
    """Probability that a positive outscores a negative, ties counting one half."""
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def precision_at(k: int, positives: list[float], negatives: list[float], rng: random.Random) -> float:
    """Share of positives among the ``k`` best-scored pairs (ties broken at random)."""
    pool = [(s, rng.random(), 1) for s in positives] + [(s, rng.random(), 0) for s in negatives]
    pool.sort(key=lambda t: (-t[0], t[1]))
    top = pool[:k]
    return sum(t[2] for t in top) / len(top)


@dataclass
class LinkResult:
    """Per method, the pooled AUC and precision@10 of each seed; hidden and sampled pair counts."""

    auc: dict[str, list[float]] = field(default_factory=dict)
    p10: dict[str, list[float]] = field(default_factory=dict)
    chain_auc: dict[str, list[float]] = field(default_factory=dict)
    hidden: int = 0
    negatives: int = 0

    def mean(self, what: str, method: str) -> tuple[float, float]:
        values = getattr(self, what)[method]
        return statistics.fmean(values), (statistics.stdev(values) if len(values) > 1 else 0.0)


METHODS = ("link part", "preferential attachment", "random")


def _pairs(chain: ChainData) -> list[tuple[str, str]]:
    return sorted({tuple(sorted((lk.supplier_id, lk.buyer_id))) for lk in chain.supply_links
                   if lk.supplier_id != lk.buyer_id})


def hidden_links(chains: list[ChainData], seeds: int) -> LinkResult:
    """Hide 20 % of the firm links per chain and seed; rank them against sampled non-links."""
    result = LinkResult({m: [] for m in METHODS}, {m: [] for m in METHODS}, {c.id: [] for c in chains})
    for seed in range(seeds):
        rng = random.Random(seed)  # nosec B311 - seeded sampling, reproducible
        scores = {m: ([], []) for m in METHODS}
        for chain in chains:
            pairs = _pairs(chain)
            if len(pairs) < 2:
                continue
            hidden = set(rng.sample(pairs, max(1, round(HIDE_SHARE * len(pairs)))))
            kept = [lk for lk in chain.supply_links if tuple(sorted((lk.supplier_id, lk.buyer_id))) not in hidden]
            model = ChainModel(chain.segments, derive_segment_links(chain.segments, chain.memberships, kept),
                               chain.companies, chain.memberships, kept)
            firms = sorted({m.company_id for m in chain.memberships})
            linked = set(pairs)
            others = [(u, v) for i, u in enumerate(firms) for v in firms[i + 1:] if (u, v) not in linked]
            negatives = rng.sample(others, min(len(others), NEGATIVES_PER_HIDDEN * len(hidden)))
            graph = nx.Graph()
            graph.add_nodes_from(firms)
            graph.add_edges_from(p for p in pairs if p not in hidden)
            chain_scores = ([], [])
            for label, group in ((0, sorted(hidden)), (1, negatives)):
                for u, v in group:
                    ours = model.pair_link(u, v)
                    pa = next(nx.preferential_attachment(graph, [(u, v)]))[2]
                    for method, value in zip(METHODS, (ours, pa, rng.random())):
                        scores[method][label].append(value)
                    chain_scores[label].append(ours)
            result.chain_auc[chain.id].append(auc(*chain_scores))
            result.hidden += len(hidden)
            result.negatives += len(negatives)
        for method in METHODS:
            pos, neg = scores[method]
            result.auc[method].append(auc(pos, neg))
            result.p10[method].append(precision_at(10, pos, neg, random.Random(seed)))  # nosec B311
    return result
