"""The KPI service: :func:`kpis` for one unit (or the city) with exceptions, :func:`kpis_by_unit` for many units.

Both read the same per-责任单位 sums (:mod:`crm.kpis.facts`, two grouped statements) and add the rows of
each unit's subtree, so the figure of a county includes its zones once and a ranking of every county costs
the same two statements as one county. Targets come from the KPI_TARGETS setting; a passed checkpoint is
judged on the figures as of that date (two more statements per distinct checkpoint date). Values are
aggregates, visible to every role; exceptions name only projects inside the caller's scope.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from sqlalchemy.orm import Session

from crm.kpis import exceptions as named
from crm.kpis import targets as staged_targets
from crm.kpis.facts import CONTRACT_COLUMNS, PLAN_COLUMNS, contract_totals, plan_totals, to_decimal
from crm.kpis.results import (INDICATORS, Figure, Indicator, KpiReport, Schedule, Target, percent, points)
from crm.models.projects import PLAN_LISTS
from crm.security.scope import Scope, subtree, unit_tree
from crm.settings import registry
from crm.settings.core import KPI_TARGETS

__all__ = ["kpis", "kpis_by_unit", "figures", "FORMULAS", "wanted", "tree_totals", "check_period"]

CENT = Decimal("0.01")
MONEY = {"planned", "completed_d", "completed_c", "split_through", "nosplit_planned", "attr_planned", "funds_d",
         "funds_c", "signed_amount"}


def check_period(year: int, as_of: dt.date | None, plan_list: str | None) -> dt.date:
    """D defaults to 31 December of ``year``; it must lie inside the year."""
    if plan_list is not None and plan_list not in PLAN_LISTS:
        raise ValueError(f"unknown plan list {plan_list}")
    as_of = as_of or dt.date(year, 12, 31)
    if as_of.year != year:
        raise ValueError("as_of must lie within the year")
    return as_of


def tree_totals(by_unit: dict, trees: dict, columns) -> dict:
    """Each tree's column totals (a tree of None: every unit) from per-unit SQL sums (SQLite answers ints or
    floats, PostgreSQL Decimals; None is 0), each unit's row added once to each tree holding it; the totals
    come out exact (money to the cent, counts whole)."""
    raw = {key: dict.fromkeys(columns, 0) for key in trees}
    holders: dict = {}
    for key, tree in trees.items():
        for uid in (by_unit if tree is None else tree):
            holders.setdefault(uid, []).append(raw[key])
    for uid, sums in by_unit.items():
        for total in holders.get(uid, ()):
            for c in columns:
                total[c] += sums[c] or 0
    return {key: {c: to_decimal(v) if c in MONEY else Decimal(int(v)) for c, v in total.items()}
            for key, total in raw.items()}


def wanted(indicators: Mapping | None, unit_id) -> Iterable[str]:
    """The indicators a unit's report carries: all unless the caller named fewer."""
    return INDICATORS if indicators is None else indicators.get(unit_id, INDICATORS)


def _schedule(p: dict[str, Decimal], as_of: dt.date) -> Schedule:
    through = (p["split_through"] + p["nosplit_planned"] * as_of.month / 12).quantize(CENT)
    basis = {(True, False): "monthly_plan", (False, True): "elapsed", (True, True): "mixed"}.get(
        (p["n_split"] > 0, p["n_nosplit"] > 0), "none")
    return Schedule(through, p["planned"], percent(through, p["planned"]),
                    percent(p["completed_d"] - through, p["planned"]),
                    percent(p["completed_c"] - through, p["planned"]), basis)


def _rate(dispatch, confirmed, denominator, schedule=None) -> tuple:
    return Figure.of(dispatch, denominator), Figure.of(confirmed, denominator), schedule


# Each indicator's (调度, confirmed, schedule) from the summed plan (p) and contract (c) columns at D — the
# formulas of docs/KPIS.md.
FORMULAS = {
    "new_start_rate": lambda p, c, d: _rate(p["new_d"], p["new_c"], p["new_n"]),
    "resume_rate": lambda p, c, d: _rate(p["cont_d"], p["cont_c"], p["cont_n"]),
    "start_resume_rate": lambda p, c, d: _rate(p["new_d"] + p["cont_d"], p["new_c"] + p["cont_c"],
                                               p["new_n"] + p["cont_n"]),
    "investment_completion_rate": lambda p, c, d: _rate(p["completed_d"], p["completed_c"], p["planned"],
                                                        _schedule(p, d)),
    "completion_rate": lambda p, c, d: _rate(p["finish_d"], p["finish_c"], p["finish_n"]),
    "production_rate": lambda p, c, d: _rate(p["produce_d"], p["produce_c"], p["produce_n"]),
    "contract_performance_rate": lambda p, c, d: _rate(c["met_d"], c["met_c"], c["due_n"]),
    "funds_arrival_rate": lambda p, c, d: _rate(p["funds_d"], p["funds_c"], p["attr_planned"]),
    "same_year_start_rate": lambda p, c, d: _rate(c["same_d"], c["same_c"], c["same_n"]),
}


