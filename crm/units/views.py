"""Unit administration pages (system admins)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.audit import service as audit
from crm.core.errors import DomainError, apply_to_form
from crm.extensions import db
from crm.models import Unit
from crm.security.permissions import requires
from crm.units import services
from crm.units.forms import UNIT_KIND_LABELS, UnitForm

bp = Blueprint("units", __name__, url_prefix="/units")


def _prepare(form: UnitForm) -> None:
    form.parent_id.choices = [("", "—")] + [
        (u.id, "　" * depth + u.name) for depth, u in services.tree(db.session)]


@bp.route("/")
@requires("units.manage")
def index():
    return render_template("units/index.html", rows=services.tree(db.session), kinds=UNIT_KIND_LABELS)


@bp.route("/new", methods=["GET", "POST"])
@requires("units.manage")
def create():
    form = UnitForm()
    _prepare(form)
    if form.validate_on_submit():
        try:
            unit = services.create_unit(db.session, current_user, form.data_for_service())
        except DomainError as err:
            db.session.rollback()
            apply_to_form(form, err)
        else:
            db.session.commit()
            flash(_("Unit saved."), "success")
            return redirect(url_for("units.edit", unit_id=unit.id))
    return render_template("units/form.html", form=form, unit=None, history=[])


@bp.route("/<int:unit_id>/edit", methods=["GET", "POST"])
@requires("units.manage")
def edit(unit_id: int):
    unit = db.session.get(Unit, unit_id) or abort(404)
    form = UnitForm(obj=unit)
    _prepare(form)
    if form.validate_on_submit():
        try:
            services.update_unit(db.session, current_user, unit, form.data_for_service())
        except DomainError as err:
            db.session.rollback()
            apply_to_form(form, err)
        else:
            db.session.commit()
            flash(_("Unit saved."), "success")
            return redirect(url_for("units.index"))
    return render_template("units/form.html", form=form, unit=unit,
                           history=audit.history(db.session, "unit", unit.id))
