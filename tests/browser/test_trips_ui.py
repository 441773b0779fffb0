"""A trip in Chromium: create it with a destination from the division cascade, then add a visit to a
company picked by search; the visit shows on the trip page and in the company's contact log."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_create_a_trip_and_add_a_visit(page, sign_in, screenshots_dir):
    sign_in(page, "yd_manager")
    page.goto("/trips/")
    page.get_by_test_id("new-trip").click()
    today = dt.date.today()
    page.locator("input[name=title]").fill("长三角新材料招商行")
    page.locator("input[name=start_on]").fill((today - dt.timedelta(days=2)).isoformat())
    page.locator("input[name=end_on]").fill(today.isoformat())
    page.locator("#province_code").select_option("31")
    expect(page.locator("#city_code option[value='3101']")).to_have_count(1)
    page.locator("#city_code").select_option("3101")
    page.locator("textarea[name=team]").fill("招商科 张三、李四")
    page.locator("#trip-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/trips/\d+$"))
    expect(page.get_by_test_id("trip-destination")).to_contain_text("上海市")
    page.locator("input[name=term][hx-get*=search]").fill("京东方")
    page.get_by_test_id("company_id-results").locator("button").first.click()
    expect(page.get_by_test_id("company-label")).to_have_text("京东方科技集团股份有限公司")
    page.locator("textarea[name=summary]").fill("拜访京东方总部，介绍临汾新材料园区")
    page.locator("input[name=next_step]").fill("寄送园区政策材料")
    page.get_by_test_id("visit-form").locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/trips/\d+#visits$"))
    visits = page.get_by_test_id("visits")
    expect(visits).to_contain_text("拜访京东方总部")
    page.screenshot(path=screenshots_dir / "trip-detail.png", full_page=True)
    visits.get_by_role("link", name="京东方科技集团股份有限公司").click()
    page.wait_for_url(re.compile(r"/companies/\d+$"))
    expect(page.get_by_test_id("company-timeline")).to_contain_text("拜访京东方总部")
    expect(page.get_by_test_id("company-timeline")).to_contain_text("长三角新材料招商行")