def figures(plan: dict[str, Decimal], contract: dict[str, Decimal], as_of: dt.date,
            keys: Iterable[str] = INDICATORS) -> dict[str, tuple]:
    """The indicators' (调度, confirmed, schedule) from summed columns; ``keys``: which (default all)."""
    return {key: FORMULAS[key](plan, contract, as_of) for key in keys}


def _sums(session, year, as_of, lists, unit_ids, chain_id=None):
    return (plan_totals(session, year, as_of, lists, unit_ids, chain_id),
            contract_totals(session, year, as_of, unit_ids, chain_id))


def _target(stages, dispatch: Figure, confirmed: Figure, as_of, past: dict | None) -> Target | None:
    if not stages:
        return None
    force = staged_targets.in_force(stages, as_of)
    passed = staged_targets.last_passed(stages, as_of)
    extra = {}
    if passed is not None and past is not None and passed.checkpoint in past:
        then_d, then_c = past[passed.checkpoint]
        extra = {"passed_checkpoint": passed.checkpoint, "passed_target": passed.value,
                 "passed_value": then_d.value, "passed_value_confirmed": then_c.value,
                 "passed_met": None if then_d.value is None else then_d.value >= passed.value,
                 "passed_met_confirmed": None if then_c.value is None else then_c.value >= passed.value}
    return Target(force.value, force.checkpoint, points(dispatch.value, force.value),
                  points(confirmed.value, force.value), **extra)


def _stages(session: Session, year: int, plan_list: str | None) -> dict[str, list]:
    rows = registry.get(session, KPI_TARGETS.key)
    return {key: staged_targets.staged(rows, key, plan_list, year) for key in INDICATORS}


def _lists(plan_list: str | None):
    return None if plan_list is None else (plan_list,)


def _indicators(now: dict, stages: dict, as_of: dt.date, past_by_date: dict[dt.date, dict],
                extra: dict | None = None) -> dict[str, Indicator]:
    """The indicators computed in ``now`` (figures by key), with their targets and exceptions."""
    out = {}
    for key, (dispatch, confirmed, schedule) in now.items():
        past = {d: figs[key][:2] for d, figs in past_by_date.items()}
        named_rows, total = (extra or {}).get(key, ((), 0))
        out[key] = Indicator(key, dispatch, confirmed, _target(stages[key], dispatch, confirmed, as_of, past),
                             schedule, tuple(named_rows), total)
    return out


def _passed_dates(stages: dict, as_of: dt.date) -> set[dt.date]:
    return {s.checkpoint for s in (staged_targets.last_passed(v, as_of) for v in stages.values()) if s is not None}


def kpis(session: Session, year: int, plan_list: str | None = None, unit_id: int | None = None,
         as_of: dt.date | None = None, scope: Scope | None = None) -> KpiReport:
    """One unit's (its subtree's; the city's when ``unit_id`` is None) indicators as of D, with exceptions.

    ``plan_list`` narrows the plan population (None: every list). Exceptions are limited to ``scope``
    when one is given; figures are aggregates and never are."""
    as_of = check_period(year, as_of, plan_list)
    units = None if unit_id is None else subtree(unit_tree(session), unit_id)
    lists = _lists(plan_list)
    stages = _stages(session, year, plan_list)

    def at(day):
        plan, contract = _sums(session, year, day, lists, units)
        everything = {None: None}
        return figures(tree_totals(plan, everything, PLAN_COLUMNS)[None],
                       tree_totals(contract, everything, CONTRACT_COLUMNS)[None], day)

    past = {day: at(day) for day in _passed_dates(stages, as_of)}
    found = named.all_exceptions(session, year, as_of, lists, units, scope)
    return KpiReport(year, plan_list, unit_id, as_of, _indicators(at(as_of), stages, as_of, past, found))


def kpis_by_unit(session: Session, year: int, unit_ids: Iterable[int | None], plan_list: str | None = None,
                 as_of: dt.date | None = None, tree: dict | None = None,
                 indicators: Mapping | None = None, chain_id: int | None = None) -> dict[int | None, KpiReport]:
    """Each unit's figures (its subtree's; None: the city's), computed from one pass of grouped sums; no
    exceptions. ``tree``: the unit tree (``crm.security.scope.unit_tree``), when the caller has read it;
    ``indicators``: per unit id, the indicators its report needs (a ranking needs a few; default all);
    ``chain_id``: only that chain's projects, and the contracts whose lead is in it."""
    as_of = check_period(year, as_of, plan_list)
    tree = unit_tree(session) if tree is None else tree
    trees = {uid: None if uid is None else subtree(tree, uid) for uid in unit_ids}
    lists = _lists(plan_list)
    stages = _stages(session, year, plan_list)

    def at(day):
        plan, contract = _sums(session, year, day, lists, None, chain_id)
        plan = tree_totals(plan, trees, PLAN_COLUMNS)
        contract = tree_totals(contract, trees, CONTRACT_COLUMNS)
        return {uid: figures(plan[uid], contract[uid], day, wanted(indicators, uid)) for uid in trees}

    now = at(as_of)
    past = {day: at(day) for day in _passed_dates(stages, as_of)}
    return {uid: KpiReport(year, plan_list, uid, as_of,
                           _indicators(now[uid], stages, as_of, {d: figs[uid] for d, figs in past.items()}))
            for uid in trees}
