"""The dashboard page: cards in 亿元 with both 口径 labelled, filters and 400s naming the parameter, a closed
period picked from the URL, the per-officer chart for managers only, chart data in a JSON block (no inline
script or style), and / leading to the dashboard."""
from __future__ import annotations

import json
import re

import pytest

from crm.kpis import snapshots
from tests import dashboard_world


@pytest.fixture
def world(db, make_unit, make_user):
    return dashboard_world.build(db, make_unit, make_user)


def _cell(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</', html, re.S)
    assert match, testid
    return match.group(1).strip()


def _data(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>', html, re.S)
    assert match
    return json.loads(match.group(1))


def test_home_leads_to_the_dashboard_of_the_plan_year(client, world, login):
    login(world["users"]["admin"])
    assert client.get("/").headers["Location"].endswith("/dashboard")
    response = client.get("/dashboard")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # The plan_year setting (2022) is the default; live figures stand at 31 Dec 2022.
    assert "2022-12-31" in _cell(html, "dashboard-as-of")
    assert _cell(html, "card-plan-count") == "10"
    assert _cell(html, "card-plan-total") == "1.1"          # 10,800 万元
    assert _cell(html, "card-plan-planned") == "0.4"        # 4,100 万元
    assert _cell(html, "card-active-count") == "6"
    assert _cell(html, "card-signings-count") == "3"
    assert _cell(html, "card-entered") == "1"
    assert _cell(html, "rate-new_start_rate-value") == "60.00%"
    assert _cell(html, "rate-new_start_rate-confirmed") == "40.00%"
    assert "90.00%" in _cell(html, "rate-new_start_rate-target") and "-30.00" in html
    assert "88.78" in _cell(html, "rate-investment_completion_rate-schedule")
    assert "调度口径" in html and "认定/统计口径" in html
    assert "<script>" not in html and "style=" not in html
    data = _data(html)
    assert data["rank"] == "start_resume_rate"
    assert [r["value"] for r in data["ranking"]["investment_completion_rate"]["沿汾"]] == [15.0, 10.81]
    assert data["funnel"]["total"] == 4 and data["officers"][0]["count"] == 3


def test_the_per_officer_chart_is_hidden_from_officers(client, world, login):
    login(world["users"]["a"])
    html = client.get("/dashboard").get_data(as_text=True)
    assert 'data-testid="chart-officers"' not in html and _data(html)["officers"] is None
    assert _cell(html, "card-active-count") == "6"  # the aggregates are the city's for everyone
    login(world["users"]["leader"])  # a county leader manages officers
    html = client.get("/dashboard").get_data(as_text=True)
    assert 'data-testid="chart-officers"' in html and _data(html)["officers"]


@pytest.mark.parametrize("query, name", [
    ("year=abc", "year"), ("year=1800", "year"), ("list=planned", "list"), ("unit=99999999", "unit"),
    ("chain=99999999", "chain"), ("period=13", "period"), ("period=5", "period"), ("rank=amount", "rank"),
])
def test_bad_filters_are_a_400_naming_the_parameter(client, world, login, query, name):
    login(world["users"]["admin"])
    response = client.get(f"/dashboard?{query}")
    assert response.status_code == 400
    assert name in response.get_data(as_text=True)


def test_filters_and_a_closed_period(client, world, login, db):
    login(world["users"]["admin"])
    units = world["units"]
    html = client.get(f"/dashboard?year=2022&unit={units['b'].id}&list=continuing&rank=new_start_rate"
                      ).get_data(as_text=True)
    assert _cell(html, "card-plan-count") == "2" and _cell(html, "card-active-count") == "1"  # C2 of C2, C3
    assert _data(html)["rank"] == "new_start_rate"
    html = client.get(f"/dashboard?chain={world['chain'].id}").get_data(as_text=True)
    assert _cell(html, "card-plan-count") == "2"
    snapshots.take(db.session, world["users"]["admin"], 2022, 3)
    db.session.commit()
    html = client.get("/dashboard?year=2022&period=3").get_data(as_text=True)
    assert 'data-testid="dashboard-closed"' in html and "2022-03-31" in html
    assert _cell(html, "card-active-count") == "4"
    assert 'data-testid="rate-start_resume_rate-compare"' in html
    assert _cell(html, "rate-start_resume_rate-value") == "44.44%"
    # The chain filter on the closed period: the chain's N1 and C1, both started or resumed by 31 March.
    html = client.get(f"/dashboard?year=2022&period=3&chain={world['chain'].id}").get_data(as_text=True)
    assert _cell(html, "card-plan-count") == "2" and _cell(html, "rate-start_resume_rate-value") == "100.00%"


def test_a_period_closed_before_chains_were_kept_refuses_a_chain(client, world, login, db):
    from crm.models import PeriodClose
    close = snapshots.take(db.session, world["users"]["admin"], 2022, 3)
    db.session.get(PeriodClose, close.id).chains_kept = False  # as migration 0016 marks the older closes
    db.session.commit()
    login(world["users"]["admin"])
    response = client.get(f"/dashboard?year=2022&period=3&chain={world['chain'].id}")
    assert response.status_code == 400 and "2022-03" in response.get_data(as_text=True)
    assert client.get("/dashboard?year=2022&period=3").status_code == 200  # every chain: as closed
