"""The company form in Chromium: location cascade, industry and parent pickers, duplicates step, merge."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_company_form_pickers_duplicates_and_merge(page, sign_in, screenshots_dir):
    shots = screenshots_dir
    sign_in(page, "yd_manager")
    page.goto("/companies/new")
    page.locator("#province_code").select_option("14")
    expect(page.locator("#city_code option[value='1410']")).to_have_count(1)
    page.locator("#city_code").select_option("1410")
    expect(page.locator("#county_code option[value='141002']")).to_have_count(1)
    page.locator("#county_code").select_option("141002")
    page.locator("input[name=term][hx-get*=industries]").fill("钢")
    page.get_by_test_id("industry_code-results").locator("[data-pick-value='3130']").click()
    expect(page.locator("input[name=industry_code]")).to_have_value("3130")
    expect(page.get_by_test_id("industry-label")).to_have_text("钢压延加工")
    page.locator("input[name=term][hx-get*=search]").fill("京东方")
    page.get_by_test_id("parent_id-results").locator("button").first.click()
    expect(page.get_by_test_id("parent-label")).to_have_text("京东方科技集团股份有限公司")
    page.locator("input[name=name]").fill("山西焦煤集团有限公司")
    page.screenshot(path=shots / "company-form.png", full_page=True)
    page.locator("#company-form button[type=submit]").click()
    expect(page.get_by_test_id("possible-duplicates")).to_be_visible()
    # The picks survive the round trip.
    expect(page.locator("#county_code")).to_have_value("141002")
    expect(page.get_by_test_id("parent-label")).to_have_text("京东方科技集团股份有限公司")
    page.locator("input[name=confirm_duplicates]").check()
    page.locator("#company-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/companies/\d+$"))
    expect(page.get_by_test_id("location")).to_have_text("山西省临汾市尧都区")
    page.get_by_test_id("merge-link").click()
    page.locator("input[name=term]").fill("山西焦煤集团有限责任")
    page.get_by_test_id("other-results").locator("button").first.click()
    expect(page.get_by_test_id("merge-moves")).to_be_visible()
    page.screenshot(path=shots / "company-merge.png", full_page=True)
    page.locator("input[name=confirm]").check()
    page.get_by_test_id("merge-confirm").locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/companies/\d+$"))
    page.goto("/companies/?sort=revenue")
    page.locator("#province").select_option("14")
    expect(page.locator("#city option[value='1410']")).to_have_count(1)
    page.locator("#city").select_option("1410")
    page.get_by_test_id("company-filters").locator("button.btn-outline-primary").click()
    page.wait_for_url(re.compile(r"city=1410"))
