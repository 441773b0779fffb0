"""The KPI page (/kpis/): every indicator in both 口径 with the target in force, 序时 and the named exceptions.

Filters year, list, unit and as_of come from the URL; a bad value is a 400 naming the parameter. The
figures are aggregates every role may see for any unit; the exception lists only name projects inside
the user's scope (the service applies it).
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, render_template, request
from flask_babel import get_timezone
from flask_babel import gettext as _
from sqlalchemy import select

from crm.core.params import choice_arg, int_arg
from crm.extensions import db
from crm.kpis import service
from crm.kpis.labels import (BASIS_LABELS, INDICATOR_LABELS, LIST_LABELS, MONEY_INDICATORS, REASON_LABELS,
                             UNITS)
from crm.kpis.results import INDICATORS
from crm.models import Unit
from crm.models.projects import PLAN_LISTS
from crm.security.permissions import requires
from crm.security.web import current_scope

bp = Blueprint("kpis", __name__, url_prefix="/kpis")


def _bad(name: str, raw: str):
    abort(400, description=_("Parameter %(name)s does not accept %(value)s.", name=name, value=raw[:40]))


def _unit() -> int | None:
    unit_id = int_arg("unit", None, minimum=1, maximum=2**31 - 1)
    if unit_id is not None and db.session.get(Unit, unit_id) is None:
        _bad("unit", str(unit_id))
    return unit_id


def _today() -> dt.date:
    return dt.datetime.now(get_timezone()).date()


def _as_of(year: int) -> dt.date:
    raw = request.args.get("as_of", "").strip()
    if not raw:  # today, kept inside the chosen year
        return min(max(_today(), dt.date(year, 1, 1)), dt.date(year, 12, 31))
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        _bad("as_of", raw)
    if day.year != year:
        abort(400, description=_("Parameter %(name)s is out of range.", name="as_of"))
    return day


@bp.route("/")
@requires("dashboard.view")
def index():
    # Today's year by default, as the monthly grid and the project list do, so figures just entered show.
    year = int_arg("year", _today().year, minimum=2000, maximum=2100)
    plan_list = choice_arg("list", PLAN_LISTS)
    unit_id = _unit()
    as_of = _as_of(year)
    report = service.kpis(db.session, year, plan_list, unit_id, as_of, scope=current_scope())
    units = db.session.execute(select(Unit.id, Unit.name).where(Unit.active.is_(True))
                               .order_by(Unit.sort, Unit.name)).all()
    return render_template("kpis/index.html", report=report, order=INDICATORS, labels=INDICATOR_LABELS,
                           reasons=REASON_LABELS, bases=BASIS_LABELS, counted=UNITS, units=units,
                           lists=LIST_LABELS, money_keys=MONEY_INDICATORS)
