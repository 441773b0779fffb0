"""Every mutating service writes the audit trail; stale edits are refused with what changed."""
from __future__ import annotations

from sqlalchemy import select

from crm.audit import service as audit
from crm.models import AuditRecord, Company, Unit, User
from tests.conftest import TEST_PASSWORD, csrf_token


def entries(db, entity_type, entity_id=None, action=None):
    stmt = select(AuditRecord).where(AuditRecord.entity_type == entity_type)
    if entity_id is not None:
        stmt = stmt.where(AuditRecord.entity_id == entity_id)
    if action:
        stmt = stmt.where(AuditRecord.action == action)
    return list(db.session.scalars(stmt.order_by(AuditRecord.id)))


def test_unit_services(db, make_user):
    from crm.units.services import create_unit, update_unit
    admin = make_user(("admin",))
    unit = create_unit(db.session, admin, {"name": "审计县", "kind": "county"})
    update_unit(db.session, admin, unit, {"group_name": "沿汾"})
    db.session.commit()
    created, changed = entries(db, "unit", unit.id)
    assert created.action == "create" and "name=审计县" in created.new and created.user_id == admin.id
    assert (changed.field, changed.old, changed.new) == ("group_name", None, "沿汾")


def test_user_services_never_store_secrets(db, make_user, make_unit):
    from crm.users.services import create_user, set_active, set_password, update_user
    admin = make_user(("admin",))
    unit = make_unit()
    user = create_user(db.session, admin, username="audited", name="甲", unit_id=unit.id, roles={"officer"},
                       password=TEST_PASSWORD)
    update_user(db.session, admin, user, name="乙", unit_id=unit.id, roles={"manager"}, email=None, phone="0357-1")
    set_password(db.session, admin, user, "Brand-new-pass-9")
    set_active(db.session, admin, user, False)
    db.session.commit()
    rows = entries(db, "user", user.id)
    fields = [(r.action, r.field) for r in rows]
    assert ("create", None) in fields
    assert ("update", "name") in fields and ("update", "roles") in fields and ("update", "active") in fields
    assert ("update", "password_hash") in fields and ("update", "session_token") in fields
    for r in rows:
        assert "scrypt" not in (r.new or "") and "scrypt" not in (r.old or "")
        if r.field in ("password_hash", "session_token"):
            assert r.old == r.new == "***"


def test_sign_in_is_recorded(client, db, make_user, login):
    user = make_user()
    login(user)
    assert [r.action for r in entries(db, "user", user.id, "login")] == ["login"]


def test_company_services_and_versions(db, make_user):
    from crm.companies.services import create_company, update_company
    officer = make_user()
    company = create_company(db.session, officer, {"name": "审计企业有限公司", "county_code": "320505"})
    db.session.commit()
    assert company.version_id == 1 and company.cluster == "yrd" and not company.is_local
    update_company(db.session, officer, company, {"county_code": "141002"}, expected_version=1)
    db.session.commit()
    assert company.version_id == 2 and company.is_local and company.cluster == "gzpc"
    changed = {r.field: r for r in entries(db, "company", company.id, "update")}
    assert changed["county_code"].old == "320505" and changed["county_code"].new == "141002"
    assert changed["is_local"].new == "1" and changed["county_code"].version == 2


def test_settings_service(db, make_user):
    from crm.settings import set_value
    admin = make_user(("admin",))
    set_value(db.session, admin, "login_max_failures", "7")
    db.session.commit()
    (row,) = [r for r in entries(db, "setting") if r.field == "login_max_failures"]
    assert (row.old, row.new, row.user_id) == ("5", "7", admin.id)


def test_bulk_create_writes_one_batch_entry(db, make_user):
    admin = make_user(("admin",))
    batch = audit.new_batch_id()
    units = [Unit(name=f"批量{i}", kind="town") for i in range(3)]
    db.session.add_all(units)
    audit.record_bulk_create(db.session, admin, units, batch)
    db.session.commit()
    rows = entries(db, "unit", action="bulk_create")
    assert len(rows) == 1 and rows[0].batch_id == batch and rows[0].new.startswith("3 rows")


