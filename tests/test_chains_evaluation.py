"""The evaluation command on the atlas chains: the real code path with fewer seeds, and the committed report."""
from __future__ import annotations

from pathlib import Path

from chains import evaluate
from chains import evaluation as ev

ROOT = Path(__file__).resolve().parent.parent


def test_evaluation_finds_every_planted_gap_and_the_link_part_beats_random(tmp_path):
    out = tmp_path / "EVALUATION.md"
    assert evaluate.main(["--seeds", "3", "--check", "--output", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "## Result\n\nPASS" in text
    gaps, links = evaluate.run(3)
    assert evaluate.failures(gaps, links) == []
    for g in gaps:
        assert g.planted == g.found == {"between": 3, "leader": 3, "frontier": 3}
    ours, rand = links.mean("auc", "link part")[0], links.mean("auc", "random")[0]
    assert ours >= rand + evaluate.AUC_MARGIN
    assert len(links.auc["link part"]) == 3 and links.hidden > 0 and links.negatives == 5 * links.hidden


def test_check_fails_on_a_missed_gap_or_a_weak_link_part(capsys):
    gaps, links = evaluate.run(1)
    gaps[0].misses.append("semiconductor between: expected B 补链")
    gaps[1].planted["frontier"] = 0
    problems = evaluate.failures(gaps, links)
    assert "semiconductor between: expected B 补链" in problems
    assert any("no frontier gap could be planted" in p for p in problems)
    links.auc["link part"] = list(links.auc["random"])
    assert any("does not beat random" in p for p in evaluate.failures(gaps, links))
    assert "FAIL:" in evaluate.report(gaps, links, 1)


def test_auc_and_precision():
    import random
    assert ev.auc([1.0], [0.0, 0.0]) == 1.0 and ev.auc([0.5], [0.5]) == 0.5
    assert ev.precision_at(2, [3.0, 2.0], [1.0, 0.0], random.Random(0)) == 1.0
    assert ev.precision_at(4, [3.0], [1.0, 1.0, 1.0], random.Random(0)) == 0.25


def test_the_committed_report_is_the_full_run():
    gaps, links = evaluate.run(evaluate.MIN_SEEDS)
    committed = (ROOT / "docs" / "EVALUATION.md").read_text(encoding="utf-8")
    assert committed == evaluate.report(gaps, links, evaluate.MIN_SEEDS)
