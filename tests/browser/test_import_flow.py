"""An officer imports a company list in Chromium: upload, fix the mapping, dry run, import, find, export."""
from __future__ import annotations

import io
import re

import openpyxl
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CSV = ("公司全称,统一社会信用代码,所属省份,所属城市,所属区县,备注\n"
       "浏览器导入甲有限公司,914403001922038216,广东省,深圳市,龙岗区,华为\n"
       "浏览器导入乙有限公司,,山西省,临汾市,侯马市,本地\n")


def test_import_then_find_then_export(page, sign_in, tmp_path, screenshots_dir):
    source = tmp_path / "企查查导出.csv"
    source.write_bytes(CSV.encode("gbk"))
    sign_in(page, "yd_officer")
    page.goto("/imports/")
    page.locator("a[href$='/imports/companies/new']").click()
    page.locator("input[name=file]").set_input_files(str(source))
    page.get_by_test_id("upload-form").locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/imports/batch/\d+/mapping$"))
    # The unusual header is not recognised: map it by hand.
    column = page.get_by_test_id("map-公司全称")
    expect(column).to_have_value("")
    expect(page.get_by_test_id("map-统一社会信用代码")).to_have_value("uscc")
    column.select_option("name")
    page.screenshot(path=screenshots_dir / "import-mapping.png", full_page=True, animations="disabled")
    page.get_by_test_id("mapping-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("count-create")).to_have_text("2")
    expect(page.get_by_test_id("count-error")).to_have_text("0")
    page.get_by_test_id("apply").click()
    expect(page.get_by_test_id("revert")).to_be_visible()
    page.screenshot(path=screenshots_dir / "import-done.png", full_page=True, animations="disabled")

    page.goto("/companies/?q=浏览器导入")
    table = page.get_by_test_id("company-table")
    expect(table).to_contain_text("浏览器导入甲有限公司")
    expect(table).to_contain_text("浏览器导入乙有限公司")

    with page.expect_download() as download_info:
        page.get_by_test_id("export-xlsx").click()
    data = download_info.value.path().read_bytes()
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    names = {row[0].value for row in ws.iter_rows(min_row=2)}
    assert names == {"浏览器导入甲有限公司", "浏览器导入乙有限公司"}
    assert ws["A1"].value == "企业名称"
