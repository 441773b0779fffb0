"""The dashboard in Chromium: a city leader lands on it (the demo year), sees the seed's figures on the cards,
switches the ranking's indicator, finds the save-as-picture tool on every chart; at 375 px nothing scrolls
sideways. Screenshot: docs/screenshots/dashboard.png."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
CHARTS = ("ranking", "chains", "funnel", "clusters", "provinces", "stage_days", "overdue", "officers")


def test_seed_figures_ranking_switch_and_pictures(page, sign_in, screenshots_dir):
    sign_in(page, "city_leader")
    expect(page.get_by_test_id("dashboard-year")).to_have_text("2022")
    # The seed's plan: 1,031 projects, 4,190亿元, 907亿元; 521 started or resumed, 2,139.5亿元, 584亿元.
    for testid, text in (("card-plan-count", "1031"), ("card-plan-total", "4,190.0"),
                         ("card-plan-planned", "907.0"), ("card-active-count", "521"),
                         ("card-active-total", "2,139.5"), ("card-active-planned", "584.0")):
        expect(page.get_by_test_id(testid)).to_have_text(text)
    ranking = page.get_by_test_id("chart-ranking")
    expect(ranking).to_have_attribute("data-ready", "1")
    expect(ranking).to_have_attribute("data-indicator", "start_resume_rate")
    page.get_by_test_id("rank-indicator").select_option("investment_completion_rate")
    expect(ranking).to_have_attribute("data-indicator", "investment_completion_rate")
    expect(ranking).to_have_attribute("data-ready", "1")
    shown = page.evaluate("""() => window.echarts.getInstanceByDom(document.getElementById("chart-ranking"))
        .getOption().title.map((t) => t.text)""")
    assert set(shown) == {"沿汾", "沿太岳", "沿黄"}
    for key in CHARTS:
        saved = page.evaluate("""(id) => {
            const option = window.echarts.getInstanceByDom(document.getElementById(id)).getOption();
            return !!option.toolbox[0].feature.saveAsImage;
        }""", f"chart-{key}")
        assert saved, key
    page.screenshot(path=screenshots_dir / "dashboard.png", full_page=True, animations="disabled")


@pytest.mark.browser_context_args(viewport=PHONE, is_mobile=True, has_touch=True)
def test_no_sideways_scroll_on_a_phone(new_context, sign_in):
    page = new_context().new_page()
    sign_in(page, "city_leader")
    expect(page.get_by_test_id("chart-ranking")).to_have_attribute("data-ready", "1")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
