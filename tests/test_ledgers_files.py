"""台账 templates without a database: YAML errors name the file and the field; a rendered workbook opens in
LibreOffice (headless conversion to CSV, a temporary profile and HOME) with its title, headers, 总计 and data;
formats are made once per workbook, not per cell."""
from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import subprocess  # nosec B404 - runs LibreOffice on a file the test wrote
import textwrap

import pytest

from crm.ledgers import render, schema, service
from crm.ledgers.fields import Context
from crm.ledgers.sources import Dataset
from crm.security.scope import Scope
from tests.conftest import unavailable

GOOD = """\
name: 测试台账
source: signings
title: "{year}年{unit}测试台账"
meta: {left: "填报单位：{unit}", right: "单位：万元"}
totals: {label: 合计, column: company}
columns:
  - {key: seq, header: 序号, type: seq}
  - {key: company, header: 企业}
  - group: 金额
    columns:
      - {key: amount, header: 签约金额, type: money, sum: true}
      - {key: signed_on, header: 签约日期, type: date}
"""


def _write(tmp_path, text: str, name: str = "bad.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("change, where, words", [
    (("type: money", "type: currency"), "columns[2].columns[0].type", "'currency' is not one of"),
    (('title: "{year}年{unit}测试台账"', 'title: "{year}年{county}台账"'), "title", "unknown placeholder {county}"),
    (("{key: company, header: 企业}", "{key: Company, header: 企业}"), "columns[1].key", "lower-case"),
    (("{key: company, header: 企业}", "{key: company, header: 企业, colour: red}"), "columns[1].colour",
     "unknown field"),
    (("type: date}", "type: date, sum: true}"), "columns[2].columns[1].sum", "only int and money"),
    (("source: signings", "source: nowhere"), "source", "'nowhere' is not a data source"),
    (("column: company}", "column: firm}"), "totals.column", "no column 'firm'"),
    (("{key: seq, header: 序号, type: seq}", "{key: company, header: 序号}"), "columns.company", "used twice"),
    (("name: 测试台账\n", ""), "name", "is required"),
    (("title:", "title: [unclosed\nx:"), "yaml", ""),
])
def test_a_template_error_names_the_file_and_the_field(tmp_path, change, where, words):
    path = _write(tmp_path, GOOD.replace(*change))
    with pytest.raises(schema.TemplateError) as err:
        schema.load_file(path, frozenset({"signings"}))
    assert err.value.file == "bad.yaml" and err.value.where == where and words in err.value.message
    assert str(err.value).startswith(f"bad.yaml: {where}: ")


def test_a_column_field_the_source_does_not_give_is_refused(tmp_path):
    _write(tmp_path, GOOD.replace("{key: company, header: 企业}", "{key: company, source: firm, header: 企业}"),
           "typo.yaml")
    with pytest.raises(schema.TemplateError) as err:
        service.templates(tmp_path)
    assert str(err.value) == "typo.yaml: columns.company.source: 'firm' is not a field of signings"
    assert schema.load_file(_write(tmp_path, GOOD, "good.yaml")).columns[2].group == "金额"


def _context() -> Context:
    return Context(Scope(1, True, frozenset()), 2026, 3, "测试市", None, dt.date(2026, 3, 20))


def _rows(n: int) -> Dataset:
    return Dataset([{"company": f"企业{i}", "amount": 100.5 * i, "signed_on": dt.date(2026, 1, 1 + i % 28)}
                    for i in range(1, n + 1)] + [{"company": "=1+1", "amount": None, "signed_on": None}])


def test_formats_are_made_once_per_workbook_not_per_cell(tmp_path, monkeypatch):
    import xlsxwriter
    template = schema.parse("t.yaml", __import__("yaml").safe_load(GOOD))
    made = []
    original = xlsxwriter.Workbook.add_format
    monkeypatch.setattr(xlsxwriter.Workbook, "add_format", lambda self, props=None: made.append(1)
                        or original(self, props))
    render.write(str(tmp_path / "a.xlsx"), template, _context(), _rows(10))
    small = len(made)
    made.clear()
    render.write(str(tmp_path / "b.xlsx"), template, _context(), _rows(500))
    assert len(made) == small


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        unavailable("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui")
    return found


def test_libreoffice_opens_the_workbook(tmp_path):
    soffice = _soffice()
    template = schema.parse("t.yaml", __import__("yaml").safe_load(GOOD))
    source = tmp_path / "ledger.xlsx"
    render.write(str(source), template, _context(), _rows(3))
    out, home = tmp_path / "out", tmp_path / "home"
    out.mkdir()
    home.mkdir()
    env = {**os.environ, "HOME": str(home)}
    # 44,34,76: comma, double quote, UTF-8; a private profile so a running or broken user profile cannot interfere
    command = [soffice, f"-env:UserInstallation=file://{home}/profile", "--headless", "--norestore",
               "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(out), str(source)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)  # nosec B603
    converted = out / "ledger.csv"
    assert converted.exists(), textwrap.shorten(done.stdout + done.stderr, 500)
    rows = list(csv.reader(converted.read_text(encoding="utf-8").splitlines()))
    assert rows[0][0] == "2026年测试市测试台账"
    assert rows[1][0] == "填报单位：测试市" and rows[1][2] == "单位：万元"  # the right third, C2:D2
    assert rows[2][:3] == ["序号", "企业", "金额"] and rows[3][2:4] == ["签约金额", "签约日期"]
    assert rows[4][:4] == ["seq", "company", "amount", "signed_on"]  # the hidden key row
    assert rows[5][1:3] == ["合计", "603.00"]  # 100.5 + 201 + 301.5, as the #,##0.00 format shows it
    assert rows[6] == ["1", "企业1", "100.50", "2026-01-02"]  # a real date, shown with its format
    assert rows[9][1] == "=1+1"  # text, not a formula LibreOffice would compute
