"""Monthly figures: the unit's grid for a month, a project's month page (photos from a phone), and the small
table of the year on the project page (the ``monthly_table`` template helper).

The grid lists the projects of the year's plan under the user's units (责任单位 or 属地; a city-wide user
may pick a unit) inside the scope. Reading needs ``project.view``; saving and photos ``project.edit``.
A refused grid comes back with the user's input and each error beside its cell.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from crm.attachments import services as attachment_services
from crm.attachments.registry import Owner, register_owner
from crm.core.errors import DomainError
from crm.core.params import int_arg, paginate
from crm.extensions import db
from crm.models import Project, ProjectYear, Unit
from crm.models.monthly import FUND_SOURCES, ProjectMonth
from crm.projects import monthly
from crm.projects.forms import ActionForm
from crm.projects.listing import local_today
from crm.projects.views import bp
from crm.security.permissions import requires
from crm.security.scope import unit_subtree
from crm.security.web import current_scope, get_visible_or_404

register_owner(Owner("project_month", ProjectMonth, "project.view", "project.edit",
                     lambda m: url_for("projects.month_page", project_id=m.project_id, year=m.year, month=m.month)))

FUND_LABELS = {"funds_own": _l("Own funds"), "funds_loan": _l("Bank loans"), "funds_fiscal": _l("Fiscal funds"),
               "funds_bond": _l("Special bonds"), "funds_other": _l("Other funds")}
STATS_LABELS = {"none": _l("Not in statistics"), "pending": _l("To enter statistics"),
                "entered": _l("In statistics (入统)")}


class PhotoForm(ActionForm):
    file = FileField()


def _period():
    today = local_today()
    year = int_arg("year", today.year, minimum=2000, maximum=2100)
    month = int_arg("month", today.month, minimum=1, maximum=12)
    return year, month


def _unit_ids():
    """The units whose projects the grid shows: the user's subtree, or a chosen unit's for city-wide users."""
    scope = current_scope()
    unit_id = int_arg("unit_id", None, minimum=1)
    if unit_id is not None:
        if db.session.get(Unit, unit_id) is None or (not scope.sees_all and unit_id not in scope.unit_ids):
            abort(404)
        return unit_subtree(db.session, unit_id), unit_id
    return (None if scope.sees_all else scope.unit_ids), None


GRID_PAGE = 40  # rows per page: a posted page stays well under the form-part limit (12 inputs a row)


def _grid_rows(year: int, month: int, unit_ids):
    page = paginate(db.session, monthly.grid_statement(current_scope(), year, unit_ids), per_page=GRID_PAGE,
                    rows=True)
    ids = [p.id for p, _m in page.items]
    saved = monthly.months_of(db.session, ids, year, month)
    before = monthly.completed(db.session, ids, year, month - 1) if month > 1 else {i: 0 for i in ids}
    page.items = [{"project": p, "plan": m, "row": saved.get(p.id), "before": before.get(p.id, 0)}
                  for p, m in page.items]
    return page


def _values_of(row: ProjectMonth | None) -> dict:
    if row is None:
        return {"stats_status": "none"}
    out = {k: getattr(row, k) for k in monthly.FIELDS}
    out["stats_on"] = row.stats_on.isoformat() if row.stats_on else ""
    return {k: ("" if v is None else v) for k, v in out.items()}


@bp.route("/monthly")
@requires("project.view")
def monthly_grid():
    year, month = _period()
    unit_ids, unit_id = _unit_ids()
    page = _grid_rows(year, month, unit_ids)
    inputs = {r["project"].id: _values_of(r["row"]) for r in page.items}
    return _render_grid(year, month, unit_id, page, inputs, {})


def _render_grid(year, month, unit_id, page, inputs, errors, status=200, seen=None):
    """The grid page (one page of rows); ``seen`` keeps the tokens the user's refused form was shown with (else
    the saved rows')."""
    rows = page.items
    units = []
    if current_scope().sees_all:
        units = db.session.execute(select(Unit.id, Unit.name).where(Unit.active.is_(True))
                                   .order_by(Unit.sort, Unit.name)).all()
    closed = monthly.edit_refusals(db.session, [r["project"].id for r in rows], year, month)
    return render_template("projects/monthly_grid.html", year=year, month=month, unit_id=unit_id, rows=rows, page=page,
                           inputs=inputs, errors=errors, seen=seen or {}, closed=closed, units=units,
                           form=ActionForm(formdata=None),
                           fund_labels=FUND_LABELS, stats_labels=STATS_LABELS, funds=FUND_SOURCES,
                           percent=monthly.percent, seen_token=monthly.seen_token), status


