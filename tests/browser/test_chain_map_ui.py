"""The chain-gap map in Chromium: open a chain, click a segment, add a target to the pipeline, find the lead."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_chain_map_to_pipeline(page, sign_in, screenshots_dir):
    sign_in(page, "yd_officer")
    page.goto("/chains/")
    page.get_by_test_id("chain-list").get_by_role("link", name="特钢", exact=True).click()
    page.wait_for_url(re.compile(r"/chains/\d+$"))
    chart = page.get_by_test_id("chain-map")
    expect(chart).to_have_attribute("data-ready", "1")
    expect(chart.locator("canvas")).to_have_count(1)
    # Click the segment's node on the canvas, where ECharts draws it.
    x, y = page.evaluate("""() => {
        const el = document.getElementById("chain-map");
        const data = JSON.parse(document.getElementById("chain-map-data").textContent);
        const node = data.nodes.find((n) => n.name === "特钢材");
        return window.echarts.getInstanceByDom(el).convertToPixel({seriesIndex: 0}, [node.x, node.y]);
    }""")
    box = chart.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    panel = page.get_by_test_id("segment-panel")
    expect(panel.get_by_test_id("segment-why")).to_contain_text("特钢材")
    first = panel.get_by_test_id("segment-targets").locator("li").first
    name = first.locator("strong").inner_text()
    first.locator("input[type=checkbox]").check()
    page.screenshot(path=screenshots_dir / "chain-map.png", full_page=True, animations="disabled")
    panel.get_by_test_id("pipeline-submit").click()
    page.wait_for_url(re.compile(r"/chains/\d+/targets$"))
    expect(page.locator(".alert-success")).to_contain_text("1")
    page.goto("/leads/")
    expect(page.locator("main, body").first).to_contain_text(name)
