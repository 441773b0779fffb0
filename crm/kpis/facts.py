"""The SQL behind the KPIs: per-project milestones and monthly sums, aggregated per 责任单位 in one statement.

Three grouped sub-selects feed everything:

- :func:`milestones` — per project, the first date (≤ D) it reached 注册, 开工, 竣工 and 投产, once as
  reported (调度口径: any move not returned) and once as confirmed (认定口径, see :func:`_counted`);
- :func:`month_sums` — per project, the year's completed investment and 到位资金 through month(D), whether
  some month had completed investment > 0 (复工), and whether it entered statistics (入统) by D;
- :func:`signing_milestones` — the same milestones per 正式合同, over the projects made from it.

:func:`plan_totals` and :func:`contract_totals` then sum them per 责任单位 (projects) or per signing unit
(contracts) with ``GROUP BY``; callers add the rows of a unit's subtree. Nothing here loops over projects.
"""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import Numeric, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session

from crm.core.database import read
from crm.models import Lead, Project, ProjectStageChange, ProjectYear, Segment, Signing
from crm.models.monthly import FUND_SOURCES, ProjectMonth

__all__ = ["REGISTERED", "STARTED", "FINISHED", "PRODUCING", "CONFIRMED_START", "REVIEWED_STAGES",
           "milestones", "month_sums", "signing_milestones", "plan_through_expr", "has_split_expr",
           "plan_population", "plan_totals", "contract_totals", "PLAN_COLUMNS", "CONTRACT_COLUMNS", "to_decimal",
           "EACH", "chain_segments", "key"]

# Stage sets "reached S or later" (the pipeline order of crm.models.projects.PROJECT_STAGES).
REGISTERED = ("registered", "started", "completed", "producing", "effective")
STARTED = ("started", "completed", "producing", "effective")
FINISHED = ("completed", "producing", "effective")
PRODUCING = ("producing", "effective")
# Moves to these stages wait for the city's 认定; the others (注册, 竣工, 达效) need none and count as recorded.
REVIEWED_STAGES = ("signed", "started", "producing")
# In the confirmed figure 开工 rests on a 认定 of 开工 or 投产, so a move straight to 竣工 cannot stand in for it.
CONFIRMED_START = ("started", "producing")
CENT = Decimal("0.01")


def to_decimal(value) -> Decimal:
    """A SQL sum as money: SQLite answers floats or ints, PostgreSQL Decimals; None is 0."""
    return Decimal(str(value or 0)).quantize(CENT)


def _counted(basis: str):
    change = ProjectStageChange
    if basis == "dispatch":  # 调度口径: as reported — pending or confirmed, never returned
        return or_(change.review_status.is_(None), change.review_status.in_(("pending", "confirmed")))
    return or_(change.review_status == "confirmed",
               and_(change.review_status.is_(None), change.to_stage.not_in(REVIEWED_STAGES)))


def _first(stages, basis: str):
    change = ProjectStageChange
    return func.min(case((and_(change.to_stage.in_(stages), _counted(basis)), change.effective_on)))


def _in_plan(column, year: int | None):
    """Only the projects of ``year``'s plan (the table grows with every year's history)."""
    return [] if year is None else [column.in_(select(ProjectYear.project_id).where(ProjectYear.year == year))]


def milestones(as_of: dt.date, plan_year: int | None = None):
    """Per project: first date of each milestone by ``as_of``, per 口径 (``*_d`` 调度, ``*_c`` confirmed);
    only the projects of ``plan_year``'s plan when it is given."""
    change = ProjectStageChange
    confirmed_start = func.min(case((and_(change.to_stage.in_(CONFIRMED_START), change.review_status == "confirmed"),
                                     change.effective_on)))
    return (select(change.project_id.label("project_id"),
                   _first(REGISTERED, "dispatch").label("registered_d"),
                   _first(REGISTERED, "confirmed").label("registered_c"),
                   _first(STARTED, "dispatch").label("started_d"), confirmed_start.label("started_c"),
                   _first(FINISHED, "dispatch").label("finished_d"), _first(FINISHED, "confirmed").label("finished_c"),
                   _first(PRODUCING, "dispatch").label("producing_d"),
                   _first(PRODUCING, "confirmed").label("producing_c"))
            .where(change.effective_on <= as_of, *_in_plan(change.project_id, plan_year))
            .group_by(change.project_id).subquery("milestones"))


