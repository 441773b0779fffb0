"""Gap analysis of one chain on a large company layer: ChainModel beside a plain-dict implementation.

    python -m tests.benchmarks.chains_bench [--output docs/BENCHMARKS-chains.md] [--companies N] [--links N]

One generated chain (30 segments in 5 levels), 100,000 companies and 300,000 supply links by default.
The measured work, on both sides, starts from the same records: segment status (coverage, location
quotient), importance, actions, the full target ranking and the top 100 targets with their parts.
Ours is :class:`chains.ChainModel` (plus the why-sentences of the top 100); the floor is the
straightforward computation of the same numbers with plain dicts and lists, written below (it uses
NetworkX only for the betweenness of the 30-node segment graph, as ours does). Ours and the floor
alternate, best of ``--repeats``; peak memory is the ``tracemalloc`` peak of one separate run of each
side. The two sides must give the same statuses, actions, importances and ranking (checked).
"""
from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import platform
import random
import subprocess  # nosec B404 - runs git only
import sys
import time
import tracemalloc
from bisect import bisect_left, bisect_right
from pathlib import Path

import networkx as nx

from chains import (COMPLETE, EXTEND, FILL, MISSING, STRENGTHEN, WEAK, ChainModel, Company, LeadRecord, Membership,
                    Params, Segment, SegmentLink, Signal, SupplyLink)

ROOT = Path(__file__).resolve().parents[2]
TIME_TARGET, MEMORY_GOAL = 5.0, 2.0
AS_OF = dt.date(2026, 11, 28)
CLUSTERS = ("京津冀", "长三角", "关中平原城市群", "珠三角", "成渝", None)


