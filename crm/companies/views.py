"""Company pages: list, detail (with masked contacts and history), create, edit.

The blueprint's other pages live beside this module, one seam each: the htmx pickers
(:mod:`.views_pickers`), contacts (:mod:`.views_contacts`), and the duplicates report and
merge (:mod:`.views_merge`); they register on the blueprint defined here.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.audit import service as audit
from crm.companies import services
from crm.companies.forms import FLAG_FIELDS, FLAG_LABELS, CompanyForm, ContactForm
from crm.companies.listing import SORT_KEYS, company_query, filters_from_request
from crm.companies.panels import render_panels
from crm.companies.services import PossibleDuplicates, location_code
from crm.core.errors import DomainError, StaleEdit, apply_to_form
from crm.core.params import paginate
from crm.extensions import db
from crm.models import Company, Contact, Unit, User
from crm.refdata import lookup
from crm.security.permissions import requires
from crm.security.scope import mask_phone
from crm.security.web import current_scope, get_visible_or_404

bp = Blueprint("companies", __name__, url_prefix="/companies")


def location_name(company: Company) -> str:
    code = location_code(company)
    return lookup.full_name(code) if code else ""


def _division_options(code: str | None) -> list:
    try:
        return lookup.children(code) if code else []
    except ValueError:
        return []


@bp.route("/")
@requires("company.view")
def index():
    filters = filters_from_request()
    page = paginate(db.session, company_query(filters, current_scope().condition(Company)))
    return render_template(
        "companies/index.html", page=page, filters=filters, clusters=lookup.CLUSTERS, sort_keys=SORT_KEYS,
        provinces=lookup.provinces(), cities=_division_options(filters.province_code),
        flag_labels=FLAG_LABELS, industry=lookup.industry(filters.industry) if filters.industry else None,
        location_name=location_name)


def _contact_rows(company: Company) -> list[dict]:
    """Contacts as the viewer may see them: phone masked, e-mail, WeChat and notes hidden outside
    the owning unit subtree."""
    scope = current_scope()
    rows = []
    for c in db.session.scalars(select(Contact).where(Contact.company_id == company.id).order_by(Contact.id)):
        owned = scope.owns_contact(c)
        rows.append({"id": c.id, "name": c.name, "title": c.title, "masked": not owned, "owned": owned,
                     "phone": c.phone if owned else mask_phone(c.phone), "email": c.email if owned else None,
                     "wechat": c.wechat if owned else None, "notes": c.notes if owned else None})
    return rows


@bp.route("/<int:company_id>")
@requires("company.view")
def detail(company_id: int):
    company = get_visible_or_404(Company, company_id)
    parent = db.session.get(Company, company.parent_id) if company.parent_id else None
    subsidiaries = list(db.session.scalars(
        select(Company).where(Company.parent_id == company.id).order_by(Company.name).limit(50)))
    owner_unit = db.session.get(Unit, company.owner_unit_id) if company.owner_unit_id else None
    owner = db.session.get(User, company.owner_id) if company.owner_id else None
    return render_template(
        "companies/detail.html", company=company, contacts=_contact_rows(company), parent=parent,
        subsidiaries=subsidiaries, owner_unit=owner_unit, owner=owner, contact_form=ContactForm(),
        history=audit.history(db.session, "company", company.id),
        location=location_name(company), flags=[FLAG_LABELS[f] for f in FLAG_FIELDS if getattr(company, f)],
        industry=lookup.industry(company.industry_code) if company.industry_code else None,
        cluster_name=lookup.CLUSTERS.get(company.cluster or "", ""), panels=render_panels(company))


def _render_form(form: CompanyForm, company: Company | None, **extra):
    parent_id = str(form.parent_id.data or "").strip()
    parent = db.session.get(Company, int(parent_id)) if parent_id.isdigit() else None
    industry = lookup.industry(form.industry_code.data) if form.industry_code.data else None
    return render_template("companies/form.html", form=form, company=company, parent=parent, industry=industry,
                           **extra)


@bp.route("/new", methods=["GET", "POST"])
@requires("company.edit")
def create():
    form = CompanyForm()
    form.set_location_choices()
    duplicates = []
    if form.validate_on_submit():
        try:
            company = services.create_company(db.session, current_user, form.data_for_service(),
                                              check_duplicates=True, confirmed=form.confirmed_ids())
        except PossibleDuplicates as err:
            duplicates = [{"id": c.id, "name": c.name, "uscc": c.uscc, "location": location_name(c), "score": score}
                          for c, score in err.matches]
            db.session.rollback()
            form.duplicates_seen.data = ",".join(str(d["id"]) for d in duplicates)
            form.confirm_duplicates.data = False
        except DomainError as err:
            db.session.rollback()
            apply_to_form(form, err)
        else:
            db.session.commit()
            flash(_("Company saved."), "success")
            return redirect(url_for("companies.detail", company_id=company.id))
    return _render_form(form, None, duplicates=duplicates)


@bp.route("/<int:company_id>/edit", methods=["GET", "POST"])
@requires("company.edit")
def edit(company_id: int):
    company = get_visible_or_404(Company, company_id)
    form = CompanyForm(obj=company)
    form.set_location_choices()
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
    return _render_form(form, company, changes=changes)


# The blueprint's other pages register on ``bp`` when imported.
from crm.companies import views_contacts, views_merge, views_pickers  # noqa: E402,F401
