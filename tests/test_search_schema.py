"""The search's database objects and every path that writes searchable names, on SQLite and PostgreSQL.

SQLite: FTS5 trigram tables kept by triggers, so the service, the import's INSERT … SELECT, raw bulk
inserts, deletes and merges all stay findable; EXPLAIN QUERY PLAN shows the FTS table for queries of
three characters or more. PostgreSQL: pg_trgm yields trigrams for Chinese and the GIN indexes serve
the ILIKE queries.
"""
from __future__ import annotations

import pytest
from sqlalchemy import delete, insert, select, text

from crm.companies.merge import merge_companies
from crm.companies.services import create_company, update_company
from crm.models import Company, User
from crm.search import matching, services
from crm.security.scope import Scope, scope_for
from tests.search_world import build_world, ids, run
from tests.test_imports import apply, batch_id_of, csv_bytes, map_and_stage, upload

FTS_TABLES = ("company", "contact", "lead", "project")
TRGM_INDEXES = {"ix_company_name_trgm", "ix_company_short_name_trgm", "ix_contact_name_trgm",
                "ix_contact_phone_trgm", "ix_lead_title_trgm", "ix_project_name_trgm"}


@pytest.fixture
def world(db, make_unit, make_user):
    return build_world(db, make_unit, make_user)


def _sqlite(db) -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def test_search_objects_exist_at_head(db):
    if _sqlite(db):
        triggers = set(db.session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")))
        assert {f"{t}_fts_{s}" for t in FTS_TABLES for s in ("ai", "ad", "au")} <= triggers
        tables = set(db.session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'table'")))
        assert {f"{t}_fts" for t in FTS_TABLES} <= tables
    else:
        assert db.session.scalar(text("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'")) == "pg_trgm"
        indexes = set(db.session.scalars(text("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%_trgm'")))
        assert TRGM_INDEXES <= indexes
        # A cluster in the C locale yields no trigrams for Chinese (ENGINEERING.md).
        assert db.session.scalar(text("SELECT array_length(show_trgm('焦煤集团'), 1)")) >= 4


def _plan(db, kind: str, query: str) -> str:
    session = db.session
    # A scope that sees everything, so the plan shows how the search itself is looked up: under a narrow
    # scope the planner may rightly start from the few visible rows instead (it did, now and then).
    scope = Scope(None, True, frozenset())
    model = services.MODELS[kind]
    stmt = select(model.id).where(services.condition(session, scope, kind, matching.parse(query)))
    sql = str(stmt.compile(dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True}))
    if _sqlite(db):
        return "\n".join(str(row[-1]) for row in session.execute(text("EXPLAIN QUERY PLAN " + sql)))
    session.execute(text("SET LOCAL enable_seqscan = off"))
    return "\n".join(row[0] for row in session.execute(text("EXPLAIN " + sql)))


@pytest.mark.parametrize("kind, query, fts, index", [
    ("company", "焦煤集团", "company_fts", "ix_company_name_trgm"),
    ("contact", "王经理", "contact_fts", "ix_contact_name_trgm"),
    ("project", "循环经济", "project_fts", "ix_project_name_trgm"),
])
def test_three_characters_use_the_trigram_index(db, world, kind, query, fts, index):
    plan = _plan(db, kind, query)
    assert (fts if _sqlite(db) else index) in plan, plan


def test_two_characters_do_not_go_through_fts(db, world):
    plan = _plan(db, "company", "焦煤")
    if _sqlite(db):
        assert "company_fts" not in plan, plan  # trigram tables cannot find two characters
    else:
        assert "ix_company_name_trgm" in plan, plan


def test_service_create_and_rename_keep_name_and_initials_searchable(db, world):
    user = world["users"]["a_officer"]
    company = create_company(db.session, user, {"name": "晋南钢铁集团"})
    db.session.commit()
    assert company.name_initials == "jngtjt"
    assert ids(run(db, user, "jngt")["company"]) == {company.id}
    update_company(db.session, user, company, {"name": "临汾立恒钢铁"}, company.version_id)
    db.session.commit()
    assert company.name_initials == "lflhgt"
    assert run(db, user, "jngt")["company"].total == 0
    assert run(db, user, "晋南钢铁")["company"].total == 0  # the FTS row was replaced, not added to
    assert ids(run(db, user, "立恒钢铁")["company"]) == {company.id}
    assert ids(run(db, user, "lflh")["company"]) == {company.id}


def test_imported_companies_are_found_by_initials_and_name(client, db, make_user, login):
    officer = make_user(("officer",))
    login(officer)
    rows = [("太原重型机械集团有限公司", "", "山西省", "太原市", "万柏林区", "", ""),
            ("晋城无烟煤矿业集团", "", "", "", "", "", "")]
    batch_id = batch_id_of(upload(client, "companies.csv", csv_bytes(rows)))
    assert map_and_stage(client, batch_id).status_code == 302
    assert apply(client, batch_id).status_code == 302
    db.session.expire_all()
    made = {c.name: c for c in db.session.scalars(select(Company).where(Company.name.in_([r[0] for r in rows])))}
    assert made["太原重型机械集团有限公司"].name_initials == "tyzxjxjtyxgs"
    assert ids(run(db, officer, "tyzx")["company"]) == {made["太原重型机械集团有限公司"].id}
    assert ids(run(db, officer, "无烟煤矿")["company"]) == {made["晋城无烟煤矿业集团"].id}
    assert ids(run(db, officer, "无烟")["company"]) == {made["晋城无烟煤矿业集团"].id}


def test_raw_bulk_inserts_and_deletes_stay_indexed(db, world):
    user = world["users"]["a_officer"]
    db.session.execute(insert(Company.__table__), [
        {"name": f"批量写入测试{i}号公司", "name_norm": "", "version_id": 1} for i in range(3)])
    db.session.flush()
    found = run(db, user, "批量写入测试")["company"]
    assert found.total == 3
    db.session.execute(delete(Company).where(Company.id.in_(ids(found))))
    db.session.flush()
    assert run(db, user, "批量写入测试")["company"].total == 0


def test_merge_leaves_only_the_survivor_findable(db, world, make_user):
    manager = make_user(("manager",), unit=world["units"]["a"])
    survivor = create_company(db.session, manager, {"name": "山西测试煤业有限公司"})
    absorbed = create_company(db.session, manager, {"name": "山西测试煤业公司", "short_name": "测试煤业简称"})
    db.session.commit()
    merge_companies(db.session, manager, survivor, absorbed, survivor_version=survivor.version_id,
                    absorbed_version=absorbed.version_id)
    db.session.commit()
    assert ids(run(db, manager, "测试煤业")["company"]) == {survivor.id}
    assert ids(run(db, manager, "测试煤业简称")["company"]) == {survivor.id}  # the filled 简称 is indexed
    assert ids(run(db, manager, "sxcsmy")["company"]) == {survivor.id}


def test_anonymous_scope_finds_no_leads(db, world):
    scope = scope_for(db.session, None)
    assert db.session.get(User, world["users"]["a_officer"].id) is not None
    results = services.search(db.session, scope, matching.parse("焦煤"))
    assert {g.kind: g.total for g in results.groups}["lead"] == 0
