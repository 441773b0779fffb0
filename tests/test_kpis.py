"""The KPI service on the hand-computed plan of tests/kpi_world.py: every indicator in both 口径 with its
exceptions, returned moves excluded, targets in force at several dates, unit subtrees and many units in
one pass, scope-limited exceptions and zero denominators."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import event, select

from crm.kpis import service, targets
from crm.models import ProjectStageChange
from crm.security.scope import scope_for
from crm.settings import registry
from tests import kpi_world

D = dt.date
MARCH = D(2022, 3, 31)


@pytest.fixture
def world(db, make_unit, make_user):
    return kpi_world.build(db, make_unit, make_user)


def _pair(indicator):
    return indicator.dispatch.value, indicator.confirmed.value


def _named(indicator):
    return [(e.name.split()[0], e.reason, e.overdue) for e in indicator.exceptions]


def test_start_and_resumption_rates_with_exceptions(db, world):
    report = service.kpis(db.session, 2022, as_of=MARCH)
    new = report["new_start_rate"]
    # 新开工 list N1..N5. 调度: N1 (3-10) and N2 (3-20, pending) started — N3 starts 4-15, N4's move was
    # returned — 2/5 = 40.00%. Confirmed: N1 only, 1/5 = 20.00%.
    assert (new.dispatch.numerator, new.dispatch.denominator) == (2, 5)
    assert _pair(new) == (Decimal("40.00"), Decimal("20.00"))
    # Not started first, by planned month (N4 planned for February is overdue at 31 March), then N2 whose
    # 开工 awaits 认定.
    assert _named(new) == [("N4", "not_started", True), ("N3", "not_started", False), ("N5", "not_started", False),
                           ("N2", "unconfirmed_start", False)]
    assert new.exception_total == 4 and new.exceptions[0].month == 2 and new.exceptions[0].unit_name == "指标乙县"
    resume = report["resume_rate"]
    # 续建 C1..C4. Resumed (completed > 0 in Jan..Mar): C1 (120 in Feb), C2 (60 in March) = 2/4 = 50.00%;
    # C3 reported 0, C4's 80 is April's. Confirmed also needs a confirmed 开工: C1 yes, C2 pending = 1/4 = 25.00%.
    assert _pair(resume) == (Decimal("50.00"), Decimal("25.00"))
    assert _named(resume) == [("C2", "unconfirmed_start", False), ("C3", "no_investment", False),
                              ("C4", "no_investment", False)]
    both = report["start_resume_rate"]
    # (2 + 2) / (5 + 4) = 44.44%; confirmed (1 + 1) / 9 = 22.22%. P1 (前期) is in neither list.
    assert (both.dispatch.numerator, both.dispatch.denominator) == (4, 9)
    assert _pair(both) == (Decimal("44.44"), Decimal("22.22"))
    assert both.exception_total == 7


def test_investment_completion_and_schedule(db, world):
    inv = service.kpis(db.session, 2022, as_of=MARCH)["investment_completion_rate"]
    # Planned: N1 1200 + N2 600 + C1 1000 + C2 400 + C4 800 + P1 100 = 4100.
    # Completed Jan..Mar: N1 50 + 150, C1 120, C2 60 (C3 0; C4's April and 2021 figures excluded) = 380.
    # 380 / 4100 = 9.2682…% → 9.27. Confirmed (入统 by D): N1 only, 200 / 4100 = 4.878…% → 4.88.
    assert (inv.dispatch.numerator, inv.dispatch.denominator) == (Decimal("380.00"), Decimal("4100.00"))
    assert _pair(inv) == (Decimal("9.27"), Decimal("4.88"))
    # 序时: splits N1 100×3 = 300, C2 200 (March), C4 0 (April) → 500; no split N2 600 + C1 1000 + P1 100
    # = 1700 × 3/12 = 425 → 925 / 4100 = 22.5609…% → 22.56, from both kinds of plan ("mixed").
    # Gap (380 − 925) / 4100 = −13.2926… → −13.29 points; confirmed (200 − 925) / 4100 = −17.68.
    sched = inv.schedule
    assert (sched.planned_through, sched.value, sched.basis) == (Decimal("925.00"), Decimal("22.56"), "mixed")
    assert (sched.gap, sched.gap_confirmed) == (Decimal("-13.29"), Decimal("-17.68"))
    # Furthest behind their own 序时: N2 0 − 150 = −150, C2 60 − 200 = −140, C1 120 − 250 = −130,
    # N1 200 − 300 = −100, P1 0 − 25 = −25 (C4 0 − 0 is on time).
    assert [(e.name.split()[0], e.amount, e.plan) for e in inv.exceptions] == [
        ("N2", Decimal("0.00"), Decimal("150.00")), ("C2", Decimal("60.00"), Decimal("200.00")),
        ("C1", Decimal("120.00"), Decimal("250.00")), ("N1", Decimal("200.00"), Decimal("300.00")),
        ("P1", Decimal("0.00"), Decimal("25.00"))]
    # Only the 新开工 list: planned 1800, completed 200, 序时 300 + 600×3/12 = 450 → 11.11%, gap −13.89.
    new_only = service.kpis(db.session, 2022, "new", as_of=MARCH)["investment_completion_rate"]
    assert new_only.dispatch.value == Decimal("11.11") and new_only.schedule.gap == Decimal("-13.89")


def test_completion_production_and_funds(db, world):
    report = service.kpis(db.session, 2022, as_of=MARCH)
    done = report["completion_rate"]
    # Planned to complete in 2022: N1 (month 12), C1 (month 6), C4 (planned 2022-11-30) = 3.
    # 调度: C1 竣工 3-25 and N1 投产 3-28 (pending, beyond 竣工) = 2/3 = 66.67%; confirmed: C1 (竣工 needs no
    # 认定) = 1/3 = 33.33%.
    assert _pair(done) == (Decimal("66.67"), Decimal("33.33"))
    assert _named(done) == [("N1", "unconfirmed_completion", False), ("C4", "not_completion", False)]
    prod = report["production_rate"]
    # Industrial, planned to produce in 2022: N1 (3-01), C2 (10-01). 调度 N1 = 1/2 = 50.00%; confirmed 0/2.
    assert _pair(prod) == (Decimal("50.00"), Decimal("0.00"))
    assert sorted(_named(prod)) == [("C2", "not_production", False), ("N1", "unconfirmed_production", False)]
    funds = report["funds_arrival_rate"]
    # 招商引资 projects' planned: N1 1200 + C2 400 + P1 100 = 1700. 到位 Jan..Mar: N1 100 + 50, C2 30 = 180
    # → 10.5882…% → 10.59. Statistics 口径 (入统 projects): N1 150 / 1700 = 8.8235… → 8.82.
    assert (funds.dispatch.numerator, funds.dispatch.denominator) == (Decimal("180.00"), Decimal("1700.00"))
    assert _pair(funds) == (Decimal("10.59"), Decimal("8.82"))
    assert _named(funds) == [("P1", "no_funds", False)]


def test_contract_performance_and_same_year_starts(db, world):
    report = service.kpis(db.session, 2022, as_of=MARCH)
    perf = report["contract_performance_rate"]
    # Due by 31 March: S1 注册 (2-28) and 开工 (3-15), S2 开工 (3-25), S3 开工 (3-01) = 4 (S3's 投产 is due
    # 12-31; S5 is a framework agreement). 调度 met: S1 注册 2-20, S1 开工 3-10, S2 开工 3-20 = 3/4 = 75.00%;
    # confirmed: N2's 开工 is pending, so 2/4 = 50.00%.
    assert (perf.dispatch.numerator, perf.dispatch.denominator) == (3, 4)
    assert _pair(perf) == (Decimal("75.00"), Decimal("50.00"))
    s = world["s"]
    assert [(e.signing_id, e.reason, e.overdue, e.due_on) for e in perf.exceptions] == [
        (s["S3"].id, "missed_started", True, D(2022, 3, 1)), (s["S2"].id, "unconfirmed_started", False, D(2022, 3, 25))]
    assert perf.exceptions[0].project_id is None and perf.exceptions[0].name == "指标测试集团有限公司"
    same = report["same_year_start_rate"]
    # Contracts signed 1 Jan..31 Mar 2022: S1, S2, S4 = 3 (S3 is 2021's). Started: S1 (N1), S2 (N2) = 2/3
    # = 66.67%; confirmed S1 only = 33.33%.
    assert _pair(same) == (Decimal("66.67"), Decimal("33.33"))
    assert [(e.signing_id, e.reason, e.signed_on) for e in same.exceptions] == [
        (s["S2"].id, "unconfirmed_start", D(2022, 2, 1)), (s["S4"].id, "not_started", D(2022, 3, 5))]
    # By year end S3's 投产 (12-31) falls due and is missed: 5 due, 3 met (60.00%).
    year_end = service.kpis(db.session, 2022, as_of=D(2022, 12, 31))["contract_performance_rate"]
    assert (year_end.dispatch.numerator, year_end.dispatch.denominator) == (3, 5)


def test_a_returned_move_never_counts_and_confirming_moves_the_confirmed_figure(db, world):
    n4 = world["p"]["N4"]
    change = db.session.scalar(select(ProjectStageChange).where(ProjectStageChange.project_id == n4.id))
    assert change.review_status == "returned"
    assert service.kpis(db.session, 2022, unit_id=world["units"]["b"].id, as_of=MARCH)["new_start_rate"] \
        .dispatch.numerator == 0
    change.review_status = "pending"  # resubmitted: it counts as reported again, not yet as confirmed
    db.session.commit()
    new = service.kpis(db.session, 2022, unit_id=world["units"]["b"].id, as_of=MARCH)["new_start_rate"]
    assert _pair(new) == (Decimal("50.00"), Decimal("0.00"))  # N4 of N4, N5
    change.review_status = "confirmed"
    db.session.commit()
    new = service.kpis(db.session, 2022, unit_id=world["units"]["b"].id, as_of=MARCH)["new_start_rate"]
    assert _pair(new) == (Decimal("50.00"), Decimal("50.00"))


@pytest.mark.parametrize("as_of, force, checkpoint, passed, met", [
    # 新开工率 35% / 75% / 90% by 3-31 / 6-30 / 12-31. Value by date: 3-31 and 4-01 2/5 = 40%; 6-30 3/5 = 60%.
    (D(2022, 3, 31), "35.00", D(2022, 3, 31), None, None),
    (D(2022, 4, 1), "75.00", D(2022, 6, 30), (D(2022, 3, 31), "40.00", True), (False,)),  # confirmed 20% < 35%
    (D(2022, 6, 30), "75.00", D(2022, 6, 30), (D(2022, 3, 31), "40.00", True), (False,)),
    (D(2022, 7, 1), "90.00", D(2022, 12, 31), (D(2022, 6, 30), "60.00", False), (False,)),
    (D(2022, 12, 31), "90.00", D(2022, 12, 31), (D(2022, 6, 30), "60.00", False), (False,)),
])
def test_new_start_target_in_force(db, world, as_of, force, checkpoint, passed, met):
    target = service.kpis(db.session, 2022, as_of=as_of)["new_start_rate"].target
    assert (target.value, target.checkpoint) == (Decimal(force), checkpoint)
    if passed is None:
        assert target.passed_checkpoint is None and target.passed_met is None
    else:
        assert (target.passed_checkpoint, target.passed_value, target.passed_met) == \
            (passed[0], Decimal(passed[1]), passed[2])
        assert target.passed_met_confirmed is met[0]


def test_resume_target_stays_in_force_after_the_last_checkpoint(db, world):
    at = {day: service.kpis(db.session, 2022, as_of=day)["resume_rate"].target
          for day in (D(2022, 3, 31), D(2022, 4, 1), D(2022, 7, 1), D(2022, 12, 31))}
    assert (at[D(2022, 3, 31)].value, at[D(2022, 3, 31)].gap) == (Decimal("70.00"), Decimal("-20.00"))  # 50 − 70
    assert at[D(2022, 4, 1)].value == Decimal("100.00") and at[D(2022, 4, 1)].passed_met is False
    # 100% by end-June stays in force; on 30 June C1, C2 and C4 (April) had resumed: 3/4 = 75% < 100%.
    assert (at[D(2022, 12, 31)].value, at[D(2022, 12, 31)].checkpoint) == (Decimal("100.00"), D(2022, 6, 30))
    assert (at[D(2022, 7, 1)].passed_value, at[D(2022, 7, 1)].passed_met) == (Decimal("75.00"), False)
    assert service.kpis(db.session, 2022, as_of=MARCH)["completion_rate"].target is None  # no rows for it
    rows = [{"indicator": "new_start_rate", "list": "new", "checkpoint": "2023-03-31", "value": 40},
            {"indicator": "new_start_rate", "list": "new", "checkpoint": "bad", "value": 1}]
    assert targets.staged(rows, "new_start_rate", None, 2022) == []


def test_unit_subtree_and_many_units_in_one_pass(db, world):
    u = world["units"]
    # 甲县 with its zone: N1, N2 (zone), N3 → 2/3 = 66.67%; the zone alone N2 → 1/1; 乙县 N4, N5 → 0/2.
    one = service.kpis(db.session, 2022, unit_id=u["a"].id, as_of=MARCH)
    assert _pair(one["new_start_rate"]) == (Decimal("66.67"), Decimal("33.33"))
    assert {e.name.split()[0] for e in one["new_start_rate"].exceptions} == {"N2", "N3"}
    statements = []

    def count(*_args):
        statements.append(1)

    engine = db.session.get_bind()
    ids = [u["city"].id, u["a"].id, u["z"].id, u["b"].id]
    service.kpis_by_unit(db.session, 2022, [u["b"].id], as_of=MARCH)  # the session's own statements first
    event.listen(engine, "before_cursor_execute", count)
    try:
        service.kpis_by_unit(db.session, 2022, [u["b"].id], as_of=MARCH)
        for_one = len(statements)
        statements.clear()
        many = service.kpis_by_unit(db.session, 2022, ids, as_of=MARCH)
        for_many = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # The units' sums come from the same grouped statements: units, settings, then plan and contract sums
    # now and on the one checkpoint passed (none on 31 March) — four statements whatever the number of units.
    assert for_many == for_one == 4
    assert {uid: r["new_start_rate"].dispatch.value for uid, r in many.items()} == {
        u["city"].id: Decimal("40.00"), u["a"].id: Decimal("66.67"), u["z"].id: Decimal("100.00"),
        u["b"].id: Decimal("0.00")}
    # The zone's project counts once in the city: 甲县 3 + 乙县 2 = 5 new-start projects.
    assert many[u["city"].id]["new_start_rate"].dispatch.denominator == 5
    assert many[u["a"].id]["investment_completion_rate"].dispatch.numerator == Decimal("320.00")  # 200 + 120
    assert many[u["a"].id]["same_year_start_rate"].dispatch.denominator == 2  # S1, S2 signed by 甲县
    assert many[u["city"].id]["resume_rate"].target.value == Decimal("70.00") and many[u["b"].id].indicators
    assert all(not ind.exceptions for r in many.values() for ind in r.indicators.values())


def test_exceptions_only_name_projects_in_scope(db, world):
    scope = scope_for(db.session, world["users"]["b"])
    report = service.kpis(db.session, 2022, as_of=MARCH, scope=scope)
    assert _pair(report["new_start_rate"]) == (Decimal("40.00"), Decimal("20.00"))  # figures are the city's
    assert [e.name.split()[0] for e in report["new_start_rate"].exceptions] == ["N4", "N5"]
    assert [e.name.split()[0] for e in report["investment_completion_rate"].exceptions] == ["C2"]
    assert [e.signing_id for e in report["same_year_start_rate"].exceptions] == [world["s"]["S4"].id]
    assert report["contract_performance_rate"].exceptions == ()
    assert report["new_start_rate"].exception_total == 2


def test_zero_denominators_give_no_value(db, world, make_unit):
    empty = make_unit("指标空县", parent=world["units"]["city"])
    report = service.kpis(db.session, 2022, unit_id=empty.id, as_of=MARCH)
    for indicator in report.indicators.values():
        assert indicator.dispatch.value is None and indicator.confirmed.value is None
        assert indicator.dispatch.denominator == 0 and not indicator.exceptions
    assert report["investment_completion_rate"].schedule.basis == "none"
    assert report["new_start_rate"].target.value == Decimal("35.00") and report["new_start_rate"].target.gap is None
    with pytest.raises(ValueError):
        service.kpis(db.session, 2022, as_of=D(2023, 1, 1))
    assert service.kpis(db.session, 2022).as_of == D(2022, 12, 31)


def test_targets_for_other_indicators_follow_the_selected_list(db, world):
    rows = [{"indicator": "completion_rate", "list": "all", "checkpoint": "2022-12-31", "value": "60"},
            {"indicator": "investment_completion_rate", "list": "new", "checkpoint": "2022-06-30", "value": "50"},
            {"indicator": "new_start_rate", "list": "new", "checkpoint": "2022-06-30", "value": "50"}]
    registry.set_value(db.session, world["users"]["admin"], "kpi_targets", rows)
    db.session.commit()
    report = service.kpis(db.session, 2022, as_of=MARCH)
    # 竣工率 66.67% as reported against 60% in force: +6.67 points; confirmed 33.33 − 60 = −26.67.
    assert (report["completion_rate"].target.gap, report["completion_rate"].target.gap_confirmed) == \
        (Decimal("6.67"), Decimal("-26.67"))
    assert report["investment_completion_rate"].target is None  # its only row is for the new list
    new_list = service.kpis(db.session, 2022, "new", as_of=MARCH)
    # New list: 200 / 1800 = 11.11% against 50%: −38.89 points.
    assert new_list["investment_completion_rate"].target.gap == Decimal("-38.89")
    assert new_list["new_start_rate"].target.value == Decimal("50.00")  # the saved table replaced the defaults
