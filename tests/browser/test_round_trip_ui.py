"""A county fills and re-imports its monthly template, a reviewer approves it, and the dashboard's
closed-period figures change after the close (issue 7's round trip).

尧都区's officer downloads the month's 月报 from the reporting page, fills it in with openpyxl (as Excel or
WPS would: amounts typed as 1.2亿 and 3,000万元), uploads it, reads the dry run (screenshot), imports and
sends it (已报); the city leader opens the round and approves it (已审), then closes the month (封账): the
dashboard, which offered no closed figures for the month before, now shows them for 尧都区, carrying the
imported investment.
"""
from __future__ import annotations

import io
import re

import openpyxl
import pytest
from playwright.sync_api import expect

from crm.leads.listing import local_today

pytestmark = pytest.mark.browser

AMOUNTS = ("1.2亿", "3,000万元", "800")


def _period() -> tuple[int, int]:
    # The month usually being reported is the previous one; in January the demo's plan is this year's, so
    # January itself (it has begun, so it can be sent).
    today = local_today()
    return today.year, (today.month - 1 if today.month > 1 else 1)


def _unit_row(page):
    rows = page.locator("tr[data-testid^='round-unit-']")
    return rows.filter(has=page.locator("td", has_text=re.compile(r"^尧都区$")))


def _fill(data: bytes) -> tuple[bytes, int]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book.active
    cols = {ws.cell(5, c).value: c for c in range(1, ws.max_column + 1) if ws.cell(5, c).value}
    rows = [r for r in range(6, ws.max_row + 1) if ws.cell(r, cols["project_id"]).value]
    for n, r in enumerate(rows):
        ws.cell(r, cols["this_month"]).value = AMOUNTS[n % len(AMOUNTS)]
        ws.cell(r, cols["progress"]).value = "主体施工（浏览器回传）"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), len(rows)


def test_a_county_fills_and_reimports_its_month_and_a_reviewer_approves_it(
        new_context, sign_in, tmp_path, screenshots_dir):
    year, month = _period()
    officer = new_context().new_page()
    sign_in(officer, "yd_officer")
    officer.goto(f"/reporting/?year={year}&month={month}")
    row = _unit_row(officer)
    expect(row).to_have_count(1)
    with officer.expect_download() as info:
        row.locator("[data-testid^='fill-file-']").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx") and "尧都区" in download.suggested_filename
    filled, projects = _fill(download.path().read_bytes())
    assert projects >= 2
    path = tmp_path / "尧都区月报.xlsx"
    path.write_bytes(filled)

    row.locator("[data-testid^='import-file-']").click()
    expect(officer.locator("select[name=unit_id] option:checked")).to_have_text("尧都区")
    officer.locator("input[name=file]").set_input_files(str(path))
    officer.get_by_test_id("upload-form").locator("button[type=submit]").click()
    expect(officer).to_have_url(re.compile(r"/imports/batch/\d+$"))
    review = officer.get_by_test_id("report-review")
    expect(review).to_contain_text("尧都区")
    expect(officer.get_by_test_id("count-error")).to_have_text("0")
    expect(officer.get_by_test_id("review-changes")).to_contain_text("12000.00")   # 1.2亿
    expect(officer.get_by_test_id("review-changes")).to_contain_text("3000.00")    # 3,000万元
    expect(officer.get_by_test_id("review-complete")).to_be_visible()
    expect(officer.get_by_test_id("skipped-rows")).to_contain_text("总计")
    expect(officer.get_by_test_id("option-send")).to_be_checked()
    officer.screenshot(path=screenshots_dir / "round-trip-dry-run.png", full_page=True, animations="disabled")
    officer.get_by_test_id("apply").click()
    expect(officer.get_by_test_id("revert")).to_be_visible()

    officer.goto(f"/reporting/?year={year}&month={month}")
    row = _unit_row(officer)
    expect(row.locator("[data-testid^='round-status-']")).to_contain_text("已报")
    expect(row.locator("[data-testid^='fill-file-']")).to_have_count(0)  # sent: no more filling in

    leader = new_context().new_page()
    sign_in(leader, "city_leader")
    leader.goto(f"/reporting/?year={year}&month={month}")
    _unit_row(leader).locator("[data-testid^='open-round-']").click()
    expect(leader.get_by_test_id("round-status")).to_contain_text("已报")
    leader.get_by_test_id("approve-form").locator("button[type=submit]").click()
    expect(leader.get_by_test_id("round-status")).to_contain_text("已审")

    # Before the close the dashboard has no closed figures for the month.
    leader.goto(f"/dashboard?year={year}")
    expect(leader.locator(f"#f-period option[value='{month}']")).to_have_count(0)
    leader.goto(f"/reporting/?year={year}&month={month}")
    leader.get_by_test_id("close-form").locator("button[type=submit]").click()
    expect(leader.get_by_test_id("period-closed")).to_be_visible()
    expect(_unit_row(leader).locator("[data-testid^='round-status-']")).to_contain_text("锁定")

    leader.goto(f"/dashboard?year={year}")
    filters = leader.get_by_test_id("dashboard-filters")
    filters.locator("#f-period").select_option(str(month))
    filters.locator("select[name=unit]").select_option(label="尧都区")
    filters.locator("button[type=submit]").click()
    expect(leader.get_by_test_id("dashboard-closed")).to_be_visible()
    text = leader.get_by_test_id("rate-investment_completion_rate-value").inner_text()
    found = re.search(r"[\d.]+", text.replace(",", ""))
    assert found and float(found.group()) > 0, text  # the imported 1.2亿 / 3,000万元 / 800 are in it
    leader.screenshot(path=screenshots_dir / "dashboard-closed.png", full_page=True, animations="disabled")
