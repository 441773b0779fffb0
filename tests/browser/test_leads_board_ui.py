"""A lead in Chromium: log a visit from its page, drag its card on the board (a legal move, then a refused
one), see the stage history; then the same lead from a 375-pixel-wide phone, and my work there."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


def log_contact(page, kind: str, summary: str) -> None:
    form = page.get_by_test_id("interaction-form")
    form.locator("select[name=kind]").select_option(kind)
    form.locator("textarea[name=summary]").fill(summary)
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("timeline")).to_contain_text(summary)


def test_visit_board_move_history_and_phone(page, sign_in, new_context, screenshots_dir):
    sign_in(page, "yd_officer")
    page.goto("/leads/new")
    page.locator("#lead-form input[name=term]").fill("隆基")
    page.get_by_test_id("company_id-results").locator("[data-pick-value]").first.click()
    expect(page.get_by_test_id("company-label")).to_have_text("隆基绿能科技股份有限公司")
    page.locator("#lead-form input[name=title]").fill("光伏组件看板测试项目")
    page.locator("#lead-form input[name=amount]").fill("5000")
    page.locator("#lead-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/leads/\d+$"))
    lead_url = page.url
    lead_id = lead_url.rsplit("/", 1)[1]

    log_contact(page, "visit", "赴西安总部拜访，洽谈组件项目落地")

    page.goto("/leads/board/")
    card = page.get_by_test_id(f"card-{lead_id}")
    expect(page.get_by_test_id("column-clue").get_by_test_id(f"card-{lead_id}")).to_be_visible()
    contacts_before = int(page.get_by_test_id("count-contact").inner_text())
    card.drag_to(page.get_by_test_id("column-contact"))
    message = page.get_by_test_id("board-message")
    expect(message).to_have_class(re.compile(r"alert-success"))
    expect(page.get_by_test_id("column-contact").get_by_test_id(f"card-{lead_id}")).to_be_visible()
    expect(page.get_by_test_id("count-contact")).to_have_text(str(contacts_before + 1))
    page.screenshot(path=screenshots_dir / "lead-board.png", full_page=True, animations="disabled")

    # Back to 线索 needs a manager: refused with the rule's message, and the card goes back.
    page.get_by_test_id(f"card-{lead_id}").drag_to(page.get_by_test_id("column-clue"))
    expect(message).to_have_class(re.compile(r"alert-danger"))
    expect(message).to_contain_text(re.compile("管理人员|manager"))
    expect(page.get_by_test_id("column-contact").get_by_test_id(f"card-{lead_id}")).to_be_visible()
    expect(page.get_by_test_id("count-contact")).to_have_text(str(contacts_before + 1))

    # 暂缓 asks for a reason first; cancelling the dialog puts the card back without a request.
    page.get_by_test_id(f"card-{lead_id}").drag_to(page.get_by_test_id("column-paused"))
    dialog = page.get_by_test_id("reason-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("button[value=cancel]").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("column-contact").get_by_test_id(f"card-{lead_id}")).to_be_visible()
    expect(page.get_by_test_id("count-paused")).to_have_text("0")

    page.goto(lead_url)
    history = page.get_by_test_id("stage-history")
    expect(history.locator("li").last).to_contain_text("接洽")
    expect(page.get_by_test_id("lead-stage")).to_contain_text("接洽")

    phone = new_context().new_page()  # the session's context arguments already name a viewport
    phone.set_viewport_size(PHONE)
    sign_in(phone, "yd_officer")
    phone.goto(lead_url)
    log_contact(phone, "call", "电话回访，对方确认下月来访")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.screenshot(path=screenshots_dir / "phone-lead-contact.png", full_page=True, animations="disabled")
    phone.goto("/leads/my/")
    expect(phone.get_by_test_id("bucket-assigned")).to_contain_text("光伏组件看板测试项目")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.screenshot(path=screenshots_dir / "phone-my-work.png", full_page=True, animations="disabled")
