"""The settings admin page: every registered key, edited through its type."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from crm.core.errors import DomainError
from crm.extensions import db
from crm.settings.registry import REGISTRY, get, set_value
from crm.security.permissions import requires

bp = Blueprint("settings", __name__, url_prefix="/settings")
BLANK_ROWS = 3


def _groups():
    groups: dict[str, list] = {}
    for definition in REGISTRY.values():
        groups.setdefault(str(definition.group), []).append(definition)
    return groups


@bp.route("/")
@requires("settings.manage")
def index():
    values = {key: get(db.session, key) for key in REGISTRY}
    return render_template("settings/index.html", groups=_groups(), values=values)


def _submitted_cell(column, name: str):
    if column.type == "multi":
        return [v for v in request.form.getlist(name) if v.strip()]
    if column.type == "bool":
        return request.form.get(name) == "1"
    return request.form.get(name, "").strip()


def _submitted(definition):
    if definition.type == "bool":
        return request.form.get("value") == "1"
    if definition.type == "choices":
        return request.form.getlist("value")
    if definition.type != "table":
        return request.form.get("value", "")
    rows = []
    raw_count = request.form.get("row_count", "0")
    count = int(raw_count) if raw_count.isdigit() else 0
    for i in range(min(count, 500)):
        if request.form.get(f"row-{i}-delete"):
            continue
        row = {c.key: _submitted_cell(c, f"row-{i}-{c.key}") for c in definition.columns}
        if any(row.values()):
            rows.append(row)
    return rows


@bp.route("/<key>", methods=["GET", "POST"])
@requires("settings.manage")
def edit(key: str):
    definition = REGISTRY.get(key) or abort(404)
    if definition.type == "mapping":
        return redirect(url_for(definition.edit_endpoint))
    form = FlaskForm()
    error = None
    value = get(db.session, key)
    if form.validate_on_submit():
        submitted = _submitted(definition)
        try:
            set_value(db.session, current_user, key, submitted)
        except DomainError as err:
            db.session.rollback()
            error, value = err.message, submitted  # keep what the user typed
        else:
            db.session.commit()
            flash(_("Setting saved."), "success")
            return redirect(url_for("settings.index"))
    rows = list(value) if definition.type == "table" else []
    return render_template("settings/edit.html", form=form, definition=definition, value=value, error=error,
                           rows=rows + [{}] * BLANK_ROWS if definition.type == "table" else [])
