"""Monthly figures (DESIGN.md §3): completed investment, 到位资金 by source class, 入统 and 形象进度.

A unit enters a month for all its projects at once (:func:`save_grid`, one transaction: every cell is
checked first, and any bad cell refuses the whole grid with :class:`GridErrors`, keyed by project and
column so the page can show each error next to the input that caused it). A saved figure changed later
is a correction: the row's update is audited field by field, and an event on the project (``field`` such
as ``2026-03 completed``) puts the before/after in the project's history.

Helpers the KPI work uses:

- :func:`completed` — completed investment of projects for months 1..``through_month`` of a year
  (1–N月累计), by project id; projects given as ids or as a :class:`~crm.security.scope.Scope`.
- :func:`plan_through` — a membership's planned investment for months 1..N (序时计划) from its monthly split.
- :func:`percent` — ``part / whole`` in percent with two decimals, None when ``whole`` is empty or zero;
  占年计划% is ``percent(cumulative, planned_investment)``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from crm.audit import service as audit
from crm.core.errors import DomainError
from crm.models import Project, ProjectYear
from crm.models.monthly import FUND_SOURCES, STATS_STATUSES, ProjectMonth
from crm.security.scope import Scope

__all__ = ["MONEY_FIELDS", "FIELDS", "MAX_AMOUNT", "GridErrors", "grid_statement", "grid_projects", "months_of",
           "parse_row",
           "save_grid", "seen_token", "register_edit_guard", "edit_refusals", "completed", "plan_through", "percent",
           "year_table", "ensure_month"]

MONEY_FIELDS = ("completed", *FUND_SOURCES)
FIELDS = (*MONEY_FIELDS, "stats_status", "stats_on", "progress")
MAX_AMOUNT = Decimal("10000000")  # 万元: a thousand billion yuan is a typing error, not a month's figure
CENT = Decimal("0.01")


EditGuard = Callable[[Session, Iterable[int], int, int], "dict[int, Any]"]
EDIT_GUARDS: list[EditGuard] = []


def register_edit_guard(guard: EditGuard) -> EditGuard:
    """A feature above this one (reporting rounds) says which projects' month may not be edited now.

    ``guard(session, project_ids, year, month)`` answers ``{project_id: message}`` for the refused ones."""
    if guard not in EDIT_GUARDS:
        EDIT_GUARDS.append(guard)
    return guard


def edit_refusals(session: Session, project_ids: Iterable[int], year: int, month: int) -> dict[int, Any]:
    """Why each of ``project_ids`` may not take figures for the month (absent when it may)."""
    ids = list(project_ids)
    out: dict[int, Any] = {}
    for guard in EDIT_GUARDS:
        for project_id, message in guard(session, ids, year, month).items():
            out.setdefault(project_id, message)
    return out


class GridErrors(DomainError):
    """Some cells were refused; ``errors`` maps ``(project_id, field)`` to a message."""

    def __init__(self, errors: dict[tuple[int, str], Any]):
        super().__init__(_l("Some figures could not be saved: correct the marked cells; nothing was saved."))
        self.errors = errors


def _check_period(year: int, month: int) -> None:
    if not 2000 <= int(year) <= 2100 or not 1 <= int(month) <= 12:
        raise DomainError(_l("Choose a year between 2000 and 2100 and a month from 1 to 12."))


def grid_statement(scope: Scope, year: int, unit_ids: Iterable[int] | None = None) -> Select:
    """``(Project, ProjectYear)`` rows of ``year``'s plan inside the scope (and, when given, under those units as
    责任单位 or 属地), ordered by name — the grid's rows, paged by the page."""
    stmt = (select(Project, ProjectYear).join(ProjectYear, ProjectYear.project_id == Project.id)
            .where(ProjectYear.year == year, scope.condition(Project)).order_by(Project.name, Project.id))
    if unit_ids is not None:
        ids = sorted(set(unit_ids))
        stmt = stmt.where(or_(Project.resp_unit_id.in_(ids), Project.location_unit_id.in_(ids)))
    return stmt


def grid_projects(session: Session, scope: Scope, year: int, unit_ids: Iterable[int] | None = None,
                  only: Iterable[int] | None = None) -> list:
    """The grid's ``[(project, membership), …]``; ``only`` keeps those project ids (a posted page's rows)."""
    stmt = grid_statement(scope, year, unit_ids)
    if only is not None:
        stmt = stmt.where(Project.id.in_(sorted(set(only))))
    return [(project, membership) for project, membership in session.execute(stmt)]


