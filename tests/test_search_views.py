"""The search page and the navbar box: grouped results with links, messages, visibility in the HTML."""
from __future__ import annotations

import re

import pytest

from crm.companies.services import create_company
from tests.search_world import build_world


@pytest.fixture
def world(db, make_unit, make_user):
    return build_world(db, make_unit, make_user)


def test_every_signed_in_page_has_the_search_box(client, world, login):
    login(world["users"]["a_officer"])
    for url in ("/dashboard", "/companies/", "/leads/", f"/companies/{world['companies']['coal'].id}"):
        html = client.get(url).get_data(as_text=True)
        assert re.search(r'<form[^>]*action="/search"[^>]*data-testid="nav-search-form"', html, re.S), url
        assert 'name="q"' in html


def test_the_sign_in_page_has_no_search_box(client, db):
    html = client.get("/login").get_data(as_text=True)
    assert "nav-search-form" not in html


def test_results_are_grouped_with_counts_and_links(client, world, login):
    login(world["users"]["city_leader"])
    response = client.get("/search", query_string={"q": "焦煤"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    groups = re.findall(r'data-testid="group-(\w+)"', html)
    assert groups == ["company", "contact", "lead", "project"]
    counts = dict(re.findall(r'data-testid="count-(\w+)">(\d+)<', html))
    assert counts == {"company": "1", "contact": "0", "lead": "1", "project": "1"}
    assert f'href="/companies/{world["companies"]["coal"].id}"' in html
    assert f'href="/leads/{world["leads"]["a"].id}"' in html
    assert "企业" in html and "项目" in html  # the group headings in Chinese
    # The navbar box keeps the text on the results page.
    assert re.search(r'data-testid="nav-search-form".*?value="焦煤"', html, re.S)


def test_an_officer_sees_no_other_units_lead_project_or_phone(client, world, login):
    login(world["users"]["a_officer"])
    html = client.get("/search", query_string={"q": "比亚迪"}).get_data(as_text=True)
    assert "比亚迪股份有限公司" in html
    assert "新能源汽车零部件基地" not in html and "比亚迪电池二期" not in html
    assert f'/leads/{world["leads"]["b"].id}"' not in html
    html = client.get("/search", query_string={"q": "李总"}).get_data(as_text=True)
    assert "138****2222" in html and "13800002222" not in html
    html = client.get("/search", query_string={"q": "13800002222"}).get_data(as_text=True)
    assert "李总" not in html


def test_see_all_pages_through_one_kind(client, db, world, login):
    for i in range(12):
        create_company(db.session, None, {"name": f"焦煤配套{i:02d}号有限公司"})
    db.session.commit()
    login(world["users"]["a_officer"])
    html = client.get("/search", query_string={"q": "焦煤"}).get_data(as_text=True)
    link = re.search(r'href="([^"]+)" data-testid="see-all-company"', html)
    assert link and "kind=company" in link.group(1)
    assert len(re.findall(r'data-testid="hit-company"', html)) == 10
    html = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert len(re.findall(r'data-testid="hit-company"', html)) == 13
    assert 'data-testid="group-lead"' not in html


@pytest.mark.parametrize("q, message", [("", "拼音首字母"), ("焦", "至少"), ("焦" * 101, "最多")])
def test_empty_short_and_long_queries_get_a_message(client, world, login, q, message):
    login(world["users"]["a_officer"])
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r'data-testid="search-message">[^<]*' + message, html), html[-2000:]
    assert 'data-testid="group-company"' not in html


def test_bad_kind_and_page_are_400(client, world, login):
    login(world["users"]["a_officer"])
    assert client.get("/search", query_string={"q": "焦煤", "kind": "nope"}).status_code == 400
    assert client.get("/search", query_string={"q": "焦煤", "kind": "lead", "page": "x"}).status_code == 400


def test_control_characters_in_q_are_ignored(client, world, login):
    login(world["users"]["a_officer"])
    response = client.get("/search?q=%00%E7%84%A6%E7%85%A4%09")  # NUL 焦煤 TAB
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'href="/companies/{world["companies"]["coal"].id}"' in html


def test_live_suggestions_are_grouped_and_scoped(client, world, login):
    login(world["users"]["a_officer"])
    html = client.get("/search/suggest", query_string={"q": "比亚迪"}).get_data(as_text=True)
    assert re.findall(r'data-testid="suggest-(\w+)"', html) == ["company", "all"]
    assert f'href="/companies/{world["companies"]["byd"].id}"' in html
    assert "新能源汽车零部件基地" not in html and "比亚迪电池二期" not in html
    html = client.get("/search/suggest", query_string={"q": "焦煤"}).get_data(as_text=True)
    assert re.findall(r'data-testid="suggest-(\w+)"', html) == ["company", "lead", "project", "all"]
    # A project links to its own page (search and project pages share the scope).
    assert html.count(f'href="/leads/{world["leads"]["a"].id}"') == 1
    assert f'href="/projects/{world["projects"]["a"].id}"' in html
    for q in ("", "焦"):
        response = client.get("/search/suggest", query_string={"q": q})
        assert response.status_code == 200 and "list-group" not in response.get_data(as_text=True)
