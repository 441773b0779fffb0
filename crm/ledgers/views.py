"""The 台账 page: the shipped templates, each with a form (year, month, unit, subtotals) → an .xlsx download.

Reading only: nothing is committed. The file is built inside the request (a city's 月报 of a few thousand
projects takes seconds); the data is fetched under the user's visibility scope.
"""
from __future__ import annotations

import io

from flask import Blueprint, Response, abort, render_template
from sqlalchemy import select

from crm.core.errors import DomainError
from crm.extensions import db
from crm.leads.listing import local_today
from crm.ledgers import service
from crm.ledgers.forms import LedgerForm
from crm.models import Unit
from crm.security.permissions import requires
from crm.security.web import current_scope

bp = Blueprint("ledgers", __name__, url_prefix="/ledgers")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _units() -> list[tuple[int, str]]:
    """The units a user may choose: every active unit for city-wide users, else the user's subtree."""
    scope = current_scope()
    stmt = select(Unit.id, Unit.name).where(Unit.active.is_(True)).order_by(Unit.sort, Unit.name)
    if not scope.sees_all:
        stmt = stmt.where(Unit.id.in_(sorted(scope.unit_ids)))
    return [(uid, name) for uid, name in db.session.execute(stmt)]


@bp.route("/")
@requires("export.run")
def index():
    today = local_today()
    units = _units()
    forms = []
    for template in service.templates().values():
        form = LedgerForm(prefix=template.key, data={"year": today.year, "month": today.month})
        forms.append((template, form.set_choices(template, units)))
    return render_template("ledgers/index.html", forms=forms)


@bp.route("/<template>", methods=["POST"])
@requires("export.run")
def download(template: str):
    spec = service.templates().get(template) or abort(404)
    form = LedgerForm(prefix=spec.key).set_choices(spec, _units())
    if not form.validate_on_submit():
        abort(400, description="; ".join(f"{name}: {', '.join(map(str, errs))}" for name, errs in form.errors.items()))
    try:
        ctx = service.context(db.session, current_scope(), form.year.data, form.month.data, form.unit_id.data,
                              local_today())
        buffer = io.BytesIO()
        service.export(db.session, spec, ctx, buffer, by=form.group.data or None,
                       options=spec.options if form.optional.data else ())
    except DomainError as err:
        abort(400, description=str(err.message))
    name = service.download_name(spec, ctx)
    return Response(buffer.getvalue(), mimetype=XLSX,
                    headers={"Content-Disposition": service.content_disposition(name)})
