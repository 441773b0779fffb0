"""The chain benchmark at a tiny size: both sides run, give the same answers, and the report shows both.

No wall-clock limits: only that the figures exist and the answers agree.
"""
from __future__ import annotations

import dataclasses

from chains import Params
from tests.benchmarks import chains_bench as bench


def test_model_and_plain_dict_floor_agree_and_are_reported(tmp_path):
    data = bench.make_data(companies=1500, links=4500, seed=3)
    result = bench.measure(data, Params(), repeats=1)
    assert result["problems"] == []
    assert result["time"]["ours"] > 0 and result["time"]["floor"] > 0
    assert result["peak_mib"]["ours"] > 0 and result["peak_mib"]["floor"] > 0
    assert result["candidates"] > 1000
    out = tmp_path / "b.md"
    assert bench.main(["--companies", "800", "--links", "2400", "--repeats", "1", "--output", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "| gap analysis, best of 1 (s) |" in text and "Same answers" in text and ": yes." in text


def test_the_comparison_notices_a_difference():
    data = bench.make_data(companies=600, links=1800, seed=4)
    params = Params()
    a, b = bench.ours(data, params), bench.floor(data, params)
    assert bench.same_answers(a, b) == []
    other = bench.floor(data, dataclasses.replace(params, w_fit=0.25, w_source=0.25))
    assert "ranking" in bench.same_answers(a, other)
    first = next(iter(b["action"]))
    b["action"] = {**b["action"], first: "延链" if a["action"][first] != "延链" else "补链"}
    assert "action" in bench.same_answers(a, b)