def month_sums(year: int, as_of: dt.date):
    """Per project: completed investment and 到位资金 of months 1..month(D) of ``year``, 复工 and 入统 flags."""
    month = ProjectMonth
    this_year = and_(month.year == year, month.month <= as_of.month)
    funds = sum((func.coalesce(getattr(month, k), 0) for k in FUND_SOURCES), literal(0))
    entered = and_(month.stats_status == "entered", or_(month.stats_on.is_(None), month.stats_on <= as_of))
    return (select(month.project_id.label("project_id"),
                   func.sum(case((this_year, month.completed))).label("completed"),
                   func.sum(case((this_year, funds))).label("funds"),
                   func.max(case((and_(this_year, month.completed > 0), 1), else_=0)).label("resumed"),
                   func.max(case((entered, 1), else_=0)).label("entered"))
            # Earlier years' rows only feed the 入统 flag: a project in the statistics stays there.
            .where(or_(month.year < year, this_year), *_in_plan(month.project_id, year))
            .group_by(month.project_id).subquery("month_sums"))


def _split_month(k: int):
    return cast(ProjectYear.monthly_plan[str(k)].as_string(), Numeric(16, 2))


def has_split_expr():
    """Whether the membership has a monthly split (stored keys "1".."12"; JSON null or SQL NULL both mean none)."""
    return func.coalesce(*(_split_month(k) for k in range(1, 13))).is_not(None)


def plan_through_expr(through_month: int):
    """The split's planned investment of months 1..N (0 without a split)."""
    return sum((func.coalesce(_split_month(k), 0) for k in range(1, through_month + 1)), literal(0))


def plan_population(year: int, lists: Iterable[str] | None, unit_ids: Iterable[int] | None):
    """Conditions selecting the year's plan memberships (joined to their project)."""
    where = [ProjectYear.year == year, Project.id == ProjectYear.project_id]
    if lists is not None:
        where.append(ProjectYear.plan_list.in_(sorted(lists)))
    if unit_ids is not None:
        where.append(Project.resp_unit_id.in_(sorted(unit_ids)))
    return where


def _count(condition):
    return func.sum(case((condition, 1), else_=0))


def _money(condition, value):
    return func.sum(case((condition, func.coalesce(value, 0)), else_=0))


PLAN_COLUMNS = ("new_n", "new_d", "new_c", "cont_n", "cont_d", "cont_c", "planned", "completed_d", "completed_c",
                "split_through", "nosplit_planned", "n_split", "n_nosplit", "finish_n", "finish_d", "finish_c",
                "produce_n", "produce_d", "produce_c", "attr_planned", "funds_d", "funds_c")


def planned_finish(year: int):
    """Planned to complete in the year: a finish month in the plan, or a planned 竣工 date inside the year."""
    return or_(ProjectYear.planned_finish_month.is_not(None),
               Project.planned_complete_on.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))


def planned_production(year: int):
    return and_(Project.category == "industry",
                Project.planned_production_on.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))


def key(values) -> tuple | None:
    """A set of ids or names as a statement cache key (sorted; None: no filter)."""
    return None if values is None else tuple(sorted(values))


# The chain axis of the totals: None (every project or contract), a chain id (that chain's only), or EACH
# (grouped per chain as well; projects and contracts outside any chain left out).
EACH = "each"


def chain_segments(chain_id: int):
    return select(Segment.id).where(Segment.chain_id == chain_id)


def _keyed(rows, columns, chain) -> dict:
    if chain == EACH:
        return {(row[0], row[1]): dict(zip(columns, row[2:])) for row in rows}
    return {row[0]: dict(zip(columns, row[1:])) for row in rows}


def plan_totals(session: Session, year: int, as_of: dt.date, lists=None, unit_ids=None, chain=None) -> dict:
    """Every plan-based numerator and denominator, summed per 责任单位: ``{resp_unit_id: {column: value}}``
    (``chain``: a chain id keeps its projects; EACH keys the sums by ``(resp_unit_id, chain_id)``)."""
    stmt = plan_totals_statement(year, as_of, key(lists), key(unit_ids), chain)
    return _keyed(read(session, stmt), PLAN_COLUMNS, chain)


