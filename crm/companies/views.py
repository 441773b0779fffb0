"""Company pages: list, detail (with masked contacts and history), create, edit."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from crm.audit import service as audit
from crm.companies import services
from crm.companies.forms import CompanyForm
from crm.core.errors import DomainError, StaleEdit, apply_to_form
from crm.core.params import choice_arg, paginate
from crm.extensions import db
from crm.models import Company, Contact
from crm.refdata import lookup
from crm.security.permissions import requires
from crm.security.scope import mask_phone
from crm.security.web import current_scope, get_visible_or_404

bp = Blueprint("companies", __name__, url_prefix="/companies")


@bp.route("/")
@requires("company.view")
def index():
    q = request.args.get("q", "").strip()[:100]
    local = choice_arg("local", ("1", "0"))
    cluster = choice_arg("cluster", tuple(lookup.CLUSTERS))
    stmt = select(Company).where(current_scope().condition(Company))
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(Company.name.like(like), Company.short_name.like(like), Company.uscc == q.upper()))
    if local is not None:
        stmt = stmt.where(Company.is_local.is_(local == "1"))
    if cluster:
        stmt = stmt.where(Company.cluster == cluster)
    page = paginate(db.session, stmt.order_by(Company.name, Company.id))
    return render_template("companies/index.html", page=page, q=q, local=local, cluster=cluster,
                           clusters=lookup.CLUSTERS)


@bp.route("/<int:company_id>")
@requires("company.view")
def detail(company_id: int):
    company = get_visible_or_404(Company, company_id)
    scope = current_scope()
    contacts = [
        {"name": c.name, "title": c.title, "email": c.email if scope.owns_contact(c) else None,
         "phone": c.phone if scope.owns_contact(c) else mask_phone(c.phone), "masked": not scope.owns_contact(c)}
        for c in db.session.scalars(select(Contact).where(Contact.company_id == company.id).order_by(Contact.id))
    ]
    history = audit.history(db.session, "company", company.id)
    return render_template("companies/detail.html", company=company, contacts=contacts, history=history,
                           location=lookup.full_name(company.county_code) if company.county_code else "",
                           industry=lookup.industry(company.industry_code) if company.industry_code else None,
                           cluster_name=lookup.CLUSTERS.get(company.cluster or "", ""))


@bp.route("/new", methods=["GET", "POST"])
@requires("company.edit")
def create():
    form = CompanyForm()
    if form.validate_on_submit():
        try:
            company = services.create_company(db.session, current_user, form.data_for_service())
        except DomainError as err:
            db.session.rollback()
            apply_to_form(form, err)
        else:
            db.session.commit()
            flash(_("Company saved."), "success")
            return redirect(url_for("companies.detail", company_id=company.id))
    return render_template("companies/form.html", form=form, company=None)


@bp.route("/<int:company_id>/edit", methods=["GET", "POST"])
@requires("company.edit")
def edit(company_id: int):
    company = get_visible_or_404(Company, company_id)
    form = CompanyForm(obj=company)
    changes = []
    if request.method == "GET":
        form.version_id.data = company.version_id
    if form.validate_on_submit():
        try:
            services.update_company(db.session, current_user, company, form.data_for_service(),
                                    form.version_id.data)
        except StaleEdit as err:
            db.session.rollback()
            changes = err.changes
            form.form_errors.append(err.message)
            form.version_id.data = company.version_id
        except DomainError as err:
            db.session.rollback()
            apply_to_form(form, err)
        else:
            db.session.commit()
            flash(_("Company saved."), "success")
            return redirect(url_for("companies.detail", company_id=company.id))
    return render_template("companies/form.html", form=form, company=company, changes=changes)
