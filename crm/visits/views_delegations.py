"""Delegation pages (来访接待): list (host unit subtree; city leaders see all), create, edit, and the
delegation page, where recording the reception logs an interaction of kind 'delegation'."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.audit import service as audit
from crm.core.errors import DomainError, apply_to_form
from crm.core.params import paginate
from crm.extensions import db
from crm.leads.rules import INTERACTION_LABELS
from crm.models import Company, Delegation, Unit, User
from crm.security.permissions import requires
from crm.security.web import current_scope, get_visible_or_404
from crm.visits import services
from crm.visits.common import chosen_lead, lead_choices
from crm.visits.forms import DelegationForm, VisitForm, local_now

bp = Blueprint("delegations", __name__, url_prefix="/delegations")


@bp.route("/")
@requires("lead.view")
def index():
    stmt = (select(Delegation, Company.name, Unit.name).join(Company, Company.id == Delegation.company_id)
            .join(Unit, Unit.id == Delegation.host_unit_id).where(current_scope().condition(Delegation))
            .order_by(Delegation.arrived_on.desc(), Delegation.id.desc()))
    page = paginate(db.session, stmt.with_only_columns(Delegation.id))
    rows = db.session.execute(stmt.where(Delegation.id.in_(page.items))).all() if page.items else []
    return render_template("delegations/index.html", page=page, rows=rows)


def _host_units() -> list[tuple[int, str]]:
    scope = current_scope()
    stmt = select(Unit.id, Unit.name).where(Unit.active.is_(True)).order_by(Unit.sort, Unit.name)
    if not scope.sees_all:
        stmt = stmt.where(Unit.id.in_(sorted(scope.unit_ids)))
    return [(uid, name) for uid, name in db.session.execute(stmt)]


def _save(form: DelegationForm, delegation: Delegation | None):
    form.host_unit_id.choices = _host_units()
    if delegation is None and form.host_unit_id.data is None:
        form.host_unit_id.data = current_user.unit_id
    if form.validate_on_submit():
        try:
            if delegation is None:
                delegation = services.create_delegation(db.session, current_user, form.data_for_service())
            else:
                services.update_delegation(db.session, current_user, delegation, form.data_for_service())
        except DomainError as err:
            db.session.rollback()
            apply_to_form(form, err)
        else:
            db.session.commit()
            flash(_("Delegation saved."), "success")
            return redirect(url_for("delegations.detail", delegation_id=delegation.id))
    company_id = str(form.company_id.data or "")
    company = db.session.get(Company, int(company_id)) if company_id.isdigit() else None
    return render_template("delegations/form.html", form=form, delegation=delegation, company=company)


@bp.route("/new", methods=["GET", "POST"])
@requires("lead.edit")
def create():
    return _save(DelegationForm(), None)


@bp.route("/<int:delegation_id>/edit", methods=["GET", "POST"])
@requires("lead.edit")
def edit(delegation_id: int):
    delegation = get_visible_or_404(Delegation, delegation_id)
    return _save(DelegationForm(obj=delegation), delegation)


def render_detail(delegation: Delegation, visit_form: VisitForm | None = None, status: int = 200):
    if visit_form is None:
        visit_form = VisitForm(formdata=None, at=local_now())
    visit_form.lead_id.choices = lead_choices(delegation.company_id)
    return render_template(
        "delegations/detail.html", delegation=delegation, company=db.session.get(Company, delegation.company_id),
        unit=db.session.get(Unit, delegation.host_unit_id),
        creator=db.session.get(User, delegation.created_by) if delegation.created_by else None,
        visits=services.contacts_of(db.session, current_scope(), delegation_id=delegation.id),
        visit_form=visit_form, kinds=INTERACTION_LABELS,
        history=audit.history(db.session, "delegation", delegation.id)), status


@bp.route("/<int:delegation_id>")
@requires("lead.view")
def detail(delegation_id: int):
    return render_detail(get_visible_or_404(Delegation, delegation_id))


@bp.route("/<int:delegation_id>/reception", methods=["POST"])
@requires("lead.edit")
def receive(delegation_id: int):
    delegation = get_visible_or_404(Delegation, delegation_id)
    form = VisitForm()
    form.lead_id.choices = lead_choices(delegation.company_id)
    if form.validate_on_submit():
        data = form.data_for_service()
        data.pop("company_id")  # the delegation's company
        try:
            services.record_visit(db.session, current_user, delegation=delegation, lead=chosen_lead(form), **data)
        except DomainError as err:
            db.session.rollback()
            apply_to_form(form, err)
        else:
            db.session.commit()
            flash(_("Reception logged."), "success")
            return redirect(url_for("delegations.detail", delegation_id=delegation.id, _anchor="visits"))
    return render_detail(delegation, form, 422)
