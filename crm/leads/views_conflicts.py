"""The rulers' 撞单 page: open clashes with both sides, and the ruling form (lead.rule)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.core.errors import DomainError
from crm.extensions import db
from crm.leads import conflicts
from crm.leads.forms import RulingForm
from crm.leads.rules import RULING_LABELS, STAGE_LABELS
from crm.leads.views import bp
from crm.models import Company, Lead, LeadConflict, Unit, User
from crm.security.permissions import requires


def _rows(items: list[LeadConflict]) -> tuple[list[dict], dict, dict]:
    ids = {i for c in items for i in (c.lead_a_id, c.lead_b_id)}
    leads = {lead.id: lead for lead in db.session.scalars(select(Lead).where(Lead.id.in_(ids)))} if ids else {}
    units = dict(db.session.execute(select(Unit.id, Unit.name)).all())
    users = dict(db.session.execute(select(User.id, User.name).where(
        User.id.in_({lead.owner_id for lead in leads.values()}))).all()) if leads else {}
    companies = dict(db.session.execute(select(Company.id, Company.name).where(
        Company.id.in_({lead.company_id for lead in leads.values()}))).all()) if leads else {}
    rows = []
    for conflict in items:
        sides = [leads[conflict.lead_a_id], leads[conflict.lead_b_id]]
        form = RulingForm(formdata=None, prefix=f"c{conflict.id}")
        form.kept_lead_id.choices = [(s.id, f"{units.get(s.unit_id, '')} · {s.title}") for s in sides]
        rows.append({"conflict": conflict, "sides": sides, "form": form,
                     "company": companies.get(sides[0].company_id, "")})
    return rows, units, users


@bp.route("/conflicts")
@requires("lead.rule")
def conflicts_index():
    rows, units, users = _rows(conflicts.open_conflicts(db.session, include_ruled=True))
    return render_template("leads/conflicts.html", rows=rows, units=units, users=users, stages=STAGE_LABELS,
                           rulings=RULING_LABELS)


@bp.route("/conflicts/<int:conflict_id>/rule", methods=["POST"])
@requires("lead.rule")
def rule(conflict_id: int):
    conflict = db.session.get(LeadConflict, conflict_id)
    if conflict is None:
        abort(404)
    form = RulingForm(prefix=f"c{conflict.id}")
    form.kept_lead_id.choices = [(conflict.lead_a_id, ""), (conflict.lead_b_id, "")]
    if form.validate_on_submit():
        try:
            conflicts.rule_conflict(db.session, current_user, conflict, form.ruling.data, form.kept_lead_id.data,
                                    credit=form.credit.data if form.credit.data is not None else 50,
                                    note=form.note.data)
        except DomainError as err:
            db.session.rollback()
            flash(err.message, "danger")
        else:
            db.session.commit()
            flash(_("Ruling recorded."), "success")
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "danger")
    return redirect(url_for("leads.conflicts_index", _anchor=f"conflict-{conflict.id}"))
