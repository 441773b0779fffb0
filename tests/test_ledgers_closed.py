"""The 月报 of a closed month (封账) quotes the frozen figures: a correction made after the close changes the
live figures and the next report, never the closed month's 月报 (both databases)."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import update

from crm.kpis import snapshots
from crm.models import ProjectMonth
from tests.test_ledgers import _columns, _export, _rows_by_id, lworld  # noqa: F401 - the shared fixture
from tests.test_projects_services import pworld  # noqa: F401 - lworld's own fixture


def _figures(db, lworld, tmp_path, month):  # noqa: F811
    _book, ws, _n = _export(db, lworld["users"]["leader"], "monthly_key_projects", tmp_path, month=month)
    cols = _columns(ws)
    row = _rows_by_id(ws, cols)[lworld["p1"].id]
    return {k: ws.cell(row, cols[k]).value for k in ("this_month", "ytd", "since_start", "before_year")}


def test_a_closed_months_report_does_not_drift(db, lworld, tmp_path):  # noqa: F811
    snapshots.take(db.session, lworld["users"]["admin"], 2026, 3)
    db.session.commit()
    closed = _figures(db, lworld, tmp_path, 3)
    # p1: 2025 → 300 before the year; 2026 Jan–Mar 100 + 150.5 + 50 = 300.5; March alone 50.
    assert closed == {"this_month": 50, "ytd": 300.5, "since_start": 600.5, "before_year": 300}
    db.session.execute(update(ProjectMonth).where(ProjectMonth.project_id == lworld["p1"].id,
                                                  ProjectMonth.year == 2026, ProjectMonth.month.in_((2, 3)))
                       .values(completed=Decimal("70")))
    db.session.commit()
    assert _figures(db, lworld, tmp_path, 3) == closed  # the closed month stands
    # February was never closed: its 月报 follows the correction (1–2月 100 + 70 = 170).
    assert _figures(db, lworld, tmp_path, 2) == {"this_month": 70, "ytd": 170, "since_start": 470,
                                                 "before_year": 300}
