"""Global search in Chromium: the navbar box on any page, grouped results, through to a company; on a phone."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


def test_search_from_the_navbar_to_a_company(page, sign_in, screenshots_dir):
    sign_in(page, "yd_officer")
    page.goto("/companies/")
    box = page.get_by_test_id("nav-search")
    expect(box).to_be_visible()
    box.fill("sxjm")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=sxjm$"))
    for kind in ("company", "contact", "lead", "project"):
        expect(page.get_by_test_id(f"group-{kind}")).to_be_visible()
    expect(page.get_by_test_id("count-company")).to_have_text(re.compile(r"^[1-9]\d*$"))
    expect(page.get_by_test_id("nav-search")).to_have_value("sxjm")
    hit = page.get_by_test_id("group-company").get_by_test_id("hit-company").first
    expect(hit).to_contain_text("山西焦煤")
    page.screenshot(path=screenshots_dir / "search-results.png", full_page=True, animations="disabled")
    name = hit.inner_text()
    hit.click()
    page.wait_for_url(re.compile(r"/companies/\d+$"))
    expect(page.locator("h1")).to_contain_text(name)


@pytest.mark.browser_context_args(viewport=PHONE, is_mobile=True, has_touch=True)
def test_search_on_a_phone(new_context, sign_in, screenshots_dir):
    page = new_context().new_page()
    sign_in(page, "yd_officer")
    box = page.get_by_test_id("nav-search")
    expect(box).to_be_visible()  # in the bar itself, without opening the menu
    expect(page.locator("#mainNav .navbar-nav .nav-link").first).to_be_hidden()
    box.fill("焦煤")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q="))
    expect(page.get_by_test_id("group-company").get_by_test_id("hit-company").first).to_contain_text("焦煤")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=screenshots_dir / "phone-search.png", full_page=True, animations="disabled")


def test_live_dropdown_while_typing(page, sign_in, screenshots_dir):
    sign_in(page, "yd_officer")
    box = page.get_by_test_id("nav-search")
    box.fill("焦煤")
    dropdown = page.get_by_test_id("nav-suggest")
    first = dropdown.get_by_test_id("suggest-company").first
    expect(first).to_contain_text("焦煤")
    expect(dropdown.get_by_test_id("suggest-all")).to_be_visible()
    page.screenshot(path=screenshots_dir / "search-dropdown.png", animations="disabled")
    box.press("Escape")
    expect(dropdown.get_by_test_id("suggest-all")).to_have_count(0)
    box.fill("焦煤集团")
    first = dropdown.get_by_test_id("suggest-company").first
    expect(first).to_be_visible()
    first.click()
    page.wait_for_url(re.compile(r"/companies/\d+$"))
    expect(page.locator("h1")).to_contain_text("焦煤")
