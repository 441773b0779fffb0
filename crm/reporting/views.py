"""Reporting pages: the period's rounds and 催报 list, sending a unit's month, review steps, corrections.

Reading needs ``project.view`` and shows the units of the user's subtree (everything for city-wide users);
sending, the month's file to fill in (:mod:`crm.reporting.roundtrip`) and asking for corrections need
``project.edit``; approving, returning, locking and deciding
corrections need ``report.review``. A round outside the user's units answers 404. Each step is one POST:
CSRF, one service, commit, redirect; a refusal rolls back and shows the service's message.
"""
from __future__ import annotations

import io

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.audit import service as audit
from crm.core.errors import DomainError
from crm.core.params import int_arg
from crm.extensions import db
from crm.models import Project, ProjectYear, Unit
from crm.models.monthly import FUND_SOURCES, ProjectMonth
from crm.models.reporting import ReportCorrection, ReportingRound
from crm.projects import monthly
from crm.projects.forms import ActionForm
from crm.projects.listing import local_today
from crm.projects.views_monthly import FUND_LABELS, STATS_LABELS
from crm.kpis import snapshots
from crm.ledgers.service import content_disposition
from crm.ledgers.views import XLSX
from crm.reporting import closing, corrections, overview, roundtrip, rounds
from crm.security.permissions import requires
from crm.security.web import current_scope, get_visible_or_404

bp = Blueprint("reporting", __name__, url_prefix="/reporting")


def _default_period() -> tuple[int, int]:
    """The month usually being reported: the previous one."""
    today = local_today()
    return (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)


def _period() -> tuple[int, int]:
    year, month = _default_period()
    return (int_arg("year", year, minimum=2000, maximum=2100), int_arg("month", month, minimum=1, maximum=12))


def _visible_units():
    scope = current_scope()
    return None if scope.sees_all else scope.unit_ids


def _round_or_404(round_id: int) -> ReportingRound:
    found = db.session.get(ReportingRound, round_id)
    units = _visible_units()
    if found is None or (units is not None and found.unit_id not in units):
        abort(404)
    return found


def _fail(err: DomainError) -> None:
    db.session.rollback()
    flash(str(err.message), "danger")


@bp.route("/")
@requires("project.view")
def index():
    year, month = _period()
    today = local_today()
    rows = overview.overview(db.session, year, month, today, _visible_units())
    return render_template("reporting/index.html", year=year, month=month, rows=rows,
                           chase=overview.chase_list(rows), due=rounds.due_date(db.session, year, month),
                           labels=rounds.STATUS_LABELS, form=ActionForm(formdata=None),
                           closed=snapshots.period(db.session, year, month),
                           may_send={r.unit_id: rounds.may_send(db.session, current_user, r.unit_id) for r in rows})


