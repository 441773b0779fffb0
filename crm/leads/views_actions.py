"""The lead page's forms: move a stage, reopen, log a contact, record a signing, convert to a project.

Each loads the lead through the scope (404 outside it), validates, calls one service, commits once
and redirects back to the lead; a refusal re-renders the lead page with the error on its form.
"""
from __future__ import annotations

import datetime as dt

from flask import flash, redirect, url_for
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user

from crm.attachments.registry import Owner, register_owner
from crm.core.errors import DomainError, StaleEdit, apply_to_form
from crm.extensions import db
from crm.leads import conversion, services, stages
from crm.leads.forms import ConvertForm, InteractionForm, ReopenForm, SigningForm, StageForm
from crm.leads.rules import STAGE_LABELS
from crm.leads.views import bp, render_detail
from crm.models import Lead, Signing
from crm.security.permissions import requires
from crm.security.web import get_visible_or_404


# A signing's attachments (the 合同 scan) are seen by whoever sees the signing, added by lead editors.
register_owner(Owner("signing", Signing, "lead.view", "lead.edit",
                     lambda s: url_for("leads.detail", lead_id=s.lead_id, _anchor="signings")))


def _back(lead: Lead, anchor: str | None = None):
    return redirect(url_for("leads.detail", lead_id=lead.id, _anchor=anchor))


def local_to_aware(value: dt.datetime) -> dt.datetime:
    """A datetime typed in the browser is local time (the app's timezone)."""
    tz = get_timezone()
    return tz.localize(value) if hasattr(tz, "localize") else value.replace(tzinfo=tz)


@bp.route("/<int:lead_id>/stage", methods=["POST"])
@requires("lead.edit")
def change_stage(lead_id: int):
    lead = get_visible_or_404(Lead, lead_id)
    form = StageForm()
    form.stage.choices = list(STAGE_LABELS.items())
    if form.validate_on_submit():
        try:
            stages.change_stage(db.session, current_user, lead, form.stage.data, reason=form.reason.data,
                                expected_version=int(form.version_id.data))
        except StaleEdit as err:
            db.session.rollback()
            flash(err.message, "danger")
            return _back(lead, "stage")
        except DomainError as err:
            db.session.rollback()
            apply_to_form(form, err)
        else:
            db.session.commit()
            flash(_("Stage changed."), "success")
            return _back(lead, "stage")
    return render_detail(lead, stage_form=form, status=422)


@bp.route("/<int:lead_id>/reopen", methods=["POST"])
@requires("lead.edit")
def reopen(lead_id: int):
    lead = get_visible_or_404(Lead, lead_id)
    form = ReopenForm()
    if form.validate_on_submit():
        try:
            stages.reopen_lead(db.session, current_user, lead, expected_version=int(form.version_id.data))
        except DomainError as err:
            db.session.rollback()
            flash(err.message, "danger")
        else:
            db.session.commit()
            flash(_("Lead reopened."), "success")
    return _back(lead, "stage")


@bp.route("/<int:lead_id>/interactions", methods=["POST"])
@requires("lead.edit")
def log_interaction(lead_id: int):
    lead = get_visible_or_404(Lead, lead_id)
    form = InteractionForm()
    if form.validate_on_submit():
        try:
            services.log_interaction(db.session, current_user, lead, at=local_to_aware(form.at.data),
                                     **form.data_for_service())
        except DomainError as err:
            db.session.rollback()
            apply_to_form(form, err)
        else:
            db.session.commit()
            flash(_("Contact logged."), "success")
            return _back(lead, "timeline")
    return render_detail(lead, interaction_form=form, status=422)


@bp.route("/<int:lead_id>/signings", methods=["POST"])
@requires("lead.edit")
def record_signing(lead_id: int):
    lead = get_visible_or_404(Lead, lead_id)
    form = SigningForm()
    if form.validate_on_submit():
        try:
            services.record_signing(db.session, current_user, lead, **form.data_for_service())
        except DomainError as err:
            db.session.rollback()
            apply_to_form(form, err)
        else:
            db.session.commit()
            flash(_("Signing recorded."), "success")
            return _back(lead, "signings")
    return render_detail(lead, signing_form=form, status=422)


@bp.route("/<int:lead_id>/convert", methods=["POST"])
@requires("lead.edit")
def convert(lead_id: int):
    lead = get_visible_or_404(Lead, lead_id)
    if ConvertForm().validate_on_submit():
        try:
            project = conversion.convert_to_project(db.session, current_user, lead)
        except DomainError as err:
            db.session.rollback()
            flash(err.message, "danger")
        else:
            db.session.commit()
            flash(_("Project created from the lead."), "success")
            return redirect(url_for("projects.detail", project_id=project.id))
    return _back(lead, "signings")
