"""The 台账 benchmark at a tiny size on SQLite: both sides write every project, the ratio is ours ÷ floor, the
floor runs the very statements ours runs, and the report has its row. No wall-clock limits."""
from __future__ import annotations

import dataclasses

import pytest

from tests.benchmarks import ledger_bench, report

PROJECTS = 60


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    work = tmp_path_factory.mktemp("ledgerbench")
    return ledger_bench.run_one(f"sqlite:///{work / 'bench.sqlite'}", PROJECTS, work, 1, lambda _line: None)


def test_both_sides_write_every_project_and_the_ratio_is_ours_over_the_floor(result):
    assert result.ours > 0 and result.floor_sql > 0 and result.floor_write > 0
    assert result.floor == pytest.approx(result.floor_sql + result.floor_write)
    assert result.ratio == pytest.approx(result.ours / result.floor) and result.ours_cpu > 0 and result.floor_cpu > 0
    assert result.met == (result.ratio <= ledger_bench.TARGET)
    assert result.checks["ours_rows"] == result.checks["floor_rows"] == PROJECTS
    assert result.checks["ours_file_rows"] == result.checks["floor_file_rows"] == PROJECTS
    assert result.checks["statements"] == 6  # projects, months, and the four registry fields with SQL
    assert result.problems() == []


def test_the_report_has_the_row_and_flags_a_failed_check(result):
    text = ledger_bench.render_report([result], report.machine())
    row = next(line for line in text.splitlines() if line.startswith("| SQLite"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1] == f"{PROJECTS:,}" and cells[2] == f"{result.ours:.3f}" and cells[6] == f"{result.ratio:.2f}"
    assert cells[8] == ("met" if result.met else "**missed**") and cells[11] == f"{result.cpu_ratio:.2f}"
    broken = dataclasses.replace(result, checks={**result.checks, "floor_rows": 1})
    assert broken.problems() == [f"floor_rows is 1, expected {PROJECTS}"]
    assert f"**floor_rows is 1, expected {PROJECTS}**" in ledger_bench.render_report([broken], report.machine())


def test_quick_and_default_sizes():
    assert ledger_bench.QUICK_SIZES == (500,) and ledger_bench.FULL_SIZES == (2_000, 10_000)
