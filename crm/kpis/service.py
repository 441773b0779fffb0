"""The KPI service: :func:`kpis` for one unit (or the city) with exceptions, :func:`kpis_by_unit` for many units.

Both read the same per-责任单位 sums (:mod:`crm.kpis.facts`, two grouped statements) and add the rows of
each unit's subtree, so the figure of a county includes its zones once and a ranking of every county costs
the same two statements as one county. Targets come from the KPI_TARGETS setting; a passed checkpoint is
judged on the figures as of that date (two more statements per distinct checkpoint date). Values are
aggregates, visible to every role; exceptions name only projects inside the caller's scope.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.kpis import exceptions as named
from crm.kpis import targets as staged_targets
from crm.kpis.facts import CONTRACT_COLUMNS, PLAN_COLUMNS, contract_totals, plan_totals, to_decimal
from crm.kpis.results import (INDICATORS, Figure, Indicator, KpiReport, Schedule, Target, percent, points)
from crm.models import Unit
from crm.models.projects import PLAN_LISTS
from crm.security.scope import Scope
from crm.settings import registry
from crm.settings.core import KPI_TARGETS

__all__ = ["kpis", "kpis_by_unit", "figures", "check_period"]

CENT = Decimal("0.01")
MONEY = {"planned", "completed_d", "completed_c", "split_through", "nosplit_planned", "attr_planned", "funds_d",
         "funds_c"}


def check_period(year: int, as_of: dt.date | None, plan_list: str | None) -> dt.date:
    """D defaults to 31 December of ``year``; it must lie inside the year."""
    if plan_list is not None and plan_list not in PLAN_LISTS:
        raise ValueError(f"unknown plan list {plan_list}")
    as_of = as_of or dt.date(year, 12, 31)
    if as_of.year != year:
        raise ValueError("as_of must lie within the year")
    return as_of


def _children(session: Session) -> dict[int | None, list[int]]:
    out: dict[int | None, list[int]] = {}
    for uid, parent in session.execute(select(Unit.id, Unit.parent_id)):
        out.setdefault(parent, []).append(uid)
    return out


def _subtree(children, root: int) -> set[int]:
    out, stack = set(), [root]
    while stack:
        uid = stack.pop()
        if uid not in out:
            out.add(uid)
            stack.extend(children.get(uid, ()))
    return out


def _add(rows: Iterable[dict], columns) -> dict[str, Decimal]:
    total = {c: Decimal(0) for c in columns}
    for row in rows:
        for c in columns:
            total[c] += to_decimal(row.get(c)) if c in MONEY else Decimal(int(row.get(c) or 0))
    return total


def figures(plan: dict[str, Decimal], contract: dict[str, Decimal], as_of: dt.date) -> dict[str, tuple]:
    """Each indicator's (调度, confirmed, schedule) from summed columns — the formulas of docs/KPIS.md."""
    p, c = plan, contract
    through = (p["split_through"] + p["nosplit_planned"] * as_of.month / 12).quantize(CENT)
    basis = {(True, False): "monthly_plan", (False, True): "elapsed", (True, True): "mixed"}.get(
        (p["n_split"] > 0, p["n_nosplit"] > 0), "none")
    schedule = Schedule(through, p["planned"], percent(through, p["planned"]),
                        percent(p["completed_d"] - through, p["planned"]),
                        percent(p["completed_c"] - through, p["planned"]), basis)
    return {
        "new_start_rate": (Figure.of(p["new_d"], p["new_n"]), Figure.of(p["new_c"], p["new_n"]), None),
        "resume_rate": (Figure.of(p["cont_d"], p["cont_n"]), Figure.of(p["cont_c"], p["cont_n"]), None),
        "start_resume_rate": (Figure.of(p["new_d"] + p["cont_d"], p["new_n"] + p["cont_n"]),
                              Figure.of(p["new_c"] + p["cont_c"], p["new_n"] + p["cont_n"]), None),
        "investment_completion_rate": (Figure.of(p["completed_d"], p["planned"]),
                                       Figure.of(p["completed_c"], p["planned"]), schedule),
        "completion_rate": (Figure.of(p["finish_d"], p["finish_n"]), Figure.of(p["finish_c"], p["finish_n"]), None),
        "production_rate": (Figure.of(p["produce_d"], p["produce_n"]), Figure.of(p["produce_c"], p["produce_n"]),
                            None),
        "contract_performance_rate": (Figure.of(c["met_d"], c["due_n"]), Figure.of(c["met_c"], c["due_n"]), None),
        "funds_arrival_rate": (Figure.of(p["funds_d"], p["attr_planned"]), Figure.of(p["funds_c"], p["attr_planned"]),
                               None),
        "same_year_start_rate": (Figure.of(c["same_d"], c["same_n"]), Figure.of(c["same_c"], c["same_n"]), None),
    }


def _sums(session, year, as_of, lists, unit_ids):
    return plan_totals(session, year, as_of, lists, unit_ids), contract_totals(session, year, as_of, unit_ids)


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
    out = {}
    for key in INDICATORS:
        dispatch, confirmed, schedule = now[key]
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
    units = None if unit_id is None else _subtree(_children(session), unit_id)
    lists = _lists(plan_list)
    stages = _stages(session, year, plan_list)

    def at(day):
        plan, contract = _sums(session, year, day, lists, units)
        return figures(_add(plan.values(), PLAN_COLUMNS), _add(contract.values(), CONTRACT_COLUMNS), day)

    past = {day: at(day) for day in _passed_dates(stages, as_of)}
    found = named.all_exceptions(session, year, as_of, lists, units, scope)
    return KpiReport(year, plan_list, unit_id, as_of, _indicators(at(as_of), stages, as_of, past, found))


def kpis_by_unit(session: Session, year: int, unit_ids: Iterable[int | None], plan_list: str | None = None,
                 as_of: dt.date | None = None) -> dict[int | None, KpiReport]:
    """Each unit's figures (its subtree's; None: the city's), computed from one pass of grouped sums; no
    exceptions."""
    as_of = check_period(year, as_of, plan_list)
    children = _children(session)
    trees = {uid: None if uid is None else _subtree(children, uid) for uid in unit_ids}
    lists = _lists(plan_list)
    stages = _stages(session, year, plan_list)

    def at(day):
        plan, contract = _sums(session, year, day, lists, None)
        return {uid: figures(_add((v for k, v in plan.items() if tree is None or k in tree), PLAN_COLUMNS),
                             _add((v for k, v in contract.items() if tree is None or k in tree), CONTRACT_COLUMNS),
                             day)
                for uid, tree in trees.items()}

    now = at(as_of)
    past = {day: at(day) for day in _passed_dates(stages, as_of)}
    return {uid: KpiReport(year, plan_list, uid, as_of,
                           _indicators(now[uid], stages, as_of, {d: figs[uid] for d, figs in past.items()}))
            for uid in trees}
