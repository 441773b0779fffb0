"""The dashboard benchmark at demo scale 1 on SQLite: both rows are there (live and a closed period), the
ratio is ours ÷ floor, the floor replays the statements the services sent, the live plan holds the seed's
figures, and the report has each row. No wall-clock limits."""
from __future__ import annotations

import dataclasses

import pytest

from tests.benchmarks import dashboard_bench, report


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    work = tmp_path_factory.mktemp("dashbench")
    return dashboard_bench.run_one(f"sqlite:///{work / 'bench.sqlite'}", 1, work, 1, lambda _line: None)


def test_both_periods_are_timed_beside_their_floor(result):
    name, rows = result
    assert name.startswith("SQLite")
    assert [r.period for r in rows] == ["live (31 Dec 2022)", "closed 2022-03"]
    for r in rows:
        assert r.ours > 0 and r.floor > 0 and r.statements > 10 and r.rows > 0
        assert r.ratio == pytest.approx(r.ours / r.floor) and r.met == (r.ratio <= dashboard_bench.TARGET)
        assert r.checks.startswith(f"{r.statements} statements, {r.rows:,} rows")
    assert rows[0].checks.endswith("seed figures × scale hold")


def test_the_report_has_each_row_and_flags_different_figures(result):
    name, rows = result
    text = dashboard_bench.render([(name, rows)], report.machine())
    for r in rows:
        line = next(x for x in text.splitlines() if x.startswith(f"| 1 | {r.period} |"))
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[4] == f"{r.ours:.4f}" and cells[5] == f"{r.floor:.4f}" and cells[6] == f"{r.ratio:.2f}"
        assert cells[8] == ("met" if r.met else "**missed**")
    plan = {"count": 1, "total": 0, "planned": 0, "active": 0, "active_total": 0, "active_planned": 0}
    fake = {"plan": dataclasses.make_dataclass("P", [("total", dict)])(plan)}
    assert dashboard_bench._seed_check(fake, 1).startswith("FIGURES DIFFER")


def test_quick_runs_scale_one_and_full_runs_one_and_ten():
    assert dashboard_bench.parse_args(["--quick"]).scales == [1]
    assert dashboard_bench.parse_args([]).scales == [1, 10]
    args = dashboard_bench.parse_args(["--scales", "2", "--postgres", "--repeats", "3"])
    assert (args.scales, args.postgres, args.repeats) == ([2], True, 3)