@bp.route("/monthly", methods=["POST"])
@requires("project.edit")
def monthly_save():
    year, month = _period()
    unit_ids, unit_id = _unit_ids()
    if not ActionForm().validate_on_submit():
        abort(400)
    ids = []
    for raw in request.form.getlist("project"):
        if not raw.isdigit():
            abort(400)
        ids.append(int(raw))
    inputs = {pid: {k: request.form.get(f"c-{pid}-{k}", "") for k in monthly.FIELDS} for pid in ids}
    seen = {pid: request.form.get(f"seen-{pid}", "new") for pid in ids}
    try:
        changed = monthly.save_grid(db.session, current_user, current_scope(), year, month, inputs, unit_ids,
                                    seen=seen)
        db.session.commit()
    except monthly.GridErrors as err:
        db.session.rollback()
        flash(str(err.message), "danger")
        keep = {pid: token for pid, token in seen.items() if (pid, "row") not in err.errors}
        return _render_grid(year, month, unit_id, _grid_rows(year, month, unit_ids), inputs, err.errors, 422,
                            seen=keep)
    except DomainError as err:
        db.session.rollback()
        flash(str(err.message), "danger")
        abort(404)
    except IntegrityError:  # another user made the same project's month at the same moment
        db.session.rollback()
        flash(_("Someone saved this month at the same time; your figures were not saved, check and save again."),
              "danger")
        return _render_grid(year, month, unit_id, _grid_rows(year, month, unit_ids), inputs, {}, 409)
    flash(_("Monthly figures saved (%(n)s rows changed).", n=changed), "success")
    return redirect(url_for("projects.monthly_grid", year=year, month=month, unit_id=unit_id,
                            page=int_arg("page", None, minimum=1)))


@bp.route("/<int:project_id>/monthly/<int:year>/<int:month>")
@requires("project.view")
def month_page(project_id: int, year: int, month: int):
    project = get_visible_or_404(Project, project_id)
    if not 2000 <= year <= 2100 or not 1 <= month <= 12:
        abort(404)
    row = monthly.months_of(db.session, [project.id], year, month).get(project.id)
    photos = attachment_services.attachments_of(db.session, "project_month", [row.id])[row.id] if row else []
    return render_template("projects/monthly_month.html", project=project, year=year, month=month, row=row,
                           photos=photos, form=PhotoForm(formdata=None), fund_labels=FUND_LABELS,
                           stats_labels=STATS_LABELS, funds=FUND_SOURCES,
                           table=monthly.year_table(db.session, project.id, year))


@bp.route("/<int:project_id>/monthly/<int:year>/<int:month>/photo", methods=["POST"])
@requires("project.edit")
def month_photo(project_id: int, year: int, month: int):
    project = get_visible_or_404(Project, project_id)
    form = PhotoForm()
    if not form.validate_on_submit() or not 2000 <= year <= 2100 or not 1 <= month <= 12:
        abort(400)
    upload = form.file.data
    try:
        if upload is None or not getattr(upload, "filename", ""):
            raise DomainError(_("Choose a file to upload."), "file")
        row = monthly.ensure_month(db.session, current_user, project, year, month)
        attachment = attachment_services.store(db.session, current_user, "project_month", row.id, upload.filename,
                                               upload.stream)
    except DomainError as err:
        db.session.rollback()
        flash(str(err.message), "danger")
    else:
        db.session.commit()
        flash(_("%(name)s attached.", name=attachment.filename), "success")
    return redirect(url_for("projects.month_page", project_id=project.id, year=year, month=month))


@bp.app_context_processor
def _monthly_helpers():
    def monthly_table(project_id: int, year: int | None = None):
        year = year or local_today().year
        membership = db.session.scalar(select(ProjectYear).where(ProjectYear.project_id == project_id,
                                                                 ProjectYear.year == year))
        return {"year": year, "plan": membership, "rows": monthly.year_table(db.session, project_id, year)}
    return {"monthly_table": monthly_table}