@bp.route("/send/<int:unit_id>/<int:year>/<int:month>", methods=["POST"])
@requires("project.edit")
def send(unit_id: int, year: int, month: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    units = _visible_units()
    if db.session.get(Unit, unit_id) is None or (units is not None and unit_id not in units):
        abort(404)
    try:
        rounds.submit(db.session, current_user, unit_id, year, month, today=local_today())
    except DomainError as err:
        _fail(err)
    else:
        db.session.commit()
        flash(_("The month's report was sent."), "success")
    return redirect(url_for("reporting.index", year=year, month=month))


@bp.route("/close/<int:year>/<int:month>", methods=["POST"])
@requires("report.review")
def close(year: int, month: int):
    """封账: lock the approved rounds and freeze the month's figures."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        _found, unsent = closing.close_month(db.session, current_user, year, month, today=local_today(),
                                             note=request.form.get("note"))
    except DomainError as err:
        _fail(err)
    else:
        db.session.commit()
        flash(_("%(year)s-%(month)02d is closed: reports and rankings of the period now read its frozen figures.",
                year=year, month=month), "success")
        if unsent:
            flash(_("Closed without a report from: %(units)s.", units="、".join(unsent)), "warning")
    return redirect(url_for("reporting.index", year=year, month=month))


@bp.route("/file/<int:unit_id>/<int:year>/<int:month>")
@requires("project.edit")
def fill_file(unit_id: int, year: int, month: int):
    """The unit's month as the 月报 to fill in (the 报送 round trip: fill, then import it back)."""
    units = _visible_units()
    unit = db.session.get(Unit, unit_id)
    if unit is None or (units is not None and unit_id not in units) or not 2000 <= year <= 2100 \
            or not 1 <= month <= 12:
        abort(404)
    if not rounds.may_send(db.session, current_user, unit_id):
        abort(403)
    buffer = io.BytesIO()
    name = roundtrip.fill_download(db.session, current_scope(), unit, year, month, local_today(), buffer)
    return Response(buffer.getvalue(), mimetype=XLSX, headers={"Content-Disposition": content_disposition(name)})


@bp.route("/round/<int:round_id>")
@requires("project.view")
def round_page(round_id: int):
    found = _round_or_404(round_id)
    unit = db.session.get(Unit, found.unit_id)
    history = audit.history(db.session, "reporting_round", found.id)
    listed = corrections.pending_for(db.session, [found.id])
    projects = dict(db.session.execute(select(Project.id, Project.name).where(
        Project.id.in_([c.project_id for c in listed] or [0]))).all())
    names = rounds.names_of(db.session, [found.submitted_by, found.reviewed_by, found.locked_by,
                                         *(c.requested_by for c in listed)])
    unit_rows = db.session.execute(
        select(Project.id, Project.name, ProjectMonth.completed).join(
            ProjectYear, (ProjectYear.project_id == Project.id) & (ProjectYear.year == found.year))
        .outerjoin(ProjectMonth, (ProjectMonth.project_id == Project.id) & (ProjectMonth.year == found.year)
                   & (ProjectMonth.month == found.month))
        .where(Project.resp_unit_id == found.unit_id, current_scope().condition(Project))
        .order_by(Project.name)).all()
    return render_template("reporting/round.html", round=found, unit=unit, history=history, corrections=listed,
                           unit_rows=unit_rows, sees_all=current_scope().sees_all,
                           projects=projects, names=names, labels=rounds.STATUS_LABELS,
                           missing=rounds.missing(db.session, found.unit_id, found.year, found.month),
                           form=ActionForm(formdata=None), fund_labels=FUND_LABELS, stats_labels=STATS_LABELS,
                           may_send=rounds.may_send(db.session, current_user, found.unit_id))


def _step(round_id: int, action):
    found = _round_or_404(round_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    version = request.form.get("version_id", "")
    try:
        action(found, int(version) if version.isdigit() else None)
    except DomainError as err:
        _fail(err)
    else:
        db.session.commit()
        flash(_("Saved."), "success")
    return redirect(url_for("reporting.round_page", round_id=found.id))


@bp.route("/round/<int:round_id>/approve", methods=["POST"])
@requires("report.review")
def approve(round_id: int):
    return _step(round_id, lambda r, v: rounds.approve(db.session, current_user, r, expected_version=v))


@bp.route("/round/<int:round_id>/return", methods=["POST"])
@requires("report.review")
def send_back(round_id: int):
    return _step(round_id, lambda r, v: rounds.return_round(db.session, current_user, r, request.form.get("reason"),
                                                            expected_version=v))


@bp.route("/round/<int:round_id>/lock", methods=["POST"])
@requires("report.review")
def lock(round_id: int):
    return _step(round_id, lambda r, v: rounds.lock(db.session, current_user, r, expected_version=v))


@bp.route("/correction/<int:project_id>/<int:year>/<int:month>", methods=["GET", "POST"])
@requires("project.edit")
def correction(project_id: int, year: int, month: int):
    project = get_visible_or_404(Project, project_id)
    if not 2000 <= year <= 2100 or not 1 <= month <= 12:
        abort(404)
    found = rounds.round_of(db.session, project.resp_unit_id, year, month)
    if found is None or found.status != "locked":
        abort(404)
    row = monthly.months_of(db.session, [project.id], year, month).get(project.id)
    values = {k: ("" if row is None or getattr(row, k) is None else str(getattr(row, k))) for k in monthly.FIELDS}
    errors, reason, status = {}, "", 200
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        values = {k: request.form.get(k, "") for k in monthly.FIELDS}
        reason = request.form.get("reason", "")
        try:
            corrections.request_correction(db.session, current_user, project, year, month, values, reason)
        except monthly.GridErrors as err:
            db.session.rollback()
            errors, status = {key: msg for (_pid, key), msg in err.errors.items()}, 422
            flash(str(err.message), "danger")
        except DomainError as err:
            _fail(err)
            errors, status = {err.field or "reason": err.message}, 422
        else:
            db.session.commit()
            flash(_("The correction waits for the reviewer's approval."), "success")
            return redirect(url_for("reporting.round_page", round_id=found.id))
    return render_template("reporting/correction.html", project=project, year=year, month=month, values=values,
                           errors=errors, reason=reason, round=found, form=ActionForm(formdata=None),
                           funds=FUND_SOURCES, fund_labels=FUND_LABELS, stats_labels=STATS_LABELS), status


@bp.route("/corrections/<int:correction_id>/decide", methods=["POST"])
@requires("report.review")
def decide(correction_id: int):
    item = db.session.get(ReportCorrection, correction_id)
    if item is None:
        abort(404)
    found = _round_or_404(item.round_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        corrections.decide(db.session, current_user, item, request.form.get("decision") == "approve",
                           request.form.get("note"))
    except monthly.GridErrors as err:
        db.session.rollback()
        flash(str(err.message), "danger")
    except DomainError as err:
        _fail(err)
    else:
        db.session.commit()
        flash(_("Saved."), "success")
    return redirect(url_for("reporting.round_page", round_id=found.id))
