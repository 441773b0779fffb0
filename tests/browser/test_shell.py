"""The application shell in a real browser: sign-in per role, phone layout, language, masking, screenshots."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from crm.demo.data import USERS

pytestmark = pytest.mark.browser

NAMES = {username: name for username, name, _unit, _roles in USERS}
SCREENSHOT_USERS = {"admin", "yd_officer"}
PHONE = {"width": 375, "height": 812}
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("username", list(NAMES))
def test_each_role_signs_in_to_the_dashboard(page, sign_in, screenshots_dir, username):
    sign_in(page, username)
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.get_by_test_id("dashboard-title")).to_be_visible()
    expect(page.get_by_test_id("dashboard-cards")).to_be_visible()
    expect(page.get_by_test_id("card-plan-count")).to_have_text(re.compile(r"^\s*\d[\d,]*\s*$"))
    expect(page.get_by_test_id("user-menu")).to_be_visible()
    expect(page.get_by_test_id("user-menu")).to_have_text(NAMES[username])
    if username in SCREENSHOT_USERS:
        page.screenshot(path=screenshots_dir / f"dashboard-{username}.png", full_page=True, animations="disabled")


@pytest.mark.browser_context_args(viewport=PHONE, is_mobile=True, has_touch=True)
def test_phone_layout(new_context, sign_in, screenshots_dir):
    page = new_context().new_page()
    sign_in(page, "yd_officer")
    toggler = page.locator("button.navbar-toggler")
    expect(toggler).to_be_visible()
    nav_links = page.locator("#mainNav .navbar-nav .nav-link")
    expect(nav_links.first).to_be_hidden()
    toggler.click()
    expect(page.locator("#mainNav")).to_have_class(re.compile(r"\bshow\b"))
    expect(nav_links.first).to_be_visible()
    expect(page.get_by_test_id("user-menu")).to_be_visible()
    toggler.click()
    expect(page.locator("#mainNav")).not_to_have_class(re.compile(r"\b(show|collapsing)\b"))
    expect(nav_links.first).to_be_hidden()  # the collapse transition has finished
    toggler.blur()
    cards = page.get_by_test_id("dashboard-cards")
    expect(cards).to_be_visible()
    expect(page.get_by_test_id("card-plan-count")).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = cards.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    page.screenshot(path=screenshots_dir / "phone-dashboard.png", full_page=True, animations="disabled")


def test_language_switch(page, sign_in):
    sign_in(page, "yd_officer")
    title = page.get_by_test_id("dashboard-title")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(title).to_have_text(CJK)  # the UI is Chinese by default
    switch = page.get_by_test_id("language-switch")
    expect(switch).to_have_text("English")

    switch.click()
    page.wait_for_url("**/dashboard")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(title).to_have_text("Dashboard")
    expect(switch).to_have_text("中文")

    switch.click()
    page.wait_for_url("**/dashboard")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(title).to_have_text(CJK)
    expect(title).not_to_have_text("Dashboard")
    expect(switch).to_have_text("English")


@pytest.mark.parametrize(("username", "phone", "masked"), [
    ("yd_officer", "13900001111", False),  # 王经理 belongs to 尧都区, the officer's own unit
    ("hm_officer", "139****1111", True),   # 侯马市 sees another unit's contact masked
])
def test_contact_phone_masked_outside_the_owning_unit(page, sign_in, username, phone, masked):
    sign_in(page, username)
    page.goto("/companies/")
    box = page.get_by_test_id("company-filters").locator("input[name=q]")  # not the navbar's search box
    box.fill("京东方")
    box.press("Enter")
    page.wait_for_url(re.compile(r"[?&]q=%E4%BA%AC%E4%B8%9C%E6%96%B9"))
    table = page.get_by_test_id("company-table")
    link = table.get_by_role("link", name="京东方科技集团股份有限公司")
    expect(link).to_have_count(1)
    link.click()
    page.wait_for_url(re.compile(r"/companies/\d+$"))
    contact = page.get_by_test_id("contacts").locator("li", has_text="王经理")
    expect(contact.get_by_test_id("contact-phone")).to_have_text(phone)
    expect(contact.locator(".badge")).to_have_count(1 if masked else 0)
    assert "13900001111" not in page.content() or not masked


def test_login_page_screenshot(page, screenshots_dir):
    page.goto("/login")
    expect(page.locator("input[name=username]")).to_be_visible()
    expect(page.locator("input[name=password]")).to_be_visible()
    expect(page.get_by_test_id("language-switch")).to_be_visible()
    page.screenshot(path=screenshots_dir / "login.png", full_page=True, animations="disabled")


def test_companies_page_screenshot(page, sign_in, screenshots_dir):
    sign_in(page, "admin")
    page.goto("/companies/")
    table = page.get_by_test_id("company-table")
    expect(table).to_be_visible()
    expect(table.get_by_role("link", name="京东方科技集团股份有限公司")).to_be_visible()
    page.screenshot(path=screenshots_dir / "companies.png", full_page=True, animations="disabled")
