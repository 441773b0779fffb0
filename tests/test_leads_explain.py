"""EXPLAIN tests: the lead list, its count, the board's column totals and its column cards use an index
on ``lead`` under each role's scope, on both databases.

PostgreSQL runs with ``enable_seqscan = off``, so a plan that still scans ``lead`` sequentially has no
index to use. SQLite's EXPLAIN QUERY PLAN must search ``lead`` by an index or its rowid wherever the
scope restricts the rows (an officer, manager or county leader); a city leader sees every lead, and
there the list walks the sort index instead of sorting the table.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import text

from crm.leads import listing
from crm.leads.mywork import BUCKETS, bucket_query
from crm.security.scope import scope_for
from tests.test_leads_services import new_lead

TODAY = dt.date(2026, 3, 10)
ROLES = ("officer", "manager", "county_leader", "city_leader")


@pytest.fixture
def roles(db, make_unit, make_user):
    from crm.companies.services import create_company
    city = make_unit("计划市", kind="city")
    county = make_unit("计划县", parent=city)
    zone = make_unit("计划园区", kind="zone", parent=county)
    other = make_unit("计划乙县", parent=city)
    users = {"officer": make_user(("officer",), unit=zone), "manager": make_user(("manager",), unit=county),
             "county_leader": make_user(("county_leader",), unit=county),
             "city_leader": make_user(("city_leader",), unit=city), "other": make_user(("officer",), unit=other)}
    company = create_company(db.session, users["officer"], {"name": "计划测试集团有限公司", "county_code": "110105"})
    db.session.commit()
    world = {"users": users, "company": company}
    for i in range(3):
        for who in ("officer", "manager", "other"):
            new_lead(db, world, who, title=f"计划项目{who}{i}", amount=1000 * i)
    return users


def explain(db, stmt) -> list[str]:
    """The plan lines of ``stmt`` as the database would run it."""
    conn = db.session.connection()
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    processors = compiled._bind_processors
    values = {k: processors[k](v) if k in processors else v for k, v in compiled.params.items()}
    if conn.dialect.name == "sqlite":
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled),
                                    tuple(values[k] for k in compiled.positiontup)).all()
        return [row[-1] for row in rows]
    conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
    return [row[0] for row in conn.exec_driver_sql("EXPLAIN " + str(compiled), values).all()]


def statements(scope, filters: listing.LeadFilters):
    rows = listing.lead_query(filters, scope)
    return {
        "list": rows.limit(50).offset(0),
        "count": listing.count_query(filters, scope),
        "board totals": listing.board_totals_query(filters, scope),
        "board cards": listing.board_cards_query(filters, scope, "clue").limit(21).offset(0),
        **{f"my work {b}": bucket_query(b, scope, today=TODAY).limit(50) for b in BUCKETS},
    }


def _assert_indexed(db, plan: list[str], role: str, name: str) -> None:
    text = "\n".join(plan)
    if db.engine.dialect.name == "postgresql":
        assert "Seq Scan on lead " not in text + " ", f"{role} / {name} scans lead:\n{text}"
        return
    scans = [line for line in plan if line.startswith("SCAN lead") and "USING" not in line]
    assert not scans, f"{role} / {name} reads the whole lead table:\n{text}"


@pytest.mark.parametrize("role", ROLES)
def test_list_count_and_board_use_an_index_on_lead(db, roles, role):
    scope = scope_for(db.session, roles[role])
    for filters in (listing.LeadFilters(today=TODAY),
                    listing.LeadFilters(today=TODAY, due="overdue", method="chain", sort="amount"),
                    listing.LeadFilters(today=TODAY, cluster="jjj", contact="over30", sort="company", dir="asc")):
        for name, stmt in statements(scope, filters).items():
            _assert_indexed(db, explain(db, stmt), role, f"{name} {filters.args()}")


def _other_units_leads(db, user, n: int) -> None:
    """A table shaped like a city's (most leads belong to other units), with fresh statistics: on a
    nine-row table the planner may rightly hash the whole primary-key index instead of looking leads
    up. Inserted and analysed inside the test's transaction, so both roll back with it."""
    lead = db.session.execute(text("SELECT company_id FROM lead LIMIT 1")).scalar_one()
    db.session.execute(text(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :n) "
        "INSERT INTO lead (company_id, title, intent_key, first_reported_at, unit_id, owner_id, stage, version_id) "
        "SELECT :company, '其他项目' || i, '其他项目' || i, now(), :unit, :owner, 'clue', 1 FROM n"),
        {"n": n, "company": lead, "unit": user.unit_id, "owner": user.id})
    db.session.execute(text("ANALYZE lead"))
    db.session.execute(text("ANALYZE lead_unit"))


@pytest.mark.parametrize("role", ("officer", "manager", "county_leader"))
def test_a_restricted_scope_looks_leads_up(db, roles, role):
    """Where a scope restricts leads, the visible ones are looked up by key, not filtered from a walk
    over every lead: SQLite SEARCHes lead, PostgreSQL scans an index of lead with an index condition."""
    scope = scope_for(db.session, roles[role])
    if db.engine.dialect.name == "postgresql":
        _other_units_leads(db, roles["other"], 5000)
    for stmt in (listing.count_query(listing.LeadFilters(today=TODAY), scope),
                 listing.board_totals_query(listing.LeadFilters(today=TODAY), scope)):
        plan = explain(db, stmt)
        if db.engine.dialect.name == "sqlite":
            assert any(line.startswith("SEARCH lead ") for line in plan), plan
        else:
            text = "\n".join(plan)
            assert re.search(r"Index (Only )?Scan using pk_lead on lead\b", text), text
            assert "Index Cond" in text.split("pk_lead on lead", 1)[1].split("\n", 2)[1], text
