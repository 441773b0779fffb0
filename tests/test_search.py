"""Global search (issue 4, item 9): matching, grouping, counts and visibility, on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from crm.core.errors import DomainError
from crm.search import matching
from tests.search_world import COAL_USCC, HUAWEI_USCC, build_world, ids, run


@pytest.fixture
def world(db, make_unit, make_user):
    return build_world(db, make_unit, make_user)


def test_company_by_full_name_comes_first(db, world):
    found = run(db, world["users"]["a_officer"], "山西焦煤集团有限责任公司")["company"]
    assert found.total == 1 and found.hits[0]["id"] == world["companies"]["coal"].id


def test_two_character_name_is_found(db, world):
    """焦煤 is shorter than a trigram: LIKE on the base table on SQLite, ILIKE on PostgreSQL."""
    groups = run(db, world["users"]["city_leader"], "焦煤")
    assert ids(groups["company"]) == {world["companies"]["coal"].id}
    assert ids(groups["project"]) == {world["projects"]["a"].id}
    # The lead's title does not say 焦煤; its investor's name does.
    assert ids(groups["lead"]) == {world["leads"]["a"].id}


def test_three_or_more_characters_and_short_name(db, world):
    user = world["users"]["a_officer"]
    assert ids(run(db, user, "焦煤集团")["company"]) == {world["companies"]["coal"].id}
    assert ids(run(db, user, "比亚迪")["company"]) == {world["companies"]["byd"].id}
    assert run(db, user, "焦煤集团公司")["company"].total == 0  # a substring, not a bag of characters


def test_uscc_exact_and_prefix_case_insensitive(db, world):
    user = world["users"]["a_officer"]
    assert ids(run(db, user, COAL_USCC)["company"]) == {world["companies"]["coal"].id}
    assert ids(run(db, user, COAL_USCC[:10].lower())["company"]) == {world["companies"]["coal"].id}
    assert ids(run(db, user, HUAWEI_USCC[:12])["company"]) == {world["companies"]["tech"].id}
    assert ids(run(db, user, "000983")["company"]) == {world["companies"]["coal"].id}  # stock code


def test_pinyin_initials(db, world):
    user = world["users"]["a_officer"]
    assert world["companies"]["coal"].name_initials == "sxjmjtyxzrgs"
    assert ids(run(db, user, "sxjm")["company"]) == {world["companies"]["coal"].id}
    assert ids(run(db, user, "SXJM")["company"]) == {world["companies"]["coal"].id}
    assert ids(run(db, user, "byd")["company"]) == {world["companies"]["byd"].id}
    assert run(db, user, "jmjt")["company"].total == 0  # initials match from the start


def test_contact_by_name_and_phone(db, world):
    user = world["users"]["a_officer"]
    wang = world["contacts"]["wang"]
    by_name = run(db, user, "王经理")["contact"]
    assert ids(by_name) == {wang.id} and by_name.hits[0]["phone"] == "13900001111"
    assert ids(run(db, user, "0000111")["contact"]) == {wang.id}
    assert ids(run(db, user, "139 0000 1111")["contact"]) == {wang.id}


def test_lead_by_title_and_project_by_name(db, world):
    leader = world["users"]["city_leader"]
    assert ids(run(db, leader, "深加工")["lead"]) == {world["leads"]["a"].id}
    assert ids(run(db, leader, "零部件")["lead"]) == {world["leads"]["b"].id}
    assert ids(run(db, leader, "比亚迪")["lead"]) == {world["leads"]["b"].id}  # by the investor's name
    assert ids(run(db, leader, "循环经济")["project"]) == {world["projects"]["a"].id}
    assert ids(run(db, leader, "电池")["project"]) == {world["projects"]["b"].id}


def test_grouping_counts_and_limit(db, world):
    from crm.companies.services import create_company
    for i in range(12):
        create_company(db.session, None, {"name": f"焦煤配套{i:02d}号有限公司"})
    db.session.commit()
    groups = run(db, world["users"]["city_leader"], "焦煤")
    assert list(groups) == ["company", "contact", "lead", "project"]
    assert (groups["company"].total, groups["contact"].total, groups["lead"].total, groups["project"].total) \
        == (13, 0, 1, 1)
    assert len(groups["company"].hits) == 10
    # The next page of one kind starts where the first stopped.
    rest = run(db, world["users"]["city_leader"], "焦煤", kinds=["company"], offset=10)["company"]
    assert rest.total == 13 and len(rest.hits) == 3 and not ids(rest) & ids(groups["company"])


def test_an_officer_finds_only_own_units_leads_and_projects(db, world):
    a_officer, leader = world["users"]["a_officer"], world["users"]["city_leader"]
    mine = run(db, a_officer, "比亚迪")
    assert ids(mine["company"]) == {world["companies"]["byd"].id}  # companies are master data
    assert mine["lead"].total == 0 and mine["lead"].hits == []
    assert mine["project"].total == 0 and mine["project"].hits == []
    theirs = run(db, leader, "比亚迪")
    assert ids(theirs["lead"]) == {world["leads"]["b"].id}
    assert ids(theirs["project"]) == {world["projects"]["b"].id}
    assert run(db, world["users"]["b_officer"], "焦煤")["lead"].total == 0


def test_another_units_contact_phone_is_neither_searchable_nor_shown(db, world):
    a_officer, leader = world["users"]["a_officer"], world["users"]["city_leader"]
    li = world["contacts"]["li"]
    assert run(db, a_officer, "13800002222")["contact"].total == 0
    assert run(db, a_officer, "00002222")["contact"].total == 0
    by_name = run(db, a_officer, "李总")["contact"]
    assert ids(by_name) == {li.id} and by_name.hits[0]["phone"] == "138****2222"
    found = run(db, leader, "00002222")["contact"]
    assert ids(found) == {li.id} and found.hits[0]["phone"] == "13800002222"


@pytest.mark.parametrize("text, expected", [("长50%", {"percent"}), ("0%", {"percent"}), ("50%材料", {"percent"}),
                                            ("焦_", set()), ("%%", set()), ("_煤集团", set()), ('"焦煤', set())])
def test_wildcards_and_quotes_are_literal(db, world, text, expected):
    found = run(db, world["users"]["a_officer"], text)["company"]
    assert ids(found) == {world["companies"][k].id for k in expected}


def test_bad_queries_are_refused_clearly():
    for raw in ("", "   ", "焦", "x" * (matching.MAX_LENGTH + 1)):
        with pytest.raises(DomainError) as caught:
            matching.parse(raw)
        assert caught.value.field == "q"
    assert matching.parse("a" * matching.MAX_LENGTH).code == "a" * matching.MAX_LENGTH
