"""Staged KPI targets from the KPI_TARGETS setting: the target in force at a date, the last checkpoint passed.

A target row is (indicator, list, checkpoint date, value %). For a date D, the rows of D's year for the
indicator and its list are ordered by checkpoint: the target *in force* is the first checkpoint on or after
D; past the year's last checkpoint that last target stays in force (复工率 100% by end-June still holds in
December). The *last checkpoint passed* is the latest one before D. 新开工率 reads the ``new`` rows,
复工率 the ``continuing`` rows; every other indicator the rows of the selected list, ``all`` by default.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

__all__ = ["Stage", "staged", "in_force", "last_passed", "target_list"]

NATURAL_LIST = {"new_start_rate": "new", "resume_rate": "continuing"}


@dataclass(frozen=True)
class Stage:
    checkpoint: dt.date
    value: Decimal


def target_list(indicator: str, plan_list: str | None) -> str:
    return NATURAL_LIST.get(indicator, plan_list or "all")


def staged(rows: list[dict[str, Any]], indicator: str, plan_list: str | None, year: int) -> list[Stage]:
    """The indicator's checkpoints in ``year``, in date order (a malformed row is ignored, not fatal)."""
    wanted = target_list(indicator, plan_list)
    out: dict[dt.date, Stage] = {}
    for row in rows or ():
        if row.get("indicator") != indicator or row.get("list") != wanted:
            continue
        try:
            checkpoint = dt.date.fromisoformat(str(row.get("checkpoint")))
            value = Decimal(str(row.get("value"))).quantize(Decimal("0.01"))
        except (ValueError, ArithmeticError):
            continue
        if checkpoint.year == year:
            out[checkpoint] = Stage(checkpoint, value)
    return [out[k] for k in sorted(out)]


def in_force(stages: list[Stage], as_of: dt.date) -> Stage | None:
    for stage in stages:
        if stage.checkpoint >= as_of:
            return stage
    return stages[-1] if stages else None


def last_passed(stages: list[Stage], as_of: dt.date) -> Stage | None:
    passed = [s for s in stages if s.checkpoint < as_of]
    return passed[-1] if passed else None
