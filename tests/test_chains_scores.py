"""Target scores: parts in [0, 1], score = weighted sum of parts, exclusions, discounts, explanations."""
from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import math
import random

import networkx as nx
import pytest

from chains import (FILL, ChainModel, Company, LeadRecord, Membership, Params, ParamsError, Segment, SegmentLink,
                    Signal, SupplyLink)

TODAY = dt.date(2026, 11, 28)
CLUSTERS = ["京津冀", "长三角", "关中平原城市群", "珠三角", None]


def random_chain(seed: int, n: int = 120, params: Params | None = None, **extra) -> ChainModel:
    rng = random.Random(seed)
    segs = [Segment(f"s{i}", "t", f"环节{i}", tier=i, policy_weight=rng.random()) for i in range(6)]
    links = [SegmentLink(f"s{i}", f"s{i + 1}", rng.random()) for i in range(5)] + [SegmentLink("s0", "s3", 0.5)]
    companies, members = [], []
    for i in range(n):
        companies.append(Company(f"c{i}", f"企业{i}", local=rng.random() < 0.2,
                                 revenue=rng.choice([None, rng.uniform(1, 1e5)]), cluster=rng.choice(CLUSTERS),
                                 signed=rng.random() < 0.05))
        for s in rng.sample(range(6), rng.choice([1, 1, 2])):
            members.append(Membership(f"c{i}", f"s{s}", share=rng.uniform(0.3, 1), leader=rng.random() < 0.05))
    supply = [SupplyLink(f"c{rng.randrange(n)}", f"c{rng.randrange(n)}", rng.random()) for _ in range(3 * n)]
    leads = [LeadRecord(f"c{rng.randrange(n)}", rng.choice(["lost", "signed", "active"]),
                        TODAY - dt.timedelta(days=rng.randrange(600))) for _ in range(n // 5)]
    signals = [Signal(f"c{rng.randrange(n)}", "expansion", TODAY - dt.timedelta(days=rng.randrange(600)))
               for _ in range(n // 5)]
    return ChainModel(segs, links, companies, members, supply, leads=leads, signals=signals,
                      params=params or Params(), as_of=TODAY, **extra)


@pytest.mark.parametrize("seed", range(5))
def test_score_is_the_weighted_sum_of_parts_each_in_unit_range(seed):
    targets = random_chain(seed).targets()
    assert targets
    for t in targets:
        assert set(t.parts) == set(t.weights) == {"fit", "link", "scale", "source", "momentum", "lost"}
        assert all(0.0 <= v <= 1.0 for v in t.parts.values()), t.parts
        assert t.score == pytest.approx(sum(t.weights[k] * t.parts[k] for k in t.parts), abs=1e-12)
        assert 0.0 <= t.score <= 1.0
    scores = [t.score for t in targets]
    assert scores == sorted(scores, reverse=True)


def test_weights_permuted_together_with_their_parts_leave_scores_unchanged():
    model = random_chain(7)
    for t in model.targets(limit=20):
        keys = list(t.parts)
        for perm in itertools.islice(itertools.permutations(range(len(keys))), 0, 720, 37):
            weights = [t.weights[keys[i]] for i in perm]
            parts = [t.parts[keys[i]] for i in perm]
            assert math.fsum(w * p for w, p in zip(weights, parts)) == pytest.approx(t.score, abs=1e-12)
    # Permuting the weights among the parts changes only the weights: the parts stay, the score follows.
    p = Params()
    swapped = dataclasses.replace(p, w_fit=p.w_source, w_source=p.w_fit, w_link=p.w_momentum, w_momentum=p.w_link)
    before = {t.company_id: t for t in model.targets()}
    after = random_chain(7, params=swapped).targets()
    for t in after:
        base = before[t.company_id].parts
        for k in ("fit", "link", "scale", "source", "momentum"):
            assert t.parts[k] == pytest.approx(base[k])
        assert t.score == pytest.approx(sum(t.weights[k] * t.parts[k] for k in t.parts))


def toy(*, leads=(), signals=(), supply=(), params=None, z_signed=False):
    segs = [Segment("a", "t", "原料"), Segment("b", "t", "焊接材料"), Segment("c", "t", "装备")]
    links = [SegmentLink("a", "b"), SegmentLink("b", "c")]
    companies = [Company("lead", "太钢", local=True, revenue=100), Company("loc", "本地厂", local=True, revenue=5),
                 Company("z", "外地甲", revenue=50, cluster="长三角", signed=z_signed),
                 Company("w", "外地乙", revenue=10, cluster="珠三角"), Company("hub", "中间商", revenue=1)]
    members = [Membership("lead", "c", leader=True), Membership("loc", "a"), Membership("z", "b"),
               Membership("w", "b"), Membership("hub", "a")]
    return ChainModel(segs, links, companies, members, supply, leads=leads, signals=signals,
                      params=params or Params(), as_of=TODAY)


def test_signed_companies_are_never_targets():
    assert {t.company_id for t in toy().targets()} == {"z", "w", "hub"}
    assert "z" not in {t.company_id for t in toy(z_signed=True).targets()}
    signed = toy(leads=[LeadRecord("z", "signed", TODAY - dt.timedelta(days=900))])
    assert "z" not in {cid for cid, _s in signed.ranking()}
    active = toy(leads=[LeadRecord("z", "active", TODAY)])
    assert next(t for t in active.targets() if t.company_id == "z").in_pipeline


def test_recently_lost_companies_are_discounted_and_the_discount_fades():
    plain = {t.company_id: t.score for t in toy().targets()}
    today = {t.company_id: t for t in toy(leads=[LeadRecord("z", "lost", TODAY)]).targets()}
    assert today["z"].score == pytest.approx(plain["z"] * (1 - Params().lost_discount))
    assert "近期线索流失，已折减" in today["z"].why
    ago = TODAY - dt.timedelta(days=182)
    half = {t.company_id: t.score for t in toy(leads=[LeadRecord("z", "lost", ago)]).targets()}
    assert plain["z"] * 0.5 < half["z"] < plain["z"]
    ago = TODAY - dt.timedelta(days=400)
    old = {t.company_id: t.score for t in toy(leads=[LeadRecord("z", "lost", ago)]).targets()}
    assert old["z"] == pytest.approx(plain["z"])


def test_momentum_counts_recent_signals_only():
    fresh = toy(signals=[Signal("w", "financing", TODAY - dt.timedelta(days=73))]).targets()
    assert next(t for t in fresh if t.company_id == "w").parts["momentum"] == pytest.approx(1 - 73 / 365)
    stale = toy(signals=[Signal("w", "financing", TODAY - dt.timedelta(days=366))]).targets()
    assert next(t for t in stale if t.company_id == "w").parts["momentum"] == 0


def test_known_links_count_leaders_more_and_name_the_partner():
    to_leader = toy(supply=[SupplyLink("z", "lead", 0.8)]).targets()
    to_other = toy(supply=[SupplyLink("loc", "z", 0.8)]).targets()
    z1 = next(t for t in to_leader if t.company_id == "z")
    z2 = next(t for t in to_other if t.company_id == "z")
    cap = Params().predicted_link_cap  # known links sit above every prediction: cap + (1 - cap) × noisy-or
    assert z1.parts["link"] == pytest.approx(cap + (1 - cap) * 0.8)
    assert z2.parts["link"] == pytest.approx(cap + (1 - cap) * 0.8 * 0.5)
    assert z2.parts["link"] > cap  # a known link to an ordinary local firm still beats any predicted one
    assert "与本地企业太钢有已知供应关系" in z1.why and "与本地企业本地厂有已知供应关系" in z2.why


def test_predicted_link_uses_segment_affinity_and_resource_allocation():
    supply = [SupplyLink("w", "hub", 1.0), SupplyLink("hub", "loc", 1.0), SupplyLink("hub", "z", 1.0)]
    params = Params(leader_link_weight=0.4, other_link_weight=0.3)
    model = toy(supply=supply, params=params)
    w = next(t for t in model.targets() if t.company_id == "w")
    firms = nx.Graph([(a.supplier_id, a.buyer_id) for a in supply])
    ra_pair = next(nx.resource_allocation_index(firms, [("w", "loc")]))[2]
    assert ra_pair == pytest.approx(1 / 3)
    # w (in b) touches a (本地厂, weight 0.3) and c (the leader's segment, weight 0.4): affinity 0.4.
    expected = params.predicted_link_cap * (1 - (1 - 0.4) * math.exp(-ra_pair * 0.3))
    assert w.parts["link"] == pytest.approx(expected)
    without = next(t for t in toy(params=params).targets() if t.company_id == "w")
    assert without.parts["link"] == pytest.approx(params.predicted_link_cap * 0.4)
    assert without.parts["link"] < w.parts["link"]
    assert "按链路推断可与本地企业配套" in w.why
    # The pair index of the evaluation: the partner alone, weight 1, affinity of the b-a link (1).
    assert model.pair_link("w", "loc") == pytest.approx(params.predicted_link_cap)
    assert model.pair_link("w", "hub") == pytest.approx(1.0)  # a known link: its confidence


def test_why_sentence_names_action_segment_leader_and_source():
    z = next(t for t in toy().targets() if t.company_id == "z")
    assert z.action == FILL and z.segment == "b"
    assert z.why.startswith("补链：焊接材料环节本地缺失，本地链主太钢在1跳内依赖该环节")
    assert "来自目标区域长三角" in z.why and "营收居该环节前" in z.why


def test_filters_and_limit():
    model = random_chain(3, n=200)
    everything = model.targets()
    assert len(model.targets(limit=5)) == 5 and model.targets(limit=5) == everything[:5]
    seg = everything[0].segment
    assert all(t.segment == seg for t in model.targets(segment=seg))
    assert {t.company_id for t in model.targets(cluster="长三角")} == \
        {t.company_id for t in everything if t.cluster == "长三角"}
    assert all(t.action == FILL for t in model.targets(action=FILL))
    assert [cid for cid, _ in model.ranking()] == [t.company_id for t in everything]


def test_params_validation_names_every_bad_field():
    with pytest.raises(ParamsError) as err:
        Params(k=0, lam=0, w_fit=0.9, min_lq=-1, lost_discount=2)
    assert set(err.value.errors) == {"k", "lam", "w_fit", "min_lq", "lost_discount"}
    with pytest.raises(ParamsError, match="target weights must sum to 1"):
        Params(w_fit=0.5)
    with pytest.raises(ParamsError, match="strong_lq"):
        Params(min_lq=2.0, strong_lq=1.0)
    with pytest.raises(ParamsError, match="unknown parameter"):
        Params.from_mapping({"kk": 3})
    assert Params.from_mapping(Params(k=5).as_dict()) == Params(k=5)
