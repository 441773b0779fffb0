"""Issue 6's path in Chromium: a signed lead converts to a project, which enters this year's plan; an
approval is ticked 已办; a problem is raised, assigned (交办) to another county, taken in hand and answered
there, and closed (销号) by the assigning side only; a month's investment entered in the unit's grid moves
投资完成率 on the KPI page."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _rate(page, year: int) -> float:
    """The 调度口径 投资完成率 on the KPI page, in percent (a dash, with nothing planned, is 0)."""
    page.goto(f"/kpis/?year={year}")
    text = page.get_by_test_id("kpi-investment_completion_rate-value").inner_text().strip()
    found = re.search(r"-?[\d.]+", text.replace(",", ""))
    return float(found.group()) if found else 0.0


def test_lead_to_plan_approval_problem_and_month_moves_the_completion_rate(page, sign_in, new_context,
                                                                           screenshots_dir):
    today = dt.date.today()
    sign_in(page, "yd_officer")
    page.goto("/leads/new")
    page.locator("#lead-form input[name=term]").fill("宁德")
    page.get_by_test_id("company_id-results").locator("[data-pick-value]").first.click()
    page.locator("#lead-form input[name=title]").fill("储能电池重点项目全流程测试")
    page.locator("#lead-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/leads/\d+$"))
    signing = page.get_by_test_id("signing-form")
    signing.locator("select[name=kind]").select_option("contract")
    signing.locator("input[name=signed_on]").fill(today.isoformat())
    signing.locator("input[name=amount]").fill("80000")
    signing.locator("button[type=submit]").click()
    page.get_by_test_id("convert-form").locator("button").click()
    page.wait_for_url(re.compile(r"/projects/\d+$"))
    project_url = page.url
    project_id = int(project_url.rsplit("/", 1)[1])

    # This year's plan: 新开工, 12,000 万元 planned for the year.
    year_form = page.get_by_test_id("year-form")
    year_form.locator("input[name=year]").fill(str(today.year))
    year_form.locator("select[name=plan_list]").select_option("new")
    year_form.locator("input[name=planned_investment]").fill("12000")
    year_form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("project-name")).to_have_text("储能电池重点项目全流程测试")

    # Approvals: a 备案 project on 出让 land; tick 项目备案 as done with its number.
    page.goto(project_url)
    profile = page.get_by_test_id("approval-profile-form")
    profile.locator("select[name=approval_type]").select_option("record")
    profile.locator("select[name=land_supply]").select_option("transfer")
    profile.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/projects/\d+#approvals$"))
    panel = page.get_by_test_id("approvals")
    row = panel.locator("[data-testid^=approval-item-]", has_text="项目备案").first
    item_id = (row.get_attribute("data-testid") or "").rsplit("-", 1)[1]
    row.get_by_test_id(f"approval-item-edit-{item_id}").click()
    form = page.get_by_test_id(f"approval-item-form-{item_id}")
    form.locator("select[name=status]").select_option("done")
    form.locator("input[name=doc_number]").fill(f"{today.year}-141002-38-03-000042")
    form.locator("input[name=authority]").fill("尧都区行政审批服务管理局")
    form.locator("input[name=approved_on]").fill(today.isoformat())
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/projects/\d+#approvals$"))
    expect(page.get_by_test_id(f"approval-item-status-{item_id}")).to_have_text("已办")

    # A problem, raised by the officer.
    page.get_by_test_id("raise-problem-link").click()
    problem_form = page.get_by_test_id("problem-form")
    problem_form.locator("#title").fill("电网接入容量不足")
    problem_form.locator("#kind").select_option("energy")
    problem_form.get_by_test_id("raise-problem").click()
    page.wait_for_url(re.compile(r"/problems/\d+$"))
    problem_url = page.url
    expect(page.get_by_test_id("problem-status")).to_have_text("已提出")

    # 交办 by the county's manager to 侯马市, with a deadline.
    manager = new_context().new_page()
    sign_in(manager, "yd_manager")
    manager.goto(problem_url)
    assign = manager.get_by_test_id("assign-form")
    assign.locator("#resp_unit_id").select_option(label="侯马市")
    assign.locator("#resp_person").fill("侯马供电公司 张工")
    assign.locator("#deadline").fill((today + dt.timedelta(days=10)).isoformat())
    assign.locator("button[type=submit]").click()
    expect(manager.get_by_test_id("problem-status")).to_have_text("已交办")

    # The responsible side takes it in hand and answers; it cannot close its own problem.
    responder = new_context().new_page()
    sign_in(responder, "hm_officer")
    responder.goto(problem_url)
    responder.get_by_test_id("accept-form").locator("button").click()
    expect(responder.get_by_test_id("problem-status")).to_have_text("办理中")
    answer = responder.get_by_test_id("answer-form")
    answer.locator("textarea[name=answer]").fill("已协调新增2000千伏安容量，下月送电")
    answer.locator("button[type=submit]").click()
    expect(responder.get_by_test_id("problem-status")).to_have_text("已反馈")
    expect(responder.get_by_test_id("close-form")).to_have_count(0)

    # 销号 from the assigning side.
    manager.goto(problem_url)
    close = manager.get_by_test_id("close-form")
    close.locator("input[name=note]").fill("已送电，销号")
    close.locator("button[type=submit]").click()
    expect(manager.get_by_test_id("problem-status")).to_have_text("已销号")
    expect(manager.get_by_test_id("problem-steps")).to_contain_text("已送电，销号")

    # The month's investment in the unit's grid moves 投资完成率.
    before = _rate(page, today.year)
    page.goto(f"/projects/monthly?year={today.year}&month={today.month}")
    page.get_by_test_id(f"c-{project_id}-completed").fill("3000")
    page.get_by_test_id(f"c-{project_id}-progress").fill("厂房基础施工")
    page.get_by_test_id("grid-save").click()
    page.wait_for_url(re.compile(r"/projects/monthly\?"))
    expect(page.get_by_test_id(f"cum-{project_id}")).to_contain_text("3,000.00")
    expect(page.get_by_test_id(f"pct-{project_id}")).to_have_text("25.00%")  # 3,000 of 12,000
    after = _rate(page, today.year)
    assert after > before, (before, after)
    page.screenshot(path=screenshots_dir / "kpis.png", full_page=True)
