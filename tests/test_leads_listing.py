"""The lead list: each filter, the follow-up and last-contact windows, the amount range and its bad
values, whitelisted sorting both ways, paging, and bad URL parameters."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from crm.companies.services import create_company
from crm.leads import listing, services, stages
from crm.security.scope import scope_for
from tests.test_leads_services import UTC, new_lead, world  # noqa: F401 - the shared fixture

TODAY = dt.date(2026, 3, 10)  # a Tuesday


@pytest.fixture
def leads(db, world):  # noqa: F811
    users = world["users"]
    beijing = create_company(db.session, users["a"], {"name": "北京测试投资有限公司", "county_code": "110105"})
    shanghai = create_company(db.session, users["a"], {"name": "上海测试投资有限公司", "county_code": "310115"})
    db.session.commit()

    def lead(title, company=None, who="a", **extra):
        return new_lead(db, {**world, "company": company or world["company"]}, who, title=title, **extra)

    made = {
        "bj": lead("北京项目", beijing, amount="8000", method="chain", next_followup=TODAY - dt.timedelta(days=3)),
        "sh": lead("上海项目", shanghai, amount="500", method="zone", next_followup=TODAY),
        "local": lead("本地项目", amount="20000", next_followup=TODAY + dt.timedelta(days=3)),
        "mgr": lead("科长的项目", who="a_mgr", next_followup=TODAY + dt.timedelta(days=9)),
        "other": lead("乙县项目", who="b", amount="100"),
    }
    stages.move(db.session, users["a"], made["local"], "negotiate", at=dt.datetime(2026, 3, 2, tzinfo=UTC))
    services.log_interaction(db.session, users["a"], made["bj"], kind="call", summary="电话",
                             at=dt.datetime(2026, 3, 5, 2, tzinfo=UTC), next_followup=TODAY - dt.timedelta(days=3))
    services.log_interaction(db.session, users["a"], made["sh"], kind="visit", summary="拜访",
                             at=dt.datetime(2025, 12, 1, 2, tzinfo=UTC), next_followup=TODAY)
    db.session.commit()
    return made


def titles(db, user, today=TODAY, **args) -> list[str]:
    filters = listing.filters_from_args({k: str(v) for k, v in args.items()}, today=today)
    return [row[0].title for row in db.session.execute(listing.lead_query(filters, scope_for(db.session, user)))]


def test_filters_narrow_the_list(db, world, leads):  # noqa: F811
    a = world["users"]["a"]
    assert set(titles(db, a)) == {"北京项目", "上海项目", "本地项目", "科长的项目"}  # never 乙县's
    assert titles(db, a, cluster="jjj") == ["北京项目"]
    assert titles(db, a, province="31") == ["上海项目"]
    assert titles(db, a, province="11", city="1101") == ["北京项目"]
    assert titles(db, a, stage="negotiate") == ["本地项目"]
    assert titles(db, a, method="zone") == ["上海项目"]
    assert titles(db, a, owner=world["users"]["a_mgr"].id) == ["科长的项目"]
    assert titles(db, a, unit=world["units"]["b"].id) == []
    assert set(titles(db, a, mine=1)) == {"北京项目", "上海项目", "本地项目"}
    assert titles(db, a, amount_min="1000", amount_max="10000") == ["北京项目"]
    assert set(titles(db, a, amount_min="8000")) == {"北京项目", "本地项目"}
    assert titles(db, world["users"]["leader"], unit=world["units"]["b"].id) == ["乙县项目"]


def test_segment_filter(db, world, leads):  # noqa: F811
    from crm.models import Chain, Segment
    chain = Chain(name="焦化产业链")
    db.session.add(chain)
    db.session.flush()
    segment = Segment(chain_id=chain.id, name="焦炉煤气", position="midstream")
    db.session.add(segment)
    db.session.flush()
    leads["sh"].segment_id = segment.id
    db.session.commit()
    assert titles(db, world["users"]["a"], segment=segment.id) == ["上海项目"]


def test_follow_up_and_last_contact_windows(db, world, leads):  # noqa: F811
    a = world["users"]["a"]
    assert titles(db, a, due="overdue") == ["北京项目"]
    assert titles(db, a, due="today") == ["上海项目"]
    assert set(titles(db, a, due="due")) == {"北京项目", "上海项目"}
    # This week runs to Sunday 15 March: 本地项目 (13th) is in, 科长的项目 (19th) is not.
    assert set(titles(db, a, due="week")) == {"上海项目", "本地项目"}
    assert titles(db, a, contact="7") == ["北京项目"]
    assert set(titles(db, a, contact="90")) == {"北京项目"}
    assert set(titles(db, a, contact="over90")) == {"上海项目", "本地项目", "科长的项目"}  # never counts


def test_last_contact_is_kept_current_by_the_contact_log(db, world, leads):  # noqa: F811
    lead = leads["bj"]
    assert lead.last_contact_at.replace(tzinfo=UTC) == dt.datetime(2026, 3, 5, 2, tzinfo=UTC)
    services.log_interaction(db.session, world["users"]["a"], lead, kind="call", summary="更早的电话",
                             at=dt.datetime(2026, 3, 1, 2, tzinfo=UTC))
    assert lead.last_contact_at.replace(tzinfo=UTC) == dt.datetime(2026, 3, 5, 2, tzinfo=UTC)  # not older
    services.log_interaction(db.session, world["users"]["a"], lead, kind="call", summary="新的电话",
                             at=dt.datetime(2026, 3, 9, 2, tzinfo=UTC))
    assert lead.last_contact_at.replace(tzinfo=UTC) == dt.datetime(2026, 3, 9, 2, tzinfo=UTC)


@pytest.mark.parametrize("sort, ascending, descending", [
    # Leads without a figure or date come last whichever the direction; ties go by id.
    ("amount", ["上海项目", "北京项目", "本地项目", "科长的项目"], ["本地项目", "北京项目", "上海项目", "科长的项目"]),
    ("stage", ["北京项目", "上海项目", "科长的项目", "本地项目"], ["本地项目", "科长的项目", "上海项目", "北京项目"]),
    ("followup", ["北京项目", "上海项目", "本地项目", "科长的项目"], ["科长的项目", "本地项目", "上海项目", "北京项目"]),
    ("contact", ["上海项目", "北京项目", "本地项目", "科长的项目"], ["北京项目", "上海项目", "科长的项目", "本地项目"]),
])
def test_sorting_both_ways(db, world, leads, sort, ascending, descending):  # noqa: F811
    assert titles(db, world["users"]["a"], sort=sort, dir="asc") == ascending
    assert titles(db, world["users"]["a"], sort=sort, dir="desc") == descending


def test_sorting_by_company_name(db, world, leads):  # noqa: F811
    def names(direction):
        filters = listing.filters_from_args({"sort": "company", "dir": direction}, today=TODAY)
        return [row.company_name for row in db.session.execute(
            listing.lead_query(filters, scope_for(db.session, world["users"]["a"])))]
    ascending = names("asc")
    assert len(set(ascending)) == 3 and ascending == list(reversed(names("desc")))
    assert ascending.index("线索测试集团有限公司") in (0, 2) and ascending.count("线索测试集团有限公司") == 2


def test_first_reported_is_the_default_order(db, world, leads):  # noqa: F811
    late = new_lead(db, world, "a", title="最新首报", now=dt.datetime(2026, 3, 5, tzinfo=UTC))
    assert titles(db, world["users"]["a"])[0] == late.title
    assert titles(db, world["users"]["a"], sort="first", dir="asc")[-1] == late.title


def test_amount_range_problems_leave_the_range_out_with_a_message(client, db, world, leads, login):  # noqa: F811
    login(world["users"]["a"])
    client.set_cookie("lang", "en")
    for query in ("amount_min=abc", "amount_min=-5", "amount_max=1e999", "amount_min=900&amount_max=100",
                  "amount_min=NaN"):
        response = client.get(f"/leads/?{query}")
        html = response.get_data(as_text=True)
        assert response.status_code == 200, query
        assert 'data-testid="filter-error"' in html, query
        assert "北京项目" in html and "上海项目" in html, query  # the range was left out, not the list
    html = client.get("/leads/?amount_min=1,000&amount_max=9000").get_data(as_text=True)
    assert "北京项目" in html and "上海项目" not in html and 'data-testid="filter-error"' not in html
    filters = listing.filters_from_args({"amount_min": "900", "amount_max": "100"}, today=TODAY)
    assert filters.amount_min is None and filters.amount_max is None and filters.errors


@pytest.mark.parametrize("query, name", [
    ("stage=nowhere", "stage"), ("method=x", "method"), ("owner=abc", "owner"), ("unit=-1", "unit"),
    ("segment=1.5", "segment"), ("province=99", "province"), ("city=abc", "city"), ("province=14&city=1101", "city"),
    ("cluster=mars", "cluster"), ("due=soon", "due"), ("contact=5", "contact"), ("sort=title", "sort"),
    ("dir=up", "dir"), ("page=abc", "page"), ("mine=yes", "mine"),
])
def test_bad_parameters_get_a_clear_400(client, world, login, query, name):  # noqa: F811
    login(world["users"]["a"])
    for url in ("/leads/", "/leads/board/") if name != "page" else ("/leads/", "/leads/board/column/clue"):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400, (url, query)
        assert name in response.get_data(as_text=True), (url, query)


def test_paging_and_sort_links(client, db, world, login):  # noqa: F811
    for i in range(53):
        new_lead(db, world, "a", title=f"分页项目{i:02d}", amount=str(i),
                 now=dt.datetime(2026, 1, 1, tzinfo=UTC) + dt.timedelta(hours=i))
    login(world["users"]["a"])
    first = client.get("/leads/?sort=amount&dir=desc").get_data(as_text=True)
    assert "分页项目52" in first and "分页项目02" not in first
    assert 'data-testid="sort-amount"' in first and "sort=amount&amp;dir=asc" in first
    second = client.get("/leads/?sort=amount&dir=desc&page=2").get_data(as_text=True)
    assert "分页项目02" in second and "分页项目00" in second and "分页项目52" not in second
    assert "53" in second  # the total under the pager
    assert Decimal(listing.filters_from_args({"amount_max": "7"}).amount_max) == Decimal(7)
