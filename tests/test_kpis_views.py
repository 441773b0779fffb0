"""The KPI page: filters, 400s naming the parameter, both 口径 and targets shown, scope-limited exception
lists, the NAV entry, and the investment figure moving when a month's investment is entered in the grid."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from tests import kpi_world
from tests.conftest import csrf_token


@pytest.fixture
def world(db, make_unit, make_user):
    return kpi_world.build(db, make_unit, make_user)


def _cell(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</', html, re.S)
    assert match, testid
    return match.group(1).strip()


def _exceptions(html: str, key: str) -> str:
    return html.split(f'data-testid="kpi-{key}-exceptions"', 1)[1].split("</details>", 1)[0]


def test_page_shows_both_figures_targets_and_exceptions(client, world, login):
    login(world["users"]["admin"])
    response = client.get("/kpis/?year=2022&as_of=2022-04-01")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # 新开工率 on 1 April: 2/5 as reported, 1/5 confirmed; 75% in force (by 30 June): 40 − 75 = −35 points.
    assert _cell(html, "kpi-new_start_rate-value") == "40.00%"
    assert _cell(html, "kpi-new_start_rate-confirmed") == "20.00%"
    row = html.split('data-testid="kpi-new_start_rate"', 1)[1].split("</tr>", 1)[0]
    assert "75.00%" in row and "2022-06-30" in row and "-35.00" in row and "2022-03-31: 40.00% / 35.00%" in row
    # 投资完成率 through April: 380 + C4's 80 = 460 of 4100 = 11.2195…% → 11.22.
    assert _cell(html, "kpi-investment_completion_rate-value") == "11.22%"
    assert 'data-testid="kpi-investment_completion_rate-schedule"' in html
    keys = ("resume_rate", "contract_performance_rate", "funds_arrival_rate", "same_year_start_rate")
    assert all(f'data-testid="kpi-{key}"' in html for key in keys)
    assert "N4 道路" in _exceptions(html, "new_start_rate")
    assert "超时限未开工" in _exceptions(html, "contract_performance_rate")
    assert "<script>" not in html and "style=" not in html


def test_exception_lists_are_limited_to_the_scope_and_figures_are_not(client, world, login):
    login(world["users"]["b"])
    html = client.get("/kpis/?year=2022&as_of=2022-03-31").get_data(as_text=True)
    assert _cell(html, "kpi-new_start_rate-value") == "40.00%"  # the city's figure
    named = _exceptions(html, "new_start_rate")
    assert "N4 道路" in named and "N5 学校" in named and "N3 医院" not in named and "N2 物流园" not in named
    # A unit picked in the filter narrows the figures (甲县 with its zone: 2/3).
    html = client.get(f"/kpis/?year=2022&as_of=2022-03-31&unit={world['units']['a'].id}").get_data(as_text=True)
    assert _cell(html, "kpi-new_start_rate-value") == "66.67%"
    assert "N3 医院" not in _exceptions(html, "new_start_rate")
    html = client.get("/kpis/?year=2022&as_of=2022-03-31&list=preparing").get_data(as_text=True)
    assert _cell(html, "kpi-new_start_rate-value") == "—"  # no new-start project in the 前期 list


@pytest.mark.parametrize("query, name", [
    ("year=abc", "year"), ("year=1999", "year"), ("list=other", "list"), ("unit=x", "unit"),
    ("unit=999999", "unit"), ("year=2022&as_of=2022-13-01", "as_of"), ("year=2022&as_of=2023-01-01", "as_of"),
])
def test_bad_filters_are_400_naming_the_parameter(client, world, login, query, name):
    login(world["users"]["a"])
    response = client.get(f"/kpis/?{query}")
    assert response.status_code == 400
    assert name in response.get_data(as_text=True)


def test_nav_entry_and_permission(client, world, login, make_user):
    login(world["users"]["a"])
    html = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/kpis/"' in html
    html = client.get("/kpis/").get_data(as_text=True)  # defaults: this year, as of today
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()  # the house zone, Asia/Shanghai
    assert f'name="year" value="{today.year}"' in html and f'value="{today.year}-' in html


def test_entering_a_months_investment_moves_the_figure(client, world, login):
    login(world["users"]["a"])
    url = "/kpis/?year=2022&as_of=2022-05-31&unit={}".format(world["units"]["a"].id)
    # 甲县 with its zone through May: planned N1 1200 + N2 600 + C1 1000 + C4 800 + P1 100 = 3700;
    # completed N1 200 + C1 120 + C4 80 = 400 → 10.81%.
    assert _cell(client.get(url).get_data(as_text=True), "kpi-investment_completion_rate-value") == "10.81%"
    grid = client.get("/projects/monthly?year=2022&month=5").get_data(as_text=True)
    p1 = world["p"]["P1"].id
    response = client.post("/projects/monthly?year=2022&month=5",
                           data={"csrf_token": csrf_token(grid), "project": [str(p1)], f"c-{p1}-completed": "370"})
    assert response.status_code == 302
    # (400 + 370) / 3700 = 20.81%
    assert _cell(client.get(url).get_data(as_text=True), "kpi-investment_completion_rate-value") == "20.81%"
