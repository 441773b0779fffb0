"""The dashboard service against the hand-computed fixture of tests/dashboard_world.py (both databases): each
card and chart, the 晾晒 ranking on rates (not amounts), scoped lead charts, and a closed period that does
not drift when the figures change afterwards.

The live figures of 2022 stand as of 31 December 2022 (today kept inside the year).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from crm.dashboard import services
from crm.kpis import snapshots
from crm.models import Project, ProjectStageChange
from crm.models.monthly import ProjectMonth
from crm.security.scope import scope_for
from tests import dashboard_world

TODAY = dt.date(2026, 12, 6)
D = dt.date


@pytest.fixture
def world(db, make_unit, make_user):
    return dashboard_world.build(db, make_unit, make_user)


def _board(db, world, who="admin", officers=True, **filters):
    user = world["users"][who]
    return services.dashboard(db.session, services.Filters(2022, **filters), scope_for(db.session, user), TODAY,
                              officers=officers)


def test_plan_cards_by_list_and_started_or_resumed(db, world):
    d = _board(db, world)
    assert d["as_of"] == D(2022, 12, 31) and not d["closed"]
    plan = d["plan"]
    # Memberships: 5 new, 4 continuing, 1 preparing.
    assert {k: int(v["count"]) for k, v in plan.by_list.items()} == {"new": 5, "continuing": 4, "preparing": 1}
    total = plan.total
    # Total investment 5000 + 3000 + 2000 + 800; planned 1200 + 600 + 1000 + 400 + 800 + 100.
    assert (total["count"], total["total"], total["planned"]) == (10, Decimal("10800.00"), Decimal("4100.00"))
    # Started (new, 调度口径): N1, N2 (pending counts), N3; N4's start was returned, N5 none → 3.
    # Resumed (continuing): C1 120, C2 60, C4 80; C3's zero is no resumption → 3. Together 6.
    # Their total investment N1 5000 + C1 3000 + C4 2000 = 10000; planned 1200 + 600 + 1000 + 400 + 800 = 4000.
    active = (total["active"], total["active_total"], total["active_planned"])
    assert active == (6, Decimal("10000.00"), Decimal("4000.00"))
    # 入统: N1 only. 到位资金: N1 100 + 50, C2 30 = 180. Completed 50 + 150 + 120 + 60 + 0 + 80 = 460.
    assert (total["entered"], total["funds"], total["completed"]) == (1, Decimal("180.00"), Decimal("460.00"))
    # 签约: 正式合同 signed in 2022 — S1, S2, S4 (S3 is 2021, S5 a framework): 3, 3000 + 2000 + 500.
    assert d["signings"] == {"count": 3, "amount": Decimal("5500.00")}


def test_rate_cards_carry_both_figures_the_target_in_force_and_the_schedule_gap(db, world):
    k = _board(db, world)["kpis"]
    # 新开工率 3/5 = 60% as reported, confirmed N1 and N3: 2/5 = 40%; 90% in force by 31 Dec: −30 / −50 points.
    new = k["new_start_rate"]
    assert (new.dispatch.value, new.confirmed.value) == (Decimal("60.00"), Decimal("40.00"))
    assert (new.target.value, new.target.checkpoint, new.target.gap, new.target.gap_confirmed) == \
        (Decimal("90.00"), D(2022, 12, 31), Decimal("-30.00"), Decimal("-50.00"))
    # 复工率 3/4 = 75%; confirmed needs a confirmed 开工 too (C1, C4): 2/4 = 50%; 100% still in force.
    assert (k["resume_rate"].dispatch.value, k["resume_rate"].confirmed.value) == (Decimal("75.00"), Decimal("50.00"))
    assert k["resume_rate"].target.gap == Decimal("-25.00")
    assert k["start_resume_rate"].dispatch.value == Decimal("66.67")  # 6/9
    # 投资完成率 460 / 4100 = 11.22%; 序时 through December is the whole plan (100%): (460 − 4100)/4100 = −88.78.
    inv = k["investment_completion_rate"]
    assert inv.dispatch.value == Decimal("11.22") and inv.schedule.value == Decimal("100.00")
    assert inv.schedule.gap == Decimal("-88.78")


def test_the_ranking_is_on_rates_within_the_plate_never_on_amounts(db, world):
    ranking = _board(db, world)["ranking"]
    units = world["units"]
    # Only counties with a 板块 are ranked (the zone counts inside 甲县, the city is not ranked).
    assert set(ranking["start_resume_rate"]) == {"沿汾"}

    def order(key):
        return [(r["unit_id"], r["value"]) for r in ranking[key]["沿汾"]]
    # 开复工率: 甲县 with its zone 5/5 = 100%; 乙县 C2 only of N4, N5, C2, C3: 1/4 = 25%.
    assert order("start_resume_rate") == [(units["a"].id, 100.0), (units["b"].id, 25.0)]
    # 投资完成率: 甲县 400 of 3700 = 10.81%, 乙县 60 of 400 = 15%: 乙县 leads although 甲县 did more in 万元.
    assert order("investment_completion_rate") == [(units["b"].id, 15.0), (units["a"].id, 10.81)]
    assert ranking["new_start_rate"]["沿汾"][0]["target"] == 90.0


def test_the_chain_chart_and_the_chain_filter(db, world):
    d = _board(db, world)
    assert d["chains"] == [{"chain_id": world["chain"].id, "chain": "测试链", "count": 2, "planned": 2200.0}]
    narrowed = _board(db, world, chain_id=world["chain"].id)
    # N1 and C1: both active; totals 5000 + 3000, planned 1200 + 1000; the lead charts count no lead (no segment).
    total = narrowed["plan"].total
    assert (total["count"], total["active"], total["total"], total["planned"]) == \
        (2, 2, Decimal("8000.00"), Decimal("2200.00"))
    assert narrowed["funnel"]["total"] == 0 and narrowed["signings"]["count"] == 0


def test_leads_funnel_and_stage_medians(db, world):
    d = _board(db, world)
    assert {r["key"]: r["count"] for r in d["clusters"]} == {"jjj": 2, "yrd": 2}
    assert {(r["key"], r["name"]): r["count"] for r in d["provinces"]} == {("11", "北京市"): 2, ("32", "江苏省"): 2}
    # Stage reached: all 4 a clue; L1, L2, L4 contact; L1 visit, negotiate, signed → conversion 1/4.
    assert [s["count"] for s in d["funnel"]["stages"]] == [4, 3, 1, 1, 1]
    assert d["funnel"]["conversion"] == 25.0
    # Days in a stage before leaving it: clue 2, 4, 6 → 4; contact 4 and 2 (L2 ended) → 3; visit 1; negotiate 10.
    assert [(s["stage"], s["n"], s["days"]) for s in d["stage_days"]] == \
        [("clue", 3, 4.0), ("contact", 2, 3.0), ("visit", 1, 1.0), ("negotiate", 1, 10.0)]


def test_lead_problem_and_contact_charts_count_only_the_scope(db, world):
    units = world["units"]
    d = _board(db, world)
    assert [(r["unit_id"], r["count"]) for r in d["overdue"]] == [(units["a"].id, 2), (units["b"].id, 1)]
    # Officer a: 3 contacts in 2022 (the 2021 one is outside the year); officer b: 1.
    officers = [(r["user_id"], r["count"]) for r in d["officers"]]
    assert officers == [(world["users"]["a"].id, 3), (world["users"]["b"].id, 1)]
    mine = _board(db, world, who="a", officers=False)
    assert mine["officers"] is None
    # 甲县's officer sees L1 and L2 only: clue 2, contact 2, then L1.
    assert [s["count"] for s in mine["funnel"]["stages"]] == [2, 2, 1, 1, 1]
    assert {r["key"]: r["count"] for r in mine["clusters"]} == {"jjj": 1, "yrd": 1}
    # Plan figures are aggregates: the officer sees the city's.
    assert mine["plan"].total["active"] == 6


def test_unit_and_list_filters(db, world):
    units = world["units"]
    d = _board(db, world, unit_id=units["b"].id)
    # 乙县: N4, N5, C2, C3; active C2; planned 400; S4 signed by 乙县 for 500.
    total = d["plan"].total
    assert (total["count"], total["active"], total["planned"]) == (4, 1, Decimal("400.00"))
    assert d["signings"] == {"count": 1, "amount": Decimal("500.00")}
    assert d["kpis"]["start_resume_rate"].dispatch.value == Decimal("25.00")
    new = _board(db, world, plan_list="new")["plan"].total
    assert (new["count"], new["active"], new["active_planned"]) == (5, 3, Decimal("1800.00"))


def test_a_closed_period_does_not_drift(db, world):
    admin = world["users"]["admin"]
    close = snapshots.take(db.session, admin, 2022, 3)
    db.session.commit()

    def closed():
        d = _board(db, world, close=close)
        t = d["plan"].total
        return (d["as_of"], t["active"], t["active_total"], t["active_planned"], t["funds"],
                d["kpis"]["start_resume_rate"].dispatch.value,
                [(r["unit_id"], r["value"]) for r in d["ranking"]["start_resume_rate"]["沿汾"]])

    before = closed()
    units = world["units"]
    # By 31 March: N1, N2 started, C1 (Feb), C2 (Mar) resumed: 4 of 9 = 44.44%; total 5000 + 3000; planned
    # 1200 + 600 + 1000 + 400 = 3200; funds 180. 甲县 N1, N2, C1 of N1, N2, N3, C1, C4 = 3/5; 乙县 C2 1/4.
    assert before == (D(2022, 3, 31), 4, Decimal("8000.00"), Decimal("3200.00"), Decimal("180.00"),
                      Decimal("44.44"), [(units["a"].id, 60.0), (units["b"].id, 25.0)])
    # Later corrections for March: C3 reports 40, N5 a start on 1 March. Live moves, the closed period stands.
    p = world["p"]
    db.session.add(ProjectMonth(project_id=p["C3"].id, year=2022, month=3, completed=Decimal("40")))
    db.session.add(ProjectStageChange(project_id=p["N5"].id, to_stage="started", effective_on=D(2022, 3, 1)))
    db.session.get(Project, p["C1"].id).total_investment = Decimal("9999")
    db.session.commit()
    assert closed() == before
    live = _board(db, world)["plan"].total
    assert (live["active"], live["active_total"]) == (8, Decimal("16999.00"))


def test_month_on_month_comparison_between_closed_periods(db, world):
    admin = world["users"]["admin"]
    snapshots.take(db.session, admin, 2022, 3)
    april = snapshots.take(db.session, admin, 2022, 4)
    db.session.commit()
    d = _board(db, world, close=april)
    # 开复工率 by 30 April adds N3 (started 15 April) and C4 (80 in April): 6/9 = 66.67 vs 44.44 → +22.23.
    assert d["compare"]["start_resume_rate"]["mom"] == Decimal("22.23")
    assert d["compare"]["start_resume_rate"]["yoy"] is None


def test_the_city_cards_equal_the_kpi_service_for_the_city(db, world):
    from crm.kpis import service
    report = _board(db, world)["kpis"]
    city = service.kpis(db.session, 2022, as_of=D(2022, 12, 31))
    for key, ind in city.indicators.items():
        mine = report[key]
        assert (mine.dispatch, mine.confirmed, mine.target, mine.schedule) == \
            (ind.dispatch, ind.confirmed, ind.target, ind.schedule), key


def test_contacts_per_officer_run_to_the_closed_period_end(db, world):
    close = snapshots.take(db.session, world["users"]["admin"], 2022, 3)
    db.session.commit()
    # By 31 March only officer a's contact of 1 March counts (b's is 1 April, a's others later).
    officers = _board(db, world, close=close)["officers"]
    assert [(r["user_id"], r["count"]) for r in officers] == [(world["users"]["a"].id, 1)]


def test_the_chain_filter_narrows_the_rates_and_the_ranking_live_and_closed(db, world):
    chain, units = world["chain"].id, world["units"]
    close = snapshots.take(db.session, world["users"]["admin"], 2022, 3)
    db.session.commit()

    def rates(**filters):
        d = _board(db, world, chain_id=chain, **filters)
        k = d["kpis"]
        return ((k["new_start_rate"].dispatch.numerator, k["new_start_rate"].dispatch.denominator),
                (k["resume_rate"].dispatch.numerator, k["resume_rate"].dispatch.denominator),
                k["start_resume_rate"].dispatch.value, k["investment_completion_rate"].dispatch.denominator,
                [(r["unit_id"], r["value"]) for r in d["ranking"]["start_resume_rate"]["沿汾"]])
    # The chain holds N1 (new, started in January) and C1 (continuing, resumed in February), both 甲县's:
    # 新开工率 1/1, 复工率 1/1, 开复工率 100%, planned 1200 + 1000; 乙县 has no project of the chain (no figure).
    expected = ((1, 1), (1, 1), Decimal("100.00"), Decimal("2200.00"), [(units["a"].id, 100.0), (units["b"].id, None)])
    assert rates() == expected
    assert rates(close=close) == expected  # closed at 31 March: N1 and C1 had already moved
    # Every project's rates are not the chain's: the city's 开复工率 is 4/9 at the close.
    assert _board(db, world, close=close)["kpis"]["start_resume_rate"].dispatch.value == Decimal("44.44")
    # N1 leaves the chain after the close: live, the chain keeps C1 only; the closed period does not move.
    db.session.get(Project, world["p"]["N1"].id).segment_id = None
    db.session.commit()
    live = rates()
    assert live[0] == (0, 0) and live[3] == Decimal("1000.00")
    assert rates(close=close) == expected
    # The closed plan cards and chain chart keep the chains the projects had at the close.
    closed = _board(db, world, close=close, chain_id=chain)
    assert (closed["plan"].total["count"], closed["plan"].total["planned"]) == (2, Decimal("2200.00"))
    assert [(r["count"], r["planned"]) for r in closed["chains"]] == [(2, 2200.0)]
    assert [(r["count"], r["planned"]) for r in _board(db, world)["chains"]] == [(1, 1000.0)]


def test_the_contracts_card_of_a_closed_period_does_not_drift(db, world):
    from crm.models import Signing
    close = snapshots.take(db.session, world["users"]["admin"], 2022, 3)
    db.session.commit()
    b = world["units"]["b"].id
    # By 31 March: S1 (10 Jan) 3000, S2 (1 Feb) 2000, S4 (乙县, 5 Mar) 500.
    assert _board(db, world, close=close)["signings"] == {"count": 3, "amount": Decimal("5500.00")}
    assert _board(db, world, close=close, unit_id=b)["signings"] == {"count": 1, "amount": Decimal("500.00")}
    # Later: S4's amount is corrected and a contract dated 20 March is entered. The close stands.
    s4 = db.session.get(Signing, world["s"]["S4"].id)
    s4.amount = Decimal("900")
    db.session.add(Signing(company_id=s4.company_id, unit_id=b, kind="contract", signed_on=D(2022, 3, 20),
                           amount=Decimal("100")))
    db.session.commit()
    assert _board(db, world, close=close)["signings"] == {"count": 3, "amount": Decimal("5500.00")}
    assert _board(db, world, close=close, unit_id=b)["signings"] == {"count": 1, "amount": Decimal("500.00")}
    assert _board(db, world)["signings"] == {"count": 4, "amount": Decimal("6000.00")}  # live: 3000 + 2000 + 900 + 100
    # No contract's lead is in the chain: the chain's contracts are none, live and closed.
    none = {"count": 0, "amount": Decimal("0.00")}
    assert _board(db, world, close=close, chain_id=world["chain"].id)["signings"] == none


def test_a_contract_counts_in_its_leads_chain_and_the_close_keeps_it(db, world):
    from crm.models import Lead, Signing
    chain, lead = world["chain"].id, world["leads"]["L1"]
    # S1 (甲县, 10 Jan, 3000) came from L1; L1 is put in the chain's segment.
    db.session.get(Signing, world["s"]["S1"].id).lead_id = lead.id
    db.session.get(Lead, lead.id).segment_id = world["segment"].id
    db.session.commit()
    close = snapshots.take(db.session, world["users"]["admin"], 2022, 3)
    db.session.commit()
    one = {"count": 1, "amount": Decimal("3000.00")}
    assert _board(db, world, chain_id=chain)["signings"] == one
    closed = _board(db, world, close=close, chain_id=chain)
    assert closed["signings"] == one
    # 当年签约当年开工率 of the chain: S1 made N1, started in January → 1/1.
    rate = closed["kpis"]["same_year_start_rate"].dispatch
    assert (rate.numerator, rate.denominator) == (1, 1)
    # L1 leaves the chain: live, the chain has no contract; the close keeps S1.
    db.session.get(Lead, lead.id).segment_id = None
    db.session.commit()
    assert _board(db, world, chain_id=chain)["signings"] == {"count": 0, "amount": Decimal("0.00")}
    assert _board(db, world, close=close, chain_id=chain)["signings"] == one
