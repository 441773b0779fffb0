"""要素保障 in Chromium: the city enters a land pool, a county officer requests land from the project page's
panel, the city leader allocates part of it, and the overview and request pages fit a 375 px phone."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


def test_pool_request_allocate_and_phone_width(page, sign_in, new_context, screenshots_dir):
    year = str(dt.date.today().year)
    sign_in(page, "yd_officer")
    page.goto("/projects/new")
    form = page.get_by_test_id("project-form")
    form.locator("input[name=name]").fill("要素保障浏览器测试项目")
    form.locator("select[name=resp_unit_id]").select_option(label="尧都区")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/projects/\d+$"))
    project_url = page.url
    panel = page.get_by_test_id("project-factors")
    panel.locator("summary").click()
    request_form = panel.get_by_test_id("factor-request-form")
    request_form.locator("select[name=kind]").select_option("land")
    request_form.locator("input[name=amount]").fill("80")
    request_form.locator("textarea[name=purpose]").fill("一期厂房")
    request_form.get_by_test_id("request-factor").click()
    page.wait_for_url(re.compile(r"/projects/\d+#factors$"))
    expect(panel).to_contain_text("申请中")

    leader = new_context().new_page()
    sign_in(leader, "city_leader")
    leader.goto(f"/factors/pools?year={year}")
    pool_form = leader.get_by_test_id("pool-form")
    pool_form.locator("select[name=kind]").select_option("land")
    pool_form.locator("input[name=amount]").fill("500")
    pool_form.get_by_test_id("save-pool").click()
    expect(leader.get_by_test_id("pool-row-land")).to_contain_text("500")
    leader.goto(f"/factors/requests?year={year}")
    leader.get_by_test_id("request-list").get_by_role("link", name="要素保障浏览器测试项目").click()
    allocate = leader.get_by_test_id("allocate-form")
    allocate.locator("input[name=amount]").fill("50")
    allocate.locator("input[name=doc_no]").fill("临自然资〔2026〕8号")
    allocate.get_by_test_id("allocate").click()
    expect(leader.get_by_test_id("request-status")).to_have_text("部分保障")
    expect(leader.get_by_test_id("request-outstanding")).to_contain_text("30")

    page.goto(project_url)
    expect(page.get_by_test_id("project-factors")).to_contain_text("部分保障")

    phone = page
    phone.set_viewport_size(PHONE)
    for url in (f"/factors/?year={year}", f"/factors/requests?year={year}", project_url):
        phone.goto(url)
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], url
    phone.goto(f"/factors/?year={year}")
    expect(phone.get_by_test_id("requested-land")).to_have_text("80")
    phone.screenshot(path=screenshots_dir / "phone-factors.png", full_page=True, animations="disabled")