# Built statements are immutable and depend only on their arguments: building one costs more Python than a
# small plan's query takes to run, and a page asks for the same ones again (the dashboard, the KPI page).
@functools.lru_cache(maxsize=256)
def plan_totals_statement(year: int, as_of: dt.date, lists: tuple | None, unit_ids: tuple | None,
                          chain: int | str | None = None):
    m, f = milestones(as_of, year), month_sums(year, as_of)
    new, cont = ProjectYear.plan_list == "new", ProjectYear.plan_list == "continuing"
    resumed, entered = func.coalesce(f.c.resumed, 0) == 1, func.coalesce(f.c.entered, 0) == 1
    planned = ProjectYear.planned_investment
    split = has_split_expr()
    finish, produce = planned_finish(year), planned_production(year)
    attraction = Project.source == "attraction"
    columns = (
        _count(new), _count(and_(new, m.c.started_d.is_not(None))), _count(and_(new, m.c.started_c.is_not(None))),
        _count(cont), _count(and_(cont, resumed)), _count(and_(cont, resumed, m.c.started_c.is_not(None))),
        _money(literal(True), planned), _money(literal(True), f.c.completed), _money(entered, f.c.completed),
        _money(split, plan_through_expr(as_of.month)), _money(~split, planned),
        _count(and_(split, planned > 0)), _count(and_(~split, planned > 0)),
        _count(finish), _count(and_(finish, m.c.finished_d.is_not(None))),
        _count(and_(finish, m.c.finished_c.is_not(None))),
        _count(produce), _count(and_(produce, m.c.producing_d.is_not(None))),
        _count(and_(produce, m.c.producing_c.is_not(None))),
        _money(attraction, planned), _money(attraction, f.c.funds), _money(and_(attraction, entered), f.c.funds),
    )
    keys = (Project.resp_unit_id, Segment.chain_id) if chain == EACH else (Project.resp_unit_id,)
    stmt = (select(*keys, *(c.label(n) for c, n in zip(columns, PLAN_COLUMNS)))
            .select_from(ProjectYear).join(Project, Project.id == ProjectYear.project_id)
            .outerjoin(m, m.c.project_id == Project.id).outerjoin(f, f.c.project_id == Project.id)
            .where(*plan_population(year, lists, unit_ids)).group_by(*keys))
    if chain == EACH:
        stmt = stmt.join(Segment, Segment.id == Project.segment_id)
    elif chain is not None:
        stmt = stmt.where(Project.segment_id.in_(chain_segments(chain)))
    return stmt


def signing_milestones(as_of: dt.date):
    """Per signing: the earliest milestones of the projects made from it, and one of those projects."""
    m = milestones(as_of)
    cols = ("registered_d", "registered_c", "started_d", "started_c", "producing_d", "producing_c")
    return (select(Project.signing_id.label("signing_id"), func.min(Project.id).label("project_id"),
                   *(func.min(m.c[c]).label(c) for c in cols))
            .select_from(Project).outerjoin(m, m.c.project_id == Project.id)
            .where(Project.signing_id.is_not(None)).group_by(Project.signing_id).subquery("signing_milestones"))


# same_n with signed_amount is also the 签约 card (正式合同 signed in [1 Jan, D]), so a close freezes it.
CONTRACT_COLUMNS = ("same_n", "same_d", "same_c", "due_n", "met_d", "met_c", "signed_amount")
DEADLINES = (("deadline_register", "registered"), ("deadline_start", "started"),
             ("deadline_production", "producing"))


def due_condition(deadline, year: int, as_of: dt.date):
    return deadline.between(dt.date(year, 1, 1), as_of)


def met_condition(s, deadline, milestone: str, basis: str):
    reached = s.c[f"{milestone}_{basis}"]
    return and_(reached.is_not(None), reached <= deadline)


def signed_this_year(year: int, as_of: dt.date):
    return Signing.signed_on.between(dt.date(year, 1, 1), as_of)


def contract_totals(session: Session, year: int, as_of: dt.date, unit_ids=None, chain=None) -> dict:
    """履约 and 当年签约当年开工 numerators and denominators per signing unit, over 正式合同 only (``chain``:
    as for :func:`plan_totals`, by the chain of the contract's lead)."""
    stmt = contract_totals_statement(year, as_of, key(unit_ids), chain)
    return _keyed(read(session, stmt), CONTRACT_COLUMNS, chain)


@functools.lru_cache(maxsize=256)
def contract_totals_statement(year: int, as_of: dt.date, unit_ids: tuple | None, chain: int | str | None = None):
    s = signing_milestones(as_of)
    same = signed_this_year(year, as_of)
    due = [due_condition(getattr(Signing, d), year, as_of) for d, _m in DEADLINES]
    met = {basis: [and_(due[i], met_condition(s, getattr(Signing, d), ms, basis))
                   for i, (d, ms) in enumerate(DEADLINES)] for basis in ("d", "c")}
    columns = (_count(same), _count(and_(same, s.c.started_d.is_not(None))),
               _count(and_(same, s.c.started_c.is_not(None))),
               sum((_count(c) for c in due), literal(0)), sum((_count(c) for c in met["d"]), literal(0)),
               sum((_count(c) for c in met["c"]), literal(0)), _money(same, Signing.amount))
    keys = (Signing.unit_id, Segment.chain_id) if chain == EACH else (Signing.unit_id,)
    stmt = (select(*keys, *(c.label(n) for c, n in zip(columns, CONTRACT_COLUMNS)))
            .select_from(Signing).outerjoin(s, s.c.signing_id == Signing.id)
            .where(Signing.kind == "contract", Signing.signed_on <= as_of).group_by(*keys))
    if unit_ids is not None:
        stmt = stmt.where(Signing.unit_id.in_(unit_ids))
    if chain == EACH:
        stmt = stmt.join(Lead, Lead.id == Signing.lead_id).join(Segment, Segment.id == Lead.segment_id)
    elif chain is not None:
        stmt = stmt.where(Signing.lead_id.in_(select(Lead.id).where(Lead.segment_id.in_(chain_segments(chain)))))
    return stmt