def make_data(companies: int = 100_000, links: int = 300_000, seed: int = 1) -> dict:
    """A chain of 30 segments in 5 levels and a company layer; 3 % of companies local, 0.5 % leaders."""
    rng = random.Random(seed)
    segs = [Segment(f"s{lv}{j}", "bench", f"环节{lv}{j}", position=("upstream", "midstream", "downstream")[lv // 2],
                    tier=lv, policy_weight=rng.random()) for lv in range(5) for j in range(6)]
    seg_links = [SegmentLink(f"s{lv}{j}", f"s{lv + 1}{t}", rng.random()) for lv in range(4) for j in range(6)
                 for t in rng.sample(range(6), 2)]
    firms, members = [], []
    for i in range(companies):
        firms.append(Company(f"c{i}", f"企业{i}", local=rng.random() < 0.03, revenue=rng.choice(
            (None, rng.lognormvariate(8, 2))), cluster=rng.choice(CLUSTERS), signed=rng.random() < 0.01))
        for s in rng.sample(segs, rng.choice((1, 1, 1, 2))):
            members.append(Membership(f"c{i}", s.id, share=rng.uniform(0.2, 1.0), leader=rng.random() < 0.005))
    supply = [SupplyLink(f"c{rng.randrange(companies)}", f"c{rng.randrange(companies)}", rng.random())
              for _ in range(links)]
    leads = [LeadRecord(f"c{rng.randrange(companies)}", rng.choice(("lost", "signed", "active")),
                        AS_OF - dt.timedelta(days=rng.randrange(700))) for _ in range(companies // 20)]
    signals = [Signal(f"c{rng.randrange(companies)}", "expansion", AS_OF - dt.timedelta(days=rng.randrange(700)))
               for _ in range(companies // 20)]
    return dict(segments=segs, links=seg_links, companies=firms, memberships=members, supply=supply, leads=leads,
                signals=signals)


def ours(d: dict, params: Params, top: int = 100) -> dict:
    m = ChainModel(d["segments"], d["links"], d["companies"], d["memberships"], d["supply"], leads=d["leads"],
                   signals=d["signals"], params=params, as_of=AS_OF)
    reports = m.segments()
    targets = m.targets(limit=top)
    return {"status": {r.id: r.status for r in reports}, "action": {r.id: r.action for r in reports},
            "importance": {r.id: r.importance for r in reports}, "ranking": m.ranking(),
            "top": [(t.company_id, t.parts, t.why) for t in targets]}


def floor(d: dict, p: Params, top: int = 100) -> dict:
    """The same numbers, straightforwardly, with dicts keyed by id."""
    segs = {s.id: s for s in sorted(d["segments"], key=lambda s: (s.order, s.id))}
    out_adj = {s: {} for s in segs}
    for lk in d["links"]:
        if lk.source in segs and lk.target in segs and lk.source != lk.target:
            out_adj[lk.source][lk.target] = max(out_adj[lk.source].get(lk.target, 0.0), lk.weight)
    in_adj = {s: [] for s in segs}
    for s, ts in out_adj.items():
        for t in ts:
            in_adj[t].append(s)
    comp = {c.id: c for c in d["companies"]}
    member_of, leaders = {}, set()
    local_n = {s: 0 for s in segs}
    total_n = {s: 0 for s in segs}
    revs = {s: [] for s in segs}
    for m in d["memberships"]:
        if m.company_id in comp and m.segment_id in segs:
            c = comp[m.company_id]
            member_of.setdefault(c.id, []).append((m.segment_id, m.share))
            total_n[m.segment_id] += 1
            if c.revenue is not None:
                revs[m.segment_id].append(c.revenue)
            if m.leader:
                leaders.add(c.id)
            if c.local:
                local_n[m.segment_id] += 1
    for r in revs.values():
        r.sort()
    local = {c for c in member_of if comp[c].local}
    n_local, n_all = len(local), len(member_of)
    lq = {s: (local_n[s] / n_local) / (total_n[s] / n_all) if n_local and total_n[s] else 0.0 for s in segs}
    status, severity = {}, {}
    for s in segs:
        if local_n[s] == 0:
            status[s], severity[s] = MISSING, 1.0
        elif local_n[s] < p.min_local_count or lq[s] < p.min_lq:
            status[s] = WEAK
            severity[s] = 1.0 - min(local_n[s] / p.min_local_count, lq[s] / p.min_lq if p.min_lq else 1.0)
        else:
            status[s], severity[s] = COMPLETE, 0.0
    leader_at = {}
    for c in sorted(leaders & local, key=lambda c: (-(comp[c].revenue or 0), c)):
        for s, _sh in member_of[c]:
            leader_at.setdefault(s, comp[c].name)
    dep = {s: 0.0 for s in segs}
    for t in sorted(leader_at):
        seen, frontier = {t: 0}, [t]
        for hop in range(1, p.k + 1):
            nxt = []
            for v in frontier:
                for u in in_adj[v]:
                    if u not in seen:
                        seen[u] = hop
                        nxt.append(u)
            frontier = nxt
        for s, hops in seen.items():
            dep[s] += p.lam ** hops
    dep = {s: v / len(leader_at) if leader_at else 0.0 for s, v in dep.items()}

    def reach(start, adj):
        seen, stack = set(), [start]
        while stack:
            for t in adj[stack.pop()]:
                if t not in seen:
                    seen.add(t)
                    stack.append(t)
        return seen - {start}
    down = {s: reach(s, out_adj) for s in segs}
    up = {s: reach(s, in_adj) for s in segs}
    G = nx.DiGraph([(s, t) for s, ts in out_adj.items() for t in ts])
    G.add_nodes_from(segs)
    btw = nx.betweenness_centrality(G)
    top_b = max(btw.values())
    w = p.importance_weights
    importance = {s: w["dependence"] * dep[s] + w["betweenness"] * (btw[s] / top_b if top_b else 0.0)
                  + w["reach"] * len(down[s]) / (len(segs) - 1) + w["policy"] * segs[s].policy_weight for s in segs}
    present = {s for s in segs if local_n[s]}
    action = {}
    for s in segs:
        span = s in present or dep[s] > 0 or (up[s] & present and down[s] & present)
        if s in leader_at:
            action[s] = STRENGTHEN
        elif status[s] != COMPLETE and span:
            action[s] = FILL
        elif status[s] == MISSING and (set(out_adj[s]) | set(in_adj[s])) & present:
            action[s] = EXTEND
        elif status[s] == COMPLETE and lq[s] >= p.strong_lq:
            action[s] = STRENGTHEN
        else:
            action[s] = None
    factor = {FILL: p.fill_weight, EXTEND: p.extend_weight, STRENGTHEN: p.strengthen_weight, None: 0.0}
    raw = {s: (0.5 + 0.5 * importance[s]) * factor[action[s]] * (severity[s] if action[s] == FILL else 1.0)
           for s in segs}
    top_r = max(raw.values())
    prio = {s: v / top_r if top_r else 0.0 for s, v in raw.items()}
    window, signed, lost, momentum = p.recency_days, set(), {}, {}
    for lead in d["leads"]:
        age = (AS_OF - lead.on).days
        if lead.outcome == "signed":
            signed.add(lead.company_id)
        elif lead.outcome == "lost" and 0 <= age <= window:
            lost[lead.company_id] = max(lost.get(lead.company_id, 0.0), 1 - age / window)
    for sig in d["signals"]:
        age = (AS_OF - sig.on).days
        if 0 <= age <= window:
            momentum[sig.company_id] = max(momentum.get(sig.company_id, 0.0), 1 - age / window)

    def lw(c):
        return p.leader_link_weight if c in leaders and c in local else p.other_link_weight
    known, pairs = {}, {}
    for lk in d["supply"]:
        a, b = lk.supplier_id, lk.buyer_id
        if a in comp and b in comp and a != b:
            pairs[min(a, b), max(a, b)] = 1
            for c, f in ((a, b), (b, a)):
                if f in local and c not in local and c in member_of:
                    known[c] = 1 - (1 - known.get(c, 0.0)) * (1 - lk.confidence * lw(f))
    degree, lweight, ra = {}, {}, {}
    for a, b in pairs:
        degree[a] = degree.get(a, 0) + 1
        degree[b] = degree.get(b, 0) + 1
        for z, f in ((a, b), (b, a)):
            if f in local:
                lweight[z] = lweight.get(z, 0.0) + lw(f)
    for a, b in pairs:
        for c, z in ((a, b), (b, a)):
            if lweight.get(z):
                ra[c] = ra.get(c, 0.0) + lweight[z] / degree[z]
    aff = {}
    for s in segs:
        aff[s] = max([max(out_adj[s].get(t, 0.0), out_adj[t].get(s, 0.0))
                      * (p.leader_link_weight if t in leader_at else p.other_link_weight)
                      for t in present if t != s] or [0.0])
    tw, clusters = p.target_weights, set(p.target_clusters)
    scored = []
    for cid, segs_of in member_of.items():
        c = comp[cid]
        if c.local or c.signed or cid in signed:
            continue
        fit = min(1.0, sum(share * prio[s] for s, share in segs_of))
        pct = max([(bisect_left(revs[s], c.revenue) + bisect_right(revs[s], c.revenue)) / (2 * len(revs[s]))
                   for s, _sh in segs_of if c.revenue is not None and revs[s]] or [0.0])
        a = max(aff[s] for s, _sh in segs_of)
        link = p.predicted_link_cap + (1 - p.predicted_link_cap) * known[cid] if known.get(cid, 0) > 0 else \
            p.predicted_link_cap * (1 - (1 - a) * math.exp(-ra.get(cid, 0.0)))
        parts = {"fit": fit, "link": link, "scale": 1.0 if cid in leaders else pct,
                 "source": 1.0 if c.cluster in clusters else p.other_source, "momentum": momentum.get(cid, 0.0)}
        base = sum(tw[k] * v for k, v in parts.items())
        parts["lost"] = lost.get(cid, 0.0) * base
        scored.append((base - p.lost_discount * parts["lost"], cid, parts))
    scored.sort(key=lambda t: (-t[0], t[1]))
    return {"status": status, "action": action, "importance": importance,
            "ranking": [(cid, score) for score, cid, _parts in scored],
            "top": [(cid, parts, "") for _score, cid, parts in scored[:top]]}


def same_answers(a: dict, b: dict) -> list[str]:
    """Differences between the two sides' answers (empty when they agree)."""
    problems = [k for k in ("status", "action") if a[k] != b[k]]
    if any(not math.isclose(a["importance"][s], b["importance"][s], abs_tol=1e-9) for s in a["importance"]):
        problems.append("importance")
    if [c for c, _ in a["ranking"]] != [c for c, _ in b["ranking"]] or any(
            not math.isclose(x, y, abs_tol=1e-9) for (_c, x), (_d, y) in zip(a["ranking"], b["ranking"])):
        problems.append("ranking")
    for (c1, p1, _w), (c2, p2, _v) in zip(a["top"], b["top"]):
        if c1 != c2 or any(not math.isclose(p1[k], p2[k], abs_tol=1e-9) for k in p1):
            problems.append("top parts")
            break
    return problems


def measure(d: dict, params: Params, repeats: int = 3) -> dict:
    best = {"ours": math.inf, "floor": math.inf}
    answers = {}
    for _ in range(repeats):
        for name, fn in (("ours", ours), ("floor", floor)):
            start = time.perf_counter()
            answers[name] = fn(d, params)
            best[name] = min(best[name], time.perf_counter() - start)
    peaks = {}
    for name, fn in (("ours", ours), ("floor", floor)):
        tracemalloc.start()
        fn(d, params)
        peaks[name] = tracemalloc.get_traced_memory()[1] / 2 ** 20
        tracemalloc.stop()
    return {"time": best, "peak_mib": peaks, "problems": same_answers(answers["ours"], answers["floor"]),
            "candidates": len(answers["ours"]["ranking"]),
            "actions": sorted({a for a in answers["ours"]["action"].values() if a})}


def _machine() -> str:
    cpu = "unknown"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,  # nosec
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        head = "unknown"
    return (f"{cpu}, {os.cpu_count()} logical CPUs (shared with other jobs); Python {platform.python_version()}, "
            f"NetworkX {nx.__version__}, {platform.system()} {platform.release()}; "
            f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC; commit {head}")


def report(result: dict, companies: int, links: int, memberships: int, repeats: int) -> str:
    t, mem = result["time"], result["peak_mib"]
    ratio, mratio = t["ours"] / t["floor"], mem["ours"] / mem["floor"]
    lines = [
        "# Benchmarks: the chain engine", "",
        "Generated by `python -m tests.benchmarks.chains_bench --output docs/BENCHMARKS-chains.md`; do not edit.",
        "", (__doc__ or "").split("\n\n", 2)[2].strip(), "",
        f"Data: 30 segments, {companies:,} companies ({memberships:,} company-segment links), {links:,} supply links,",
        f"{companies // 20:,} lead records and {companies // 20:,} momentum signals; "
        f"{result['candidates']:,} ranked candidates.", "",
        f"Machine: {_machine()}.", "",
        "| measure | ChainModel | plain dicts | ratio | target | met |", "|---|---|---|---|---|---|",
        f"| gap analysis, best of {repeats} (s) | {t['ours']:.2f} | {t['floor']:.2f} | {ratio:.2f} | "
        f"≤ {TIME_TARGET:g}× | {'yes' if ratio <= TIME_TARGET else 'NO'} |",
        f"| peak memory (MiB) | {mem['ours']:.1f} | {mem['floor']:.1f} | {mratio:.2f} | ≤ {MEMORY_GOAL:g}× (goal) | "
        f"{'yes' if mratio <= MEMORY_GOAL else 'NO'} |", "",
        "Same answers (statuses, actions, importances, ranking, top-100 parts): "
        + ("yes" if not result["problems"] else "NO — differ in " + ", ".join(result["problems"])) + ".",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.chains_bench")
    parser.add_argument("--output", type=Path)
    parser.add_argument("--companies", type=int, default=100_000)
    parser.add_argument("--links", type=int, default=300_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    data = make_data(args.companies, args.links)
    result = measure(data, Params(), args.repeats)
    text = report(result, args.companies, args.links, len(data["memberships"]), args.repeats)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
