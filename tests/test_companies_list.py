"""The company list: filters, whitelisted sorting, paging and visibility."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import update

from crm.companies.services import create_company
from crm.models import Company


@pytest.fixture
def listed(db, make_unit, make_user, client, login):
    """Seven companies with distinct places, industries, flags and revenues; an officer of another unit signed in."""
    owner = make_user(unit=make_unit("列表甲县"))
    rows = [
        # name, location, industry, revenue, flags
        ("列表测试晋南钢铁有限公司", "141002", "3120", 500, {"private500": True}),
        ("列表测试侯马钢压延有限公司", "141081", "3130", 900, {}),
        ("列表测试太原煤业有限公司", "140105", "0610", None, {"provincial_soe": True}),
        ("列表测试苏州电子有限公司", "320505", "3974", 300, {"listed": True, "world500": True}),
        ("列表测试北京显示有限公司", "110105", "3974", 1200, {"listed": True}),
        ("列表测试西安光伏有限公司", "610116", "3825", 50, {}),
        ("列表测试无地址有限公司", None, None, None, {}),
    ]
    made = {}
    for name, place, industry, revenue, flags in rows:
        made[name] = create_company(db.session, owner, {"name": name, "county_code": place, "industry_code": industry,
                                                        "revenue": revenue, **flags})
    db.session.flush()
    # Distinct creation times, in list order.
    for i, company in enumerate(made.values()):
        db.session.execute(update(Company).where(Company.id == company.id)
                           .values(created_at=dt.datetime(2026, 1, i + 1, 8, tzinfo=dt.timezone.utc)))
    db.session.commit()
    login(make_user(unit=make_unit("列表乙县")))
    return made


def names(client, query: str = "") -> list[str]:
    response = client.get("/companies/?q=列表测试" + query)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    html = response.get_data(as_text=True)
    table = html[html.index('data-testid="company-table"'):]
    return re.findall(r'<a href="/companies/\d+">(列表测试[^<]+)</a>', table)


def short(full: list[str]) -> list[str]:
    return [n.removeprefix("列表测试").removesuffix("有限公司") for n in full]


def test_every_unit_sees_every_company(client, listed):
    assert len(names(client)) == 7  # master data is shared; the signed-in officer owns none of them


@pytest.mark.parametrize(("query", "expected"), [
    ("&local=1", {"晋南钢铁", "侯马钢压延"}),
    ("&local=0", {"太原煤业", "苏州电子", "北京显示", "西安光伏", "无地址"}),
    ("&cluster=gzpc", {"晋南钢铁", "侯马钢压延", "西安光伏"}),  # 关中平原城市群; 太原 is not in it
    ("&cluster=yrd", {"苏州电子"}),
    ("&province=14", {"晋南钢铁", "侯马钢压延", "太原煤业"}),
    ("&province=14&city=1410", {"晋南钢铁", "侯马钢压延"}),
    ("&city=1101", {"北京显示"}),
    ("&industry=31", {"晋南钢铁", "侯马钢压延"}),
    ("&industry=3130", {"侯马钢压延"}),
    ("&industry=C", {"晋南钢铁", "侯马钢压延", "苏州电子", "北京显示", "西安光伏"}),  # section C: manufacturing
    ("&industry=B", {"太原煤业"}),
    ("&listed=1", {"苏州电子", "北京显示"}),
    ("&listed=1&world500=1", {"苏州电子"}),
    ("&private500=1", {"晋南钢铁"}),
    ("&provincial_soe=1", {"太原煤业"}),
    ("&listed=1&local=1", set()),
])
def test_filters(client, listed, query, expected):
    assert set(short(names(client, query))) == expected


def test_free_text_search_by_name_and_credit_code(client, db, listed):
    company = listed["列表测试苏州电子有限公司"]
    company.uscc = "914403001922038216"
    db.session.commit()
    html = client.get("/companies/?q=914403001922038216").get_data(as_text=True)
    assert re.findall(r'<a href="/companies/\d+">(列表测试[^<]+)</a>', html) == ["列表测试苏州电子有限公司"]
    html = client.get("/companies/?q=太原煤").get_data(as_text=True)
    assert "列表测试太原煤业有限公司" in html and "列表测试晋南钢铁有限公司" not in html


@pytest.mark.parametrize(("query", "expected"), [
    ("", ["侯马钢压延", "北京显示", "太原煤业", "无地址", "晋南钢铁", "苏州电子", "西安光伏"]),  # by name (code points)
    # Without a figure last, whichever the direction; ties by id in the same direction.
    ("&sort=revenue", ["北京显示", "侯马钢压延", "晋南钢铁", "苏州电子", "西安光伏", "无地址", "太原煤业"]),
    ("&sort=revenue&dir=asc", ["西安光伏", "苏州电子", "晋南钢铁", "侯马钢压延", "北京显示", "太原煤业", "无地址"]),
    ("&sort=created", ["无地址", "西安光伏", "北京显示", "苏州电子", "太原煤业", "侯马钢压延", "晋南钢铁"]),
    ("&sort=created&dir=asc", ["晋南钢铁", "侯马钢压延", "太原煤业", "苏州电子", "北京显示", "西安光伏", "无地址"]),
    ("&sort=name&dir=desc", ["西安光伏", "苏州电子", "晋南钢铁", "无地址", "太原煤业", "北京显示", "侯马钢压延"]),
])
def test_sorting(client, listed, query, expected):
    assert short(names(client, query)) == expected


@pytest.mark.parametrize("query", [
    "sort=id", "sort=name;drop", "dir=sideways", "province=99", "province=1410", "city=14", "province=14&city=3205",
    "industry=9999", "industry=%25", "listed=yes", "local=2", "cluster=mars", "page=0",
])
def test_bad_parameters_get_a_clear_400(client, listed, query):
    response = client.get(f"/companies/?{query}")
    assert response.status_code == 400
    assert "Parameter" in response.get_data(as_text=True) or "参数" in response.get_data(as_text=True)


def test_sort_links_keep_the_filters(client, listed):
    html = client.get("/companies/?province=14&listed=1&sort=revenue").get_data(as_text=True)
    link = re.search(r'data-testid="sort-revenue" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "province=14" in link and "listed=1" in link and "dir=asc" in link  # clicking again flips direction
    name_link = re.search(r'data-testid="sort-name" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "sort=name" in name_link and "dir=asc" in name_link


def test_paging(client, db, listed, make_user):
    owner = make_user()
    for i in range(55):
        create_company(db.session, owner, {"name": f"列表测试批量{i:02d}有限公司"})
    db.session.commit()
    first, second = names(client, "&sort=name"), names(client, "&sort=name&page=2")
    assert len(first) == 50 and len(second) == 12 and not set(first) & set(second)


def test_the_export_form_carries_the_list_filters(client, listed):
    html = client.get("/companies/?province=14&listed=1&sort=revenue").get_data(as_text=True)
    form = html[html.index('data-testid="export-form"'):html.index("</form>", html.index('data-testid="export-form"'))]
    assert 'name="province" value="14"' in form and 'name="listed" value="1"' in form
    assert 'name="sort"' not in form and 'data-testid="export-xlsx"' in form
