"""The benchmark runner at a tiny size on SQLite: every figure is there, beside its floor, and the outputs are right.

No wall-clock limits: only that the times exist, that the ratio is ours ÷ floor, and that ours and the
floor produced the same number of rows.
"""
from __future__ import annotations

import dataclasses

import pytest

from tests.benchmarks import data, report, run, suite

ROWS = 300


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    work = tmp_path_factory.mktemp("bench")
    result = suite.run(f"sqlite:///{work / 'bench.sqlite'}", ROWS, work, export_repeats=1, import_repeats=1,
                       memory=True, profile=True, log=lambda _line: None)
    return result, work


def test_every_benchmark_has_positive_times_and_its_ratio(bench):
    result, _work = bench
    assert [r.key for r in result.results] == ["csv_export", "xlsx_export", "csv_import"]
    for r in result.results:
        assert r.rows == ROWS
        assert r.ours > 0 and r.floor > 0
        assert r.ratio == pytest.approx(r.ours / r.floor)
        assert r.met == (r.ratio <= r.target)
        assert r.target == suite.TARGETS[r.key]
        assert r.ours_peak_mib > 0 and r.floor_peak_mib > 0
        assert "cumtime" in r.profile
        assert r.problems() == []


def test_exports_write_every_row_on_both_sides(bench):
    result, work = bench
    csv_result, xlsx_result = result.results[0], result.results[1]
    assert csv_result.checks == {"ours_rows": ROWS, "floor_rows": ROWS}
    assert xlsx_result.checks == {"ours_rows": ROWS, "floor_rows": ROWS}
    # Read the files back independently of the counters above.
    text = (work / "ours.csv").read_bytes().decode("utf-8")
    assert text.startswith("\ufeff企业名称,")
    assert text.count("\r\n") == ROWS + 1
    from python_calamine import CalamineWorkbook
    sheet = CalamineWorkbook.from_path(str(work / "ours.xlsx")).get_sheet_by_index(0).to_python()
    assert sheet[0][0] == "企业名称" and len(sheet) == ROWS + 1


def test_import_creates_every_distinct_company_and_refuses_the_repeats(bench):
    result, _work = bench
    checks = result.results[2].checks
    dups = data.duplicates_for(ROWS)
    assert checks["duplicates"] == dups
    assert checks["expected"] == ROWS - dups
    assert checks["ours_created"] == checks["ours_table"] == ROWS - dups
    assert checks["ours_refused"] == dups
    assert checks["floor_created"] == checks["floor_table"] == ROWS - dups


def test_the_report_has_a_row_per_benchmark_and_the_machine(bench):
    result, _work = bench
    text = report.render([result], report.machine())
    lines = text.splitlines()
    for r in result.results:
        row = next(line for line in lines if line.startswith(f"| {r.title} |"))
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[1] == f"{ROWS:,}"
        assert cells[2] == f"{r.ours:.3f}" and cells[3] == f"{r.floor:.3f}" and cells[4] == f"{r.ratio:.2f}"
        assert cells[6] == ("met" if r.met else "**missed**")
    for label in ("CPU:", "Python:", "SQLite library:", "Load average", "Date (UTC):", "Commit:", "Databases: SQLite"):
        assert label in text
    assert "Checks failed" not in text


def test_a_failed_check_is_reported(bench):
    result, _work = bench
    broken = dataclasses.replace(result.results[2], checks={**result.results[2].checks, "ours_created": -1})
    assert broken.problems() == [f"ours_created is -1, expected {ROWS - data.duplicates_for(ROWS)}"]
    text = report.render([dataclasses.replace(result, results=[broken])], report.machine())
    assert "**Checks failed: ours_created is -1" in text


def test_generated_data_is_valid_and_resolvable():
    from crm.companies.uscc import uscc_problem
    from crm.refdata import names
    records, dups = data.import_rows(200, seed=1)
    assert len(records) == 200 and dups == 3
    with_code = [r for r in records if r.uscc]
    assert with_code and all(uscc_problem(r.uscc) is None for r in with_code)
    for r in records[:50]:
        assert names.resolve(r.province_name, r.city_name, r.county_name) == r.location_code


def test_quick_defaults_and_arguments():
    args = run.parse_args(["--quick"])
    assert args.rows == run.QUICK_ROWS and args.output is None
    args = run.parse_args(["--rows", "1234", "--database-url", "sqlite:///x.sqlite", "--output", "b.md"])
    assert args.rows == 1234 and args.database_url == ["sqlite:///x.sqlite"] and str(args.output) == "b.md"
    assert run.parse_args([]).rows == run.FULL_ROWS
