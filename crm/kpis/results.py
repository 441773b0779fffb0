"""The typed answer of the KPI service: per indicator both 口径, the target in force, 序时 and exceptions."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = ["INDICATORS", "Figure", "Target", "Schedule", "KpiException", "Indicator", "KpiReport", "percent",
           "points"]

INDICATORS = ("new_start_rate", "resume_rate", "start_resume_rate", "investment_completion_rate",
              "completion_rate", "production_rate", "contract_performance_rate", "funds_arrival_rate",
              "same_year_start_rate")
CENT = Decimal("0.01")


def percent(part, whole) -> Decimal | None:
    """``part / whole`` in percent, two decimals (half-even, Decimal's default); None when ``whole`` is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(CENT)


def points(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    """``a − b`` in percentage points (positive: ahead), None when either is missing."""
    if a is None or b is None:
        return None
    return (a - b).quantize(CENT)


@dataclass(frozen=True)
class Figure:
    """One 口径 of an indicator: counts (projects, contracts, obligations) or amounts in 万元."""
    numerator: Decimal
    denominator: Decimal
    value: Decimal | None  # percent; None when the denominator is 0

    @classmethod
    def of(cls, numerator, denominator) -> Figure:
        num, den = Decimal(numerator or 0), Decimal(denominator or 0)
        return cls(num, den, percent(num, den))


@dataclass(frozen=True)
class Target:
    """The staged target in force at D, and the last checkpoint passed with the figure on that date."""
    value: Decimal | None
    checkpoint: dt.date | None
    gap: Decimal | None                 # 调度口径 value − target, percentage points
    gap_confirmed: Decimal | None
    passed_checkpoint: dt.date | None = None
    passed_target: Decimal | None = None
    passed_value: Decimal | None = None            # 调度口径 on the checkpoint date
    passed_value_confirmed: Decimal | None = None
    passed_met: bool | None = None
    passed_met_confirmed: bool | None = None


@dataclass(frozen=True)
class Schedule:
    """序时进度: the plan through month(D) over the year's plan; gap = completion − 序时 in points."""
    planned_through: Decimal
    planned: Decimal
    value: Decimal | None
    gap: Decimal | None
    gap_confirmed: Decimal | None
    basis: str  # "monthly_plan", "elapsed" (planned × month / 12), "mixed" or "none"


@dataclass(frozen=True)
class KpiException:
    """A project (or contract) behind an indicator's shortfall; ``reason`` is a code the page labels."""
    project_id: int | None
    name: str
    unit_id: int | None
    unit_name: str
    reason: str
    overdue: bool = False
    month: int | None = None          # planned start / finish month
    due_on: dt.date | None = None     # planned date or contract deadline
    amount: Decimal | None = None     # completed investment or funds, 万元
    plan: Decimal | None = None       # the project's own 序时 plan, 万元
    signing_id: int | None = None
    signed_on: dt.date | None = None  # the contract's signing date


@dataclass(frozen=True)
class Indicator:
    key: str
    dispatch: Figure      # 调度口径
    confirmed: Figure     # 认定/统计口径
    target: Target | None = None
    schedule: Schedule | None = None
    exceptions: tuple[KpiException, ...] = ()
    exception_total: int = 0


@dataclass(frozen=True)
class KpiReport:
    year: int
    plan_list: str | None
    unit_id: int | None
    as_of: dt.date
    indicators: dict[str, Indicator] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Indicator:
        return self.indicators[key]
