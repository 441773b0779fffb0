"""Approvals in Chromium on a 375-pixel phone: a new project gets its approval profile, the checklist
appears by stage, and one item is ticked 已办 through its inline form; the page does not scroll sideways."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


@pytest.mark.browser_context_args(viewport=PHONE, is_mobile=True, has_touch=True)
def test_profile_then_tick_an_item_on_a_phone(new_context, sign_in, screenshots_dir):
    page = new_context().new_page()
    sign_in(page, "yd_officer")
    page.goto("/projects/new")
    project = page.get_by_test_id("project-form")
    project.locator("input[name=name]").fill("前期手续界面测试项目")
    project.locator("select[name=source]").select_option("enterprise")
    project.locator("select[name=category]").select_option("industry")
    project.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/projects/\d+$"))

    profile = page.get_by_test_id("approval-profile-form")
    profile.locator("select[name=approval_type]").select_option("record")
    profile.locator("select[name=land_supply]").select_option("transfer")
    profile.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/projects/\d+#approvals$"))
    panel = page.get_by_test_id("approvals")
    expect(panel.get_by_test_id("approval-stage-1")).to_contain_text("立项用地规划许可")
    expect(panel.get_by_test_id("approvals-in-preparation")).to_be_visible()

    row = panel.locator("[data-testid^=approval-item-]", has_text="项目备案").first
    item_id = (row.get_attribute("data-testid") or "").rsplit("-", 1)[1]
    row.get_by_test_id(f"approval-item-edit-{item_id}").click()
    form = page.get_by_test_id(f"approval-item-form-{item_id}")
    form.locator("select[name=status]").select_option("done")
    form.locator("input[name=doc_number]").fill("2026-141002-26-03-000001")
    form.locator("input[name=authority]").fill("尧都区行政审批服务管理局")
    form.locator("input[name=approved_on]").fill("2026-03-02")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/projects/\d+#approvals$"))
    expect(page.get_by_test_id(f"approval-item-status-{item_id}")).to_have_text("已办")
    expect(page.get_by_test_id("approvals-summary")).to_contain_text("已办 1/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_test_id("approvals").screenshot(path=screenshots_dir / "phone-approvals.png", animations="disabled")
