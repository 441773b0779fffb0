"""The segment rules of DESIGN.md §4 on toy chains: coverage, LQ, status, importance, actions."""
from __future__ import annotations

import pytest

from chains import (COMPLETE, EXTEND, FILL, MISSING, STRENGTHEN, WEAK, ChainError, ChainModel, Company, Membership,
                    Params, Segment, SegmentLink)

LOOSE = Params(min_local_count=1, min_lq=0.0, strong_lq=0.0)


def chain(local: dict[str, int], external: dict[str, int] | None = None, leaders: dict[str, int] | None = None,
          segs: str = "ABC", params: Params = LOOSE) -> ChainModel:
    """A path chain over ``segs`` with the given numbers of local / external / local-leader firms per segment."""
    segments = [Segment(s, "toy", f"环节{s}") for s in segs]
    links = [SegmentLink(a, b) for a, b in zip(segs, segs[1:])]
    companies, members = [], []
    for kind, counts in (("local", local), ("ext", external or {}), ("lead", leaders or {})):
        for seg, n in counts.items():
            for i in range(n):
                cid = f"{kind}-{seg}-{i}"
                companies.append(Company(cid, f"{kind}{seg}{i}", local=kind != "ext", revenue=10.0 + i))
                members.append(Membership(cid, seg, leader=kind == "lead"))
    return ChainModel(segments, links, companies, members, params=params)


def test_a_and_c_local_with_b_empty_makes_b_a_fill_gap():
    m = chain({"A": 1, "C": 1}, {"B": 2})
    b = m.segment("B")
    assert (b.status, b.action) == (MISSING, FILL)
    assert "上下游本地均有企业" in b.why and b.why.startswith("补链：环节B环节本地缺失")


def test_with_a_absent_b_is_an_extension():
    m = chain({"C": 1}, {"A": 1, "B": 1})
    assert (m.segment("B").status, m.segment("B").action) == (MISSING, EXTEND)
    assert "与本地已有的环节C环节相邻" in m.segment("B").why
    # A is absent and not adjacent to anything present: no action at all.
    assert (m.segment("A").status, m.segment("A").action) == (MISSING, None)


def test_a_strong_leader_segment_is_strengthened():
    m = chain({"B": 2}, {"A": 1, "C": 1}, leaders={"B": 1}, params=Params(min_local_count=2, min_lq=0.5))
    b = m.segment("B")
    assert (b.status, b.action) == (COMPLETE, STRENGTHEN)
    assert b.leader == "leadB0" and b.leader_hops == 0 and "本地链主leadB0在此环节" in b.why


def test_a_strong_segment_without_leader_is_strengthened_only_above_strong_lq():
    # B holds all local firms but only a third of all firms: LQ = (3/3) / (3/9) = 3.
    m = chain({"B": 3}, {"A": 3, "C": 3}, params=Params(min_local_count=1, min_lq=0.5, strong_lq=2.0))
    assert m.segment("B").lq == pytest.approx(3.0)
    assert (m.segment("B").status, m.segment("B").action) == (COMPLETE, STRENGTHEN)
    m = chain({"B": 3}, {"A": 3, "C": 3}, params=Params(min_local_count=1, min_lq=0.5, strong_lq=3.5))
    assert (m.segment("B").status, m.segment("B").action) == (COMPLETE, None)


def test_a_complete_segment_has_no_gap_priority():
    m = chain({"A": 2, "B": 2, "C": 2}, params=Params(min_local_count=2, min_lq=0.5))
    for report in m.segments():
        assert report.status == COMPLETE
        assert report.severity == 0 and report.gap_priority == 0
        assert report.importance >= 0


def test_weak_segment_status_and_severity():
    params = Params(min_local_count=3, min_lq=0.5)
    m = chain({"A": 3, "B": 1, "C": 3}, {"B": 1}, params=params)
    b = m.segment("B")
    assert b.status == WEAK and b.action == FILL
    assert b.severity == pytest.approx(1 - 1 / 3)
    assert b.gap_priority == pytest.approx(b.importance * b.severity)
    assert "（1家，区位熵" in b.why


def test_location_quotient_and_revenue_coverage():
    # 2 of 4 local firms in A; A holds 2 of 8 firms overall: LQ = (2/4) / (2/8) = 2.
    m = chain({"A": 2, "C": 2}, {"B": 4})
    a = m.segment("A")
    assert a.lq == pytest.approx(2.0) and m.segment("B").lq == 0
    assert (a.local_count, a.total_count) == (2, 2)
    assert a.local_revenue == pytest.approx(10.0 + 11.0)


def test_leader_dependence_decays_by_lambda_within_k_hops():
    segs = "ABCD"
    m = chain({}, {"A": 1, "B": 1, "C": 1}, leaders={"D": 1}, segs=segs, params=Params(k=2, lam=0.5))
    deps = {r.id: r.importance_parts["dependence"] for r in m.segments()}
    assert deps == {"A": 0.0, "B": 0.25, "C": 0.5, "D": 1.0}
    # B and C are gaps the leader depends on: 补链; A is beyond k hops and touches nothing present.
    assert [m.segment(s).action for s in segs] == [None, FILL, FILL, STRENGTHEN]
    assert "环节D环节在2跳内依赖该环节" in m.segment("B").why
    m3 = chain({}, {"A": 1, "B": 1, "C": 1}, leaders={"D": 1}, segs=segs, params=Params(k=3, lam=0.5))
    assert m3.segment("A").importance_parts["dependence"] == 0.125 and m3.segment("A").action == FILL


def test_importance_is_the_weighted_sum_of_its_parts_and_policy_weight_counts():
    segments = [Segment("A", "t", "甲", policy_weight=1.0), Segment("B", "t", "乙")]
    m = ChainModel(segments, [SegmentLink("A", "B")], [Company("x", "x", local=True)], [Membership("x", "A")])
    weights = m.params.importance_weights
    for r in m.segments():
        assert r.importance == pytest.approx(sum(weights[k] * v for k, v in r.importance_parts.items()))
        assert all(0 <= v <= 1 for v in r.importance_parts.values())
    assert m.segment("A").importance_parts["policy"] == 1.0
    assert m.segment("A").importance_parts["reach"] == 1.0 and m.segment("B").importance_parts["reach"] == 0.0


def test_local_companies_and_unknown_records_are_ignored():
    segments = [Segment("A", "t", "甲")]
    companies = [Company("x", "小", local=True, revenue=1), Company("y", "大", local=True, revenue=9)]
    members = [Membership("x", "A"), Membership("y", "A"), Membership("ghost", "A"), Membership("x", "other")]
    m = ChainModel(segments, [], companies, members)
    assert [c.name for c in m.local_companies("A")] == ["大", "小"]
    assert m.segment("A").total_count == 2


def test_a_chain_needs_segments():
    with pytest.raises(ChainError):
        ChainModel([], [], [], [])
