"""要素保障 pages: the year's overview by kind, the request list, a request with its allocations, the pools,
a project's new request, and the project page's panel.

Every URL naming a request or project loads it through the visibility scope (404 outside it); the
overview shows aggregates to every role. Each POST checks the CSRF token, calls one service and commits
once; a refusal rolls back and re-renders the form with what was entered and the service's message.
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.core.errors import DomainError
from crm.core.params import paginate
from crm.core.templating import can
from crm.extensions import db
from crm.factors import listing, services
from crm.factors.rules import KIND_LABELS, STATUS_LABELS, UNIT_LABELS, ZERO, outstanding
from crm.models import FactorAllocation, FactorPool, FactorRequest, Project, Unit, User
from crm.projects.forms import ActionForm
from crm.projects.panels import register_panel
from crm.security.permissions import requires
from crm.security.scope import unit_subtree
from crm.security.web import current_scope, get_visible_or_404

bp = Blueprint("factors", __name__, url_prefix="/factors")

LABELS = {"kinds": KIND_LABELS, "units_of": UNIT_LABELS, "statuses": STATUS_LABELS}


@bp.app_template_filter("qty")
def qty(value) -> str:
    """An amount in its kind's unit: thousands separators, no trailing zeros; blank for None."""
    if value is None:
        return ""
    text = f"{value:,.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _units():
    return db.session.execute(select(Unit.id, Unit.name).where(Unit.active.is_(True))
                              .order_by(Unit.sort, Unit.name)).all()


def _filters() -> listing.Filters:
    try:
        filters = listing.filters_from_args(request.args)
    except listing.BadFilter as bad:
        abort(400, description=_("Parameter %(name)s does not accept %(value)s.", name=bad.name, value=bad.raw[:40]))
    if filters.unit is not None:
        if db.session.get(Unit, filters.unit) is None:
            abort(400, description=_("Parameter %(name)s does not accept %(value)s.", name="unit", value=filters.unit))
        filters.unit_ids = unit_subtree(db.session, filters.unit)
    return filters


def _posted() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


@bp.route("/")
@requires("project.view")
def index():
    filters = _filters()
    rows = listing.overview(db.session, filters)
    return render_template("factors/index.html", rows=rows, filters=filters, units=_units(), **LABELS)


@bp.route("/requests")
@requires("project.view")
def requests():
    filters = _filters()
    condition = current_scope().condition(FactorRequest)
    page = paginate(db.session, listing.request_query(filters, condition),
                    count=listing.count_query(filters, condition), rows=True)
    return render_template("factors/requests.html", page=page, filters=filters, units=_units(), **LABELS)


def _detail(req: FactorRequest, error: DomainError | None = None, form: str | None = None):
    project = db.session.get(Project, req.project_id)
    grants = db.session.execute(
        select(FactorAllocation, User.name).outerjoin(User, User.id == FactorAllocation.created_by)
        .where(FactorAllocation.request_id == req.id)
        .order_by(FactorAllocation.allocated_on, FactorAllocation.id)).all()
    allocated = sum((g.amount for g, _name in grants), ZERO)
    pool = db.session.scalar(select(FactorPool).where(FactorPool.year == req.year, FactorPool.kind == req.kind))
    remaining = pool.total - services.pool_allocated(db.session, pool.id) if pool else None
    body = render_template("factors/detail.html", req=req, project=project, grants=grants, allocated=allocated,
                           outstanding=outstanding(req.amount, allocated, req.status), pool=pool, remaining=remaining,
                           error=error, failed_form=form, today=dt.date.today(), **LABELS)
    return body, 422 if error else 200


@bp.route("/requests/<int:request_id>")
@requires("project.view")
def detail(request_id: int):
    return _detail(get_visible_or_404(FactorRequest, request_id))


def _act(request_id: int, call, done: str, form: str):
    req = get_visible_or_404(FactorRequest, request_id)
    _posted()
    try:
        call(req)
    except DomainError as err:
        db.session.rollback()
        return _detail(db.session.get(FactorRequest, request_id), err, form)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("factors.detail", request_id=request_id))


@bp.route("/requests/<int:request_id>/allocate", methods=["POST"])
@requires("factor.allocate")
def allocate(request_id: int):
    return _act(request_id, lambda r: services.allocate(db.session, current_user, r, request.form),
                _("Allocation recorded."), "allocate")


@bp.route("/requests/<int:request_id>/refuse", methods=["POST"])
@requires("factor.allocate")
def refuse(request_id: int):
    return _act(request_id, lambda r: services.refuse(db.session, current_user, r, request.form),
                _("Request refused (不予保障)."), "refuse")


@bp.route("/project/<int:project_id>/new", methods=["GET", "POST"])
@requires("project.edit")
def create(project_id: int):
    project = get_visible_or_404(Project, project_id)
    error = None
    if request.method == "POST":
        _posted()
        try:
            services.create_request(db.session, current_user, project, request.form)
        except DomainError as err:
            db.session.rollback()
            error = err
        else:
            db.session.commit()
            flash(_("Request recorded."), "success")
            return redirect(url_for("projects.detail", project_id=project.id, _anchor="factors"))
    return render_template("factors/form.html", project=project, error=error, today=dt.date.today(),
                           **LABELS), 422 if error else 200


@bp.route("/pools", methods=["GET", "POST"])
@requires("factor.allocate")
def pools():
    filters = _filters()
    error = None
    if request.method == "POST":
        _posted()
        try:
            pool = services.set_pool(db.session, current_user, request.form)
        except DomainError as err:
            db.session.rollback()
            error = err
        else:
            db.session.commit()
            flash(_("Pool saved."), "success")
            return redirect(url_for("factors.pools", year=pool.year))
    rows = db.session.execute(listing.pools_by_kind(filters.year)).all()
    order = list(KIND_LABELS)
    rows = sorted(rows, key=lambda r: order.index(r[0]))
    return render_template("factors/pools.html", rows=rows, filters=filters, error=error,
                           **LABELS), 422 if error else 200


def project_panel(project: Project):
    """The project page's 要素保障 panel: the project's requests with allocated and outstanding amounts."""
    if not can("project.view"):
        return None
    allocated = listing.allocated_per_request().subquery()
    rows = db.session.execute(
        select(FactorRequest, allocated.c.allocated)
        .outerjoin(allocated, allocated.c.request_id == FactorRequest.id)
        .where(FactorRequest.project_id == project.id)
        .order_by(FactorRequest.year.desc(), FactorRequest.requested_on.desc(), FactorRequest.id.desc())
        .limit(50)).all()
    items = [(req, allocated or ZERO, outstanding(req.amount, allocated or ZERO, req.status))
             for req, allocated in rows]
    return "factors/_panel.html", {"factor_rows": items, "today": dt.date.today(), **LABELS}


register_panel("side", project_panel)
