"""Project people in Chromium: a county leader's "my projects" on a 375-pixel-wide phone (most urgent card
first, no sideways scrolling, a card opening its project with the 专班), an officer adding a 专班 member
from the project page, and someone with no 包联 projects seeing the empty message."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


def test_my_projects_on_a_phone_then_add_a_team_member(page, sign_in, new_context, screenshots_dir):
    phone = new_context().new_page()  # the session's context arguments already name a viewport
    phone.set_viewport_size(PHONE)
    sign_in(phone, "yd_leader")
    phone.goto("/projects/mine/")
    cards = phone.get_by_test_id("mine-cards").locator("a.mine-card")
    expect(cards).to_have_count(3)
    first = cards.first
    expect(first).to_contain_text("尧都区锂电负极材料一体化项目")  # an overdue problem and a late start
    expect(first.get_by_test_id("mine-overdue-problems")).to_be_visible()
    expect(first).to_contain_text("尧都高新技术产业开发区")
    expect(cards.last).to_contain_text("尧都区职业教育实训基地")  # nothing pressing: last
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = first.bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]
    phone.screenshot(path=screenshots_dir / "my-projects-phone.png", full_page=True, animations="disabled")
    first.click()
    phone.wait_for_url(re.compile(r"/projects/\d+$"))
    team = phone.get_by_test_id("people-team")
    expect(team).to_contain_text("陈建国")
    expect(team).to_contain_text("13935700001")  # inside the 责任单位's county: in full
    expect(phone.get_by_test_id("people-leaders")).to_contain_text("市领导（演示）")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    sign_in(page, "yd_officer")
    page.goto(phone.url)
    form = page.get_by_test_id("member-form")
    form.locator("select[name=member-role]").select_option("agent")
    form.locator("input[name=member-name]").fill("周代办")
    form.locator("input[name=member-phone]").fill("139 3570 0002")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/projects/\d+#people$"))
    expect(page.get_by_test_id("people-team")).to_contain_text("13935700002")
    page.get_by_test_id("project-people").screenshot(path=screenshots_dir / "project-people.png",
                                                     animations="disabled")

    other = new_context().new_page()
    other.set_viewport_size(PHONE)
    sign_in(other, "hm_officer")
    other.goto("/projects/mine/")
    expect(other.get_by_test_id("mine-empty")).to_be_visible()
