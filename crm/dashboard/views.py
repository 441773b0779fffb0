"""The dashboard page (/dashboard, and / redirects to it): KPI cards and ECharts charts for the filters.

Filters year, list, unit, chain and period (a closed month of the year; empty: live) come from the URL; a
bad value is a 400 naming the parameter. The year defaults to the plan_year setting (the demo year). The
chart data goes to ``static/js/dashboard.js`` in a JSON block (the CSP allows no inline script).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user

from crm.core.params import choice_arg, int_arg
from crm.dashboard import services
from crm.dashboard.cards import RANK_INDICATORS
from crm.dashboard.labels import chart_words
from crm.extensions import db
from crm.kpis import snapshots
from crm.kpis.labels import INDICATOR_LABELS, LIST_LABELS
from crm.models import Chain, Unit
from crm.models.projects import PLAN_LISTS
from crm.security.permissions import PUBLIC, requires
from crm.security.web import current_scope
from crm.settings import registry
from crm.settings.core import DEMO_YEAR

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@requires(PUBLIC)
def home():
    return redirect(url_for("dashboard.index"))


@bp.app_template_filter("yi")
def yi(value) -> str:
    """万元 as 亿元 with one decimal and thousands separators (41,900,000 → 4,190.0)."""
    if value is None:
        return "—"
    return f"{Decimal(value) / 10000:,.1f}"


def _today() -> dt.date:
    return dt.datetime.now(get_timezone()).date()


def _exists(name: str, model, value: int | None) -> int | None:
    if value is not None and db.session.get(model, value) is None:
        abort(400, description=_("Parameter %(name)s does not accept %(value)s.", name=name, value=value))
    return value


def _filters() -> tuple[services.Filters, snapshots.Closes]:
    year = int_arg("year", registry.get(db.session, DEMO_YEAR.key), minimum=2000, maximum=2100)
    plan_list = choice_arg("list", PLAN_LISTS)
    unit_id = _exists("unit", Unit, int_arg("unit", None, minimum=1, maximum=2**31 - 1))
    chain_id = _exists("chain", Chain, int_arg("chain", None, minimum=1, maximum=2**31 - 1))
    month = int_arg("period", None, minimum=1, maximum=12)
    closes = services.periods_for(db.session, year)
    close = None
    if month is not None:
        close = closes.get(year, month)
        if close is None:  # only a closed month of the chosen year can be read as closed
            abort(400, description=_("Parameter %(name)s does not accept %(value)s.", name="period", value=month))
        if chain_id is not None and not close.chains_kept:  # closed before figures were kept per chain
            abort(400, description=_("Period %(period)s was closed before figures were kept per chain: choose all "
                                     "chains for it.", period=f"{year}-{month:02d}"))
    return services.Filters(year, plan_list, unit_id, chain_id, close), closes


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@bp.route("/dashboard")
@requires("dashboard.view")
def index():
    filters, closes = _filters()
    rank = choice_arg("rank", RANK_INDICATORS, RANK_INDICATORS[2])
    officers = services.sees_officers(current_user.roles)
    result = services.dashboard(db.session, filters, current_scope(), _today(), officers=officers, closes=closes)
    shown = ("ranking", "chains", "clusters", "provinces", "funnel", "stage_days", "overdue", "officers")
    charts = {key: _plain(result[key]) for key in shown}
    charts.update(rank=rank, words=chart_words(), indicators={k: str(INDICATOR_LABELS[k]) for k in RANK_INDICATORS})
    return render_template("dashboard/index.html", d=result, filters=filters, charts=charts,
                           **result["choices"], lists=LIST_LABELS,
                           labels=INDICATOR_LABELS, rank_keys=RANK_INDICATORS, rank=rank)