def months_of(session: Session, project_ids: Iterable[int], year: int, month: int) -> dict[int, ProjectMonth]:
    ids = list(project_ids)
    if not ids:
        return {}
    stmt = select(ProjectMonth).where(ProjectMonth.project_id.in_(ids), ProjectMonth.year == year,
                                      ProjectMonth.month == month)
    return {row.project_id: row for row in session.scalars(stmt)}


def _amount(raw) -> Decimal | None:
    text = str(raw or "").replace(",", "").replace("，", "").strip()
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise DomainError(_l("Enter a number (10k yuan).")) from None
    if not amount.is_finite():
        raise DomainError(_l("Enter a number (10k yuan)."))
    if amount < 0:
        raise DomainError(_l("An amount cannot be negative."))
    if amount >= MAX_AMOUNT:
        raise DomainError(_l("The amount is too large (at most %(max)s, in 10k yuan).", max=MAX_AMOUNT - CENT))
    return amount.quantize(CENT)


def parse_row(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """One project's inputs as field values, and the refused fields' messages."""
    values: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    for key in MONEY_FIELDS:
        try:
            values[key] = _amount(raw.get(key))
        except DomainError as err:
            errors[key] = err.message
    status = (raw.get("stats_status") or "none").strip()
    if status not in STATS_STATUSES:
        errors["stats_status"] = _l("Choose a value from the list.")
    values["stats_status"] = status
    on = str(raw.get("stats_on") or "").strip()
    values["stats_on"] = None
    if on:
        try:
            values["stats_on"] = dt.date.fromisoformat(on)
        except ValueError:
            errors["stats_on"] = _l("Enter a date as YYYY-MM-DD.")
    if status == "entered" and not on:
        errors["stats_on"] = _l("Enter the date the project entered the statistics (入统).")
    values["progress"] = (str(raw.get("progress") or "").strip()[:2000]) or None
    return values, errors


def _shown(value) -> str | None:
    if isinstance(value, Decimal):
        return str(value.quantize(CENT))
    return None if value is None else str(value)


def _is_empty(values: dict[str, Any]) -> bool:
    return all(values.get(k) is None for k in (*MONEY_FIELDS, "stats_on", "progress")) \
        and values.get("stats_status", "none") == "none"


def _save_one(session: Session, actor, project_id: int, year: int, month: int, row: ProjectMonth | None,
              values: dict[str, Any]) -> ProjectMonth | None:
    period = f"{year}-{month:02d}"
    if row is None:
        if _is_empty(values):
            return None
        row = ProjectMonth(project_id=project_id, year=year, month=month, **values)
        session.add(row)
        session.flush()
        audit.record_create(session, actor, row)
        audit.record_event(session, actor, "update", "project", project_id, field=f"{period} figures", old=None,
                           new=_shown(values.get("completed")) or "—")
        return row
    before = {k: getattr(row, k) for k in FIELDS}
    with audit.tracked_update(session, actor, row):
        for key, value in values.items():
            setattr(row, key, value)
    for key in FIELDS:
        if _shown(before[key]) != _shown(values[key]):
            audit.record_event(session, actor, "update", "project", project_id, field=f"{period} {key}",
                               old=_shown(before[key]), new=_shown(values[key]))
    return row


def seen_token(row: ProjectMonth | None) -> str:
    """What the grid remembers of a row when it is shown: its last change time, or ``new`` when there is none."""
    if row is None or row.updated_at is None:
        return "new"
    return row.updated_at.replace(tzinfo=None).isoformat(timespec="microseconds")


def _stale(row: ProjectMonth | None, seen: str, values: dict[str, Any]) -> bool:
    """Someone saved the row since the user opened the grid, and the user's figures differ from theirs.

    Submitting the figures already saved is no conflict; only a real overwrite of another's work is."""
    if seen_token(row) == seen:
        return False
    current = {k: None for k in FIELDS} | {"stats_status": "none"} if row is None else \
        {k: getattr(row, k) for k in FIELDS}
    return any(_shown(current[k]) != _shown(values.get(k)) for k in FIELDS)


def save_grid(session: Session, actor, scope: Scope, year: int, month: int,
              rows: dict[int, dict[str, Any]], unit_ids: Iterable[int] | None = None,
              seen: dict[int, str] | None = None, guarded: bool = True) -> int:
    """Save a month's figures for several projects, all or nothing; answers how many rows changed or were made.

    Every project must be in the grid (``year``'s plan, inside ``scope``, under ``unit_ids`` when given), else
    DomainError (a forged row);
    any bad cell raises :class:`GridErrors` before anything is written. ``seen`` maps a project to the
    :func:`seen_token` of its row when the grid was shown: a row another user saved since then, with different
    figures, is refused (error key ``"row"``) rather than overwritten. Imports pass no ``seen``. A project whose
    month a registered edit guard refuses (a report already sent or locked) is refused the same way; an approved
    correction passes ``guarded=False``."""
    _check_period(year, month)
    allowed = {p.id for p, _m in grid_projects(session, scope, year, unit_ids, only=rows)}
    if set(rows) - allowed:
        raise DomainError(_l("A project in the grid is not in this year's plan or not yours to enter."))
    parsed, errors = {}, {}
    for project_id, raw in rows.items():
        values, bad = parse_row(raw)
        parsed[project_id] = values
        errors.update({(project_id, key): message for key, message in bad.items()})
    existing = months_of(session, parsed, year, month)
    if guarded:
        for project_id, message in edit_refusals(session, parsed, year, month).items():
            errors[(project_id, "row")] = message
    if seen is not None:
        for project_id, values in parsed.items():
            if project_id in seen and _stale(existing.get(project_id), seen[project_id], values):
                errors[(project_id, "row")] = _l("Someone else saved this project's month after you opened the "
                                                 "grid: reload to see their figures.")
    if errors:
        raise GridErrors(errors)
    changed = 0
    for project_id, values in parsed.items():
        row = existing.get(project_id)
        before = None if row is None else {k: getattr(row, k) for k in FIELDS}
        saved = _save_one(session, actor, project_id, year, month, row, values)
        if saved is not None and before != {k: getattr(saved, k) for k in FIELDS}:
            changed += 1
    session.flush()
    return changed


def ensure_month(session: Session, actor, project: Project, year: int, month: int) -> ProjectMonth:
    """The project's row for the month, made empty if missing (photos attach to it)."""
    _check_period(year, month)
    row = months_of(session, [project.id], year, month).get(project.id)
    if row is None:
        row = ProjectMonth(project_id=project.id, year=year, month=month, stats_status="none")
        session.add(row)
        session.flush()
        audit.record_create(session, actor, row)
    return row


def completed(session: Session, projects: Iterable[int] | Scope, year: int, through_month: int) -> dict[int, Decimal]:
    """Completed investment (万元) of months 1..``through_month`` of ``year`` (1–N月累计), by project id.

    ``projects`` is a list of ids, or a Scope (every visible project with figures that year). Projects
    without figures are absent from a Scope's answer and 0 for listed ids."""
    stmt = (select(ProjectMonth.project_id, func.coalesce(func.sum(ProjectMonth.completed), 0))
            .where(ProjectMonth.year == year, ProjectMonth.month <= through_month)
            .group_by(ProjectMonth.project_id))
    if isinstance(projects, Scope):
        stmt = stmt.join(Project, Project.id == ProjectMonth.project_id).where(projects.condition(Project))
        out: dict[int, Decimal] = {}
    else:
        ids = list(projects)
        if not ids:
            return {}
        stmt = stmt.where(ProjectMonth.project_id.in_(ids))
        out = {i: Decimal("0.00") for i in ids}
    for project_id, total in session.execute(stmt):
        out[project_id] = Decimal(str(total)).quantize(CENT)
    return out


def plan_through(membership: ProjectYear | None, through_month: int) -> Decimal | None:
    """The planned investment of months 1..N (序时计划) from the monthly split; None without a split."""
    split = (membership.monthly_plan if membership is not None else None) or {}
    if not split:
        return None
    return sum((Decimal(str(v)) for k, v in split.items() if int(k) <= through_month), Decimal("0")).quantize(CENT)


def percent(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """``part / whole`` in percent, two decimals (占年计划%: cumulative over the year's plan)."""
    if part is None or not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(CENT)


def year_table(session: Session, project_id: int, year: int) -> list[dict[str, Any]]:
    """The twelve months of a year for one project: the row (or None), 1–N月累计 and 占年计划%."""
    membership = session.scalar(select(ProjectYear).where(ProjectYear.project_id == project_id,
                                                          ProjectYear.year == year))
    planned = membership.planned_investment if membership is not None else None
    stmt = select(ProjectMonth).where(ProjectMonth.project_id == project_id, ProjectMonth.year == year)
    rows = {r.month: r for r in session.scalars(stmt)}
    out, running = [], Decimal("0.00")
    for month in range(1, 13):
        row = rows.get(month)
        if row is not None and row.completed is not None:
            running += row.completed
        out.append({"month": month, "row": row, "cumulative": running, "percent": percent(running, planned),
                    "funds": sum((getattr(row, k) or 0 for k in FUND_SOURCES), Decimal("0.00")) if row else None})
    return out