def test_bulk_company_rows_carry_the_batch_id(db, make_user):
    admin = make_user(("admin",))
    batch = audit.new_batch_id()
    companies = [Company(name=f"批量企业{i}", name_norm=f"批量企业{i}", batch_id=batch) for i in range(2)]
    db.session.add_all(companies)
    audit.record_bulk_create(db.session, admin, companies, batch)
    db.session.commit()
    assert set(db.session.scalars(select(Company.batch_id).where(Company.name.like("批量企业%")))) == {batch}


def test_history_shows_on_the_record_page(client, db, make_user, login):
    from crm.companies.services import create_company, update_company
    officer = make_user()
    company = create_company(db.session, officer, {"name": "历史企业有限公司"})
    update_company(db.session, officer, company, {"short_name": "历史企业"}, expected_version=1)
    db.session.commit()
    login(officer)
    page = client.get(f"/companies/{company.id}").get_data(as_text=True)
    assert 'data-testid="history"' in page and "short_name" in page and "历史企业" in page


def test_stale_edit_is_refused_with_the_changes(client, db, make_user, login):
    from crm.companies.services import create_company, update_company
    officer, other = make_user(), make_user()
    company = create_company(db.session, officer, {"name": "并发企业有限公司"})
    db.session.commit()
    login(officer)
    form_page = client.get(f"/companies/{company.id}/edit").get_data(as_text=True)
    assert 'name="version_id" type="hidden" value="1"' in form_page or 'value="1"' in form_page
    # Someone else saves first.
    update_company(db.session, other, db.session.get(Company, company.id), {"revenue": 1200}, expected_version=1)
    db.session.commit()
    response = client.post(f"/companies/{company.id}/edit", data={
        "csrf_token": csrf_token(form_page), "version_id": "1", "name": "并发企业有限公司", "notes": "我的修改"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-testid="stale-changes"' in body and "revenue" in body and "1200" in body
    db.session.expire_all()
    fresh = db.session.get(Company, company.id)
    assert fresh.notes is None and fresh.version_id == 2
    # Submitting again on the current version goes through.
    response = client.post(f"/companies/{company.id}/edit", data={
        "csrf_token": csrf_token(body), "version_id": "2", "name": "并发企业有限公司", "notes": "我的修改"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Company, company.id).notes == "我的修改"


def test_concurrent_flush_is_refused_by_the_version_column(db, make_user):
    import pytest
    from sqlalchemy import update
    from sqlalchemy.orm.exc import StaleDataError
    officer = make_user()
    from crm.companies.services import create_company
    company = create_company(db.session, officer, {"name": "乐观锁企业有限公司"})
    db.session.commit()
    # Another writer bumps the version behind this session's back.
    db.session.execute(update(Company).where(Company.id == company.id).values(version_id=5)
                       .execution_options(synchronize_session=False))
    company.notes = "late"
    with pytest.raises(StaleDataError):
        db.session.flush()
    db.session.rollback()


def test_invalid_company_input_is_refused_and_nothing_written(client, db, make_user, login):
    officer = make_user()
    login(officer)
    page = client.get("/companies/new").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "name": "坏代码企业", "uscc": "914403001922038217"}
    response = client.post("/companies/new", data=data)
    assert response.status_code == 200
    assert db.session.scalar(select(Company.id).where(Company.name == "坏代码企业")) is None
    body = response.get_data(as_text=True)
    assert "uscc" in body and "is-invalid" in body


def test_unit_admin_cannot_grant_privileged_roles(db, make_user, make_unit):
    import pytest
    from crm.core.errors import DomainError
    from crm.users.services import create_user
    unit = make_unit()
    unit_admin = make_user(("unit_admin",), unit=unit)
    with pytest.raises(DomainError):
        create_user(db.session, unit_admin, username="boss", name="x", unit_id=unit.id, roles={"city_leader"},
                    password=TEST_PASSWORD)
    other_unit = make_unit()
    with pytest.raises(DomainError):
        create_user(db.session, unit_admin, username="far", name="x", unit_id=other_unit.id, roles={"officer"},
                    password=TEST_PASSWORD)
    assert db.session.scalar(select(User.id).where(User.username.in_(["boss", "far"]))) is None
