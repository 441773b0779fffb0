"""The reporting page's table: every 责任单位 with plan projects, its round for the period, and the 催报 list.

A unit is *late* when its round is still open (草稿 or 退回) after the due date, and *incomplete* while some
plan project lacks the month's completed investment. The 催报 list is the open rounds that are late or
incomplete. Counts come from one GROUP BY; rounds from one query.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.models import Unit
from crm.models.reporting import ReportingRound
from crm.reporting.rounds import OPEN, counts, due_date

__all__ = ["UnitRow", "overview", "chase_list"]


@dataclass(frozen=True)
class UnitRow:
    unit_id: int
    name: str
    group: str | None
    projects: int
    filled: int
    status: str
    round: ReportingRound | None
    late: bool

    @property
    def incomplete(self) -> bool:
        return self.filled < self.projects


def overview(session: Session, year: int, month: int, today: dt.date,
             unit_ids: Iterable[int] | None = None) -> list[UnitRow]:
    per_unit = counts(session, year, month, unit_ids)
    if not per_unit:
        return []
    units = session.execute(select(Unit.id, Unit.name, Unit.group_name, Unit.sort)
                            .where(Unit.id.in_(sorted(per_unit)))).all()
    rounds = {r.unit_id: r for r in session.scalars(select(ReportingRound).where(
        ReportingRound.year == year, ReportingRound.month == month, ReportingRound.unit_id.in_(sorted(per_unit))))}
    past_due = today > due_date(session, year, month)
    rows = []
    for unit_id, name, group, _sort in sorted(units, key=lambda u: (u.sort, u.name)):
        found = rounds.get(unit_id)
        status = found.status if found else "draft"
        n, k = per_unit[unit_id]
        rows.append(UnitRow(unit_id, name, group, n, k, status, found, past_due and status in OPEN))
    return rows


def chase_list(rows: Iterable[UnitRow]) -> list[UnitRow]:
    """催报: open rounds that are late or incomplete, the late ones first."""
    return sorted((r for r in rows if r.status in OPEN and (r.late or r.incomplete)),
                  key=lambda r: (not r.late, r.filled - r.projects, r.name))
