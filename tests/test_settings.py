"""The typed settings registry and its admin page."""
from __future__ import annotations

import pytest

from crm.core.errors import DomainError
from crm.settings import REGISTRY, get, set_value
from tests.conftest import csrf_token


def test_defaults_and_types(db):
    assert get(db.session, "home_city_code") == "1410"
    assert get(db.session, "target_clusters") == ["jjj", "yrd", "gzpc"]
    targets = get(db.session, "kpi_targets")
    assert {"indicator": "new_start_rate", "list": "new", "checkpoint": "2022-06-30", "value": 75.0} in targets
    assert all(d.type in ("str", "int", "float", "bool", "choices", "table", "mapping") for d in REGISTRY.values())


@pytest.mark.parametrize("key,raw", [
    ("login_max_failures", "many"), ("login_max_failures", "1"), ("password_min_length", "999"),
    ("home_city_name", "  "), ("target_clusters", ["jjj", "mars"]),
    ("kpi_targets", [{"indicator": "new_start_rate", "list": "new", "checkpoint": "2022-13-01", "value": "35"}]),
    ("kpi_targets", [{"indicator": "bogus", "list": "new", "checkpoint": "2022-03-31", "value": "35"}]),
    ("kpi_targets", [{"indicator": "new_start_rate", "list": "new", "checkpoint": "2022-03-31", "value": "x"}]),
])
def test_bad_values_are_refused(db, key, raw):
    before = get(db.session, key)
    with pytest.raises(DomainError):
        set_value(db.session, None, key, raw)
    assert get(db.session, key) == before


def test_table_setting_round_trip(db):
    rows = [{"indicator": "resume_rate", "list": "continuing", "checkpoint": "2023-06-30", "value": "100"}]
    set_value(db.session, None, "kpi_targets", rows)
    db.session.commit()
    assert get(db.session, "kpi_targets") == [
        {"indicator": "resume_rate", "list": "continuing", "checkpoint": "2023-06-30", "value": 100.0}]


def test_admin_page_edits_a_table_and_reports_errors(client, db, make_user, login):
    login(make_user(("admin",)))
    page = client.get("/settings/").get_data(as_text=True)
    assert 'data-testid="setting-kpi_targets"' in page and "2022-03-31" in page
    form = client.get("/settings/kpi_targets").get_data(as_text=True)
    data = {"csrf_token": csrf_token(form), "row_count": "2",
            "row-0-indicator": "new_start_rate", "row-0-list": "new", "row-0-checkpoint": "2023-03-31",
            "row-0-value": "40", "row-1-indicator": "new_start_rate", "row-1-list": "new",
            "row-1-checkpoint": "bad-date", "row-1-value": "50"}
    response = client.post("/settings/kpi_targets", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-testid="form-error"' in body and "bad-date" in body
    assert get(db.session, "kpi_targets")[0]["checkpoint"] == "2022-03-31"  # nothing saved
    data["row-1-delete"] = "1"
    assert client.post("/settings/kpi_targets", data=data).status_code == 302
    db.session.expire_all()
    assert get(db.session, "kpi_targets") == [
        {"indicator": "new_start_rate", "list": "new", "checkpoint": "2023-03-31", "value": 40.0}]


def test_home_city_setting_drives_the_local_flag(db, make_user):
    from crm.companies.services import create_company
    set_value(db.session, None, "home_city_code", "3205")
    company = create_company(db.session, None, {"name": "苏州本地企业有限公司", "county_code": "320505"})
    assert company.is_local and company.cluster == "yrd"
