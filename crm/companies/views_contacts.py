"""Contacts on the company page: add, edit, delete.

Adding is open to anyone who edits companies (the contact then belongs to their unit); edit and
delete URLs answer 404 outside the contact's owning unit subtree, as if the contact were not there.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.companies import contacts as service
from crm.companies.forms import ContactForm, DeleteForm
from crm.companies.views import bp
from crm.core.errors import DomainError, apply_to_form
from crm.extensions import db
from crm.models import Company, Contact
from crm.security.permissions import requires
from crm.security.web import current_scope, get_visible_or_404


def _back(company_id: int):
    return redirect(url_for("companies.detail", company_id=company_id, _anchor="contacts"))


def _owned_contact_or_404(company: Company, contact_id: int) -> Contact:
    contact = db.session.get(Contact, contact_id)
    if contact is None or contact.company_id != company.id or not current_scope().owns_contact(contact):
        abort(404)
    return contact


@bp.route("/<int:company_id>/contacts/new", methods=["GET", "POST"])
@requires("company.edit")
def contact_create(company_id: int):
    company = get_visible_or_404(Company, company_id)
    form = ContactForm()
    if form.validate_on_submit():
        try:
            service.create_contact(db.session, current_user, company, form.data_for_service())
        except DomainError as err:
            db.session.rollback()
            apply_to_form(form, err)
        else:
            db.session.commit()
            flash(_("Contact saved."), "success")
            return _back(company.id)
    return render_template("companies/contact_form.html", form=form, company=company, contact=None)


@bp.route("/<int:company_id>/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@requires("company.edit")
def contact_edit(company_id: int, contact_id: int):
    company = get_visible_or_404(Company, company_id)
    contact = _owned_contact_or_404(company, contact_id)
    form = ContactForm(obj=contact)
    if form.validate_on_submit():
        try:
            service.update_contact(db.session, current_user, contact, form.data_for_service())
        except DomainError as err:
            db.session.rollback()
            apply_to_form(form, err)
        else:
            db.session.commit()
            flash(_("Contact saved."), "success")
            return _back(company.id)
    return render_template("companies/contact_form.html", form=form, company=company, contact=contact,
                           delete_form=DeleteForm())


@bp.route("/<int:company_id>/contacts/<int:contact_id>/delete", methods=["POST"])
@requires("company.edit")
def contact_delete(company_id: int, contact_id: int):
    company = get_visible_or_404(Company, company_id)
    contact = _owned_contact_or_404(company, contact_id)
    if DeleteForm().validate_on_submit():
        try:
            service.delete_contact(db.session, current_user, contact)
        except DomainError as err:
            db.session.rollback()
            flash(err.message, "danger")
        else:
            db.session.commit()
            flash(_("Contact deleted."), "success")
    return _back(company.id)
