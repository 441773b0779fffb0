"""How the dashboard reads (both databases): the Core ``read`` helper sees pending changes, the closed periods
are read once for two years, the tree totals are exact whatever the driver answers, the county reports carry
only the rates they are ranked on (the focus unit every indicator), and the page's statements are built once
per set of filters and scope."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from crm.core.database import read
from crm.dashboard import cards, charts, services
from crm.kpis import service, snapshots
from crm.kpis.results import INDICATORS
from crm.models import PeriodClose, Unit
from crm.security.scope import scope_for
from tests import dashboard_world

TODAY = dt.date(2026, 12, 6)


@pytest.fixture
def world(db, make_unit, make_user):
    return dashboard_world.build(db, make_unit, make_user)


class Statements:
    """The statements the session sends to the database inside the block."""

    def __init__(self, session):
        self.bind = session.get_bind()

    def __enter__(self):
        self.seen: list[str] = []
        event.listen(self.bind, "before_cursor_execute", self._record)
        return self

    def _record(self, _conn, _cursor, statement, *_args):
        self.seen.append(statement)

    def __exit__(self, *_exc):
        event.remove(self.bind, "before_cursor_execute", self._record)


def test_read_flushes_pending_changes_first(db, make_unit):
    before = read(db.session, select(func.count()).select_from(Unit)).scalar_one()
    db.session.add(Unit(name="新设园区", kind="zone"))  # not flushed: Session.execute would autoflush it
    assert read(db.session, select(func.count()).select_from(Unit)).scalar_one() == before + 1


def test_closes_are_read_once_for_the_year_and_the_year_before(db):
    for year, month in ((2021, 3), (2022, 2), (2022, 3), (2020, 3)):
        db.session.add(PeriodClose(year=year, month=month, as_of=snapshots.month_end(year, month)))
    db.session.flush()
    with Statements(db.session) as sent:
        closes = services.periods_for(db.session, 2022)
        march, feb, year_ago = closes.get(2022, 3), closes.get(2022, 2), closes.get(2021, 3)
        assert closes.get(2022, 4) is None
        newest_first = [c.month for c in closes.of_year(2022)]
    assert len(sent.seen) == 1  # one read answers every lookup of both years
    assert (march.as_of, feb.as_of, year_ago.as_of) == (dt.date(2022, 3, 31), dt.date(2022, 2, 28),
                                                        dt.date(2021, 3, 31))
    assert newest_first == [3, 2]
    with Statements(db.session) as sent:  # a year outside the two is asked for
        older = closes.get(2020, 3)
    assert older.as_of == dt.date(2020, 3, 31) and len(sent.seen) == 1


def test_tree_totals_are_exact_from_floats_ints_decimals_and_nulls():
    columns = ("new_n", "planned")
    # Unit 1 holds 2 (a zone); the city (None) holds both; SQLite answers floats, PostgreSQL Decimals.
    by_unit = {1: {"new_n": 2, "planned": 0.1}, 2: {"new_n": None, "planned": 0.2},
               3: {"new_n": 1, "planned": Decimal("5.55")}}
    trees = {None: None, 1: {1, 2}, 2: {2}, 4: {4}}
    totals = service.tree_totals({k: v for k, v in by_unit.items() if k != 3}, trees, columns)
    # 0.1 + 0.2 is 0.30000000000000004 in floats: the cent is exact.
    assert totals[None] == {"new_n": Decimal(2), "planned": Decimal("0.30")}
    assert totals[1] == totals[None] and totals[2] == {"new_n": Decimal(0), "planned": Decimal("0.20")}
    assert totals[4] == {"new_n": Decimal(0), "planned": Decimal("0.00")}  # a unit without rows
    pg = service.tree_totals({3: by_unit[3]}, {None: None}, columns)[None]
    assert pg == {"new_n": Decimal(1), "planned": Decimal("5.55")}


def test_county_reports_carry_the_ranked_rates_and_the_focus_unit_every_indicator(db, world):
    units = world["units"]
    scope = scope_for(db.session, world["users"]["admin"])
    d = services.dashboard(db.session, services.Filters(2022), scope, TODAY)
    assert set(d["kpis"].indicators) == set(INDICATORS)
    counties = [c[0] for c in charts.counties(charts.unit_rows(db.session))]
    _report, _compare, reports = cards.rates(db.session, 2022, dt.date(2022, 12, 31), None, None, None, counties)
    assert set(reports[units["a"].id].indicators) == set(cards.RANK_INDICATORS)
    # The same figures as a full report of the county: 开复工率 of 甲县 with its zone 5/5.
    full = service.kpis_by_unit(db.session, 2022, [units["a"].id], as_of=dt.date(2022, 12, 31))[units["a"].id]
    assert reports[units["a"].id]["start_resume_rate"] == full["start_resume_rate"]
    # Filtered to a county, that county is the focus: its report is whole.
    focused = services.dashboard(db.session, services.Filters(2022, unit_id=units["a"].id), scope, TODAY)
    assert set(focused["kpis"].indicators) == set(INDICATORS)
    assert focused["kpis"]["start_resume_rate"].dispatch.value == Decimal("100.00")


def test_statements_are_built_once_per_filters_and_scope(db, world):
    scope = scope_for(db.session, world["users"]["admin"])
    other = scope_for(db.session, world["users"]["a"])
    as_of, units = dt.date(2022, 12, 31), (world["units"]["a"].id,)
    funnel = charts._funnel_statement(scope, as_of, None, None)
    assert charts._funnel_statement(scope, as_of, None, None) is funnel
    assert charts._funnel_statement(other, as_of, None, None) is not funnel  # another scope, another statement
    assert charts._funnel_statement(scope, as_of, units, None) is not funnel
    # And the cached statement still counts what it should under each scope: the officer sees 2 of 4 leads.
    assert charts.funnel(db.session, scope, as_of)["total"] == 4
    assert charts.funnel(db.session, other, as_of)["total"] == 2


def test_a_period_closed_before_amounts_were_kept_shows_the_contracts_as_stored_now(db, world):
    from crm.models import UnitSnapshot
    close = snapshots.take(db.session, world["users"]["admin"], 2022, 3)
    for row in db.session.scalars(select(UnitSnapshot).where(UnitSnapshot.kind == "contract")):
        # As a close taken by an earlier version stored it: no amounts.
        row.sums = {k: v for k, v in row.sums.items() if k != "signed_amount"}
    db.session.flush()
    assert snapshots.closed_signings(db.session, close) is None
    # The card then counts the contracts signed by 31 March as stored now: S1, S2, S4.
    d = services.dashboard(db.session, services.Filters(2022, close=close),
                           scope_for(db.session, world["users"]["admin"]), TODAY)
    assert d["signings"] == {"count": 3, "amount": Decimal("5500.00")}
