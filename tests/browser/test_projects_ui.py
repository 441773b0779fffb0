"""A project in Chromium: a lead with a 正式合同 converts to a project, the project page takes an evidence
file, the move to 开工 with it waits for 认定, and a city leader confirms it from the review queue."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_convert_attach_evidence_start_and_confirm(page, sign_in, new_context, live_server, screenshots_dir,
                                                   tmp_path):
    sign_in(page, "yd_officer")
    page.goto("/leads/new")
    page.locator("#lead-form input[name=term]").fill("宁德")
    page.get_by_test_id("company_id-results").locator("[data-pick-value]").first.click()
    page.locator("#lead-form input[name=title]").fill("动力电池项目转化测试")
    page.locator("#lead-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/leads/\d+$"))
    lead_url = page.url

    signing = page.get_by_test_id("signing-form")
    signing.locator("select[name=kind]").select_option("contract")
    signing.locator("input[name=signed_on]").fill(dt.date.today().isoformat())
    signing.locator("input[name=amount]").fill("50000")
    signing.locator("button[type=submit]").click()
    page.get_by_test_id("convert-form").locator("button").click()
    page.wait_for_url(re.compile(r"/projects/\d+$"))
    project_url = page.url
    expect(page.get_by_test_id("project-name")).to_have_text("动力电池项目转化测试")
    expect(page.get_by_test_id("source-lead")).to_be_visible()

    # Without a file there is nothing to tick: the form says evidence is needed (the refusal itself is
    # covered by tests/test_projects_views.py; a 422 page would trip the console guard here).
    expect(page.get_by_test_id("stage-form")).to_contain_text("佐证材料")

    proof = tmp_path / "开工报告.pdf"
    proof.write_bytes(b"%PDF-1.4 start of works")
    page.get_by_test_id("evidence").locator("input[type=file]").set_input_files(str(proof))
    page.get_by_test_id("evidence").locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/projects/\d+#evidence$"))
    stage_form = page.get_by_test_id("stage-form")
    stage_form.locator("select[name=stage]").select_option("started")
    stage_form.get_by_label("开工报告.pdf").check()
    stage_form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/projects/\d+#stage$"))
    expect(page.get_by_test_id("project-stage")).to_have_text("开工")
    expect(page.get_by_test_id("stage-history")).to_contain_text("待认定")

    page.goto(lead_url)
    page.get_by_test_id("lead-project-link").click()
    page.wait_for_url(project_url)

    leader = new_context().new_page()
    sign_in(leader, "city_leader")
    leader.goto("/projects/review")
    item = leader.get_by_test_id("review-queue").locator("li", has_text="动力电池项目转化测试").filter(
        has_text="开工")
    expect(item).to_contain_text("开工报告.pdf")
    item.get_by_role("button", name="认定").click()
    leader.wait_for_url(re.compile(r"/projects/review$"))
    leader.goto(project_url)
    expect(leader.get_by_test_id("stage-history")).to_contain_text("已认定")
    leader.screenshot(path=screenshots_dir / "project-detail.png", full_page=True)
