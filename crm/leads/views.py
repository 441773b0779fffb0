"""Lead pages: the list (filters, paging), create and edit, and the detail page.

The detail page's own forms (stage, reopen, contact log, signing) post to :mod:`.views_actions`
and the rulers' 撞单 page is :mod:`.views_conflicts`; both register on the blueprint defined here.
Every URL that names a lead loads it through the visibility scope (404 outside it).
"""
from __future__ import annotations

import datetime as dt
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from crm.attachments import services as attachment_services
from crm.audit import service as audit
from crm.core.errors import DomainError, StaleEdit, apply_to_form
from crm.core.params import paginate
from crm.extensions import db
from crm.leads import conflicts, conversion, listing, services, stages
from crm.leads.conversion import PROJECT_STAGE_LABELS
from crm.leads.forms import InteractionForm, LeadForm, ReopenForm, SigningForm, StageForm
from crm.leads.listing import BadFilter, LeadFilters, bad_param, filters_from_args
from crm.leads.rules import (CONTACT_LABELS, DUE_LABELS, EXITS, INTERACTION_LABELS, METHOD_LABELS, SIGNING_LABELS,
                             STAGE_LABELS)
from crm.models import Company, Interaction, Lead, Segment, Signing, Unit, User
from crm.refdata import lookup
from crm.security.permissions import requires
from crm.security.web import current_scope, get_visible_or_404

bp = Blueprint("leads", __name__, url_prefix="/leads")


def filters_from_request() -> LeadFilters:
    """The list's and board's filters from the URL: 400 naming a bad parameter."""
    try:
        return filters_from_args(request.args)
    except BadFilter as bad:
        bad_param(bad.name, bad.raw)


def _names(model, ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(model.id, model.name).where(model.id.in_(ids))).all())


def _units():
    return list(db.session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.sort, Unit.name)))


def filter_choices(filters: LeadFilters) -> dict:
    """What the filter form offers: units, segments, owners of the user's units, regions."""
    scope = current_scope()
    owners = select(User.id, User.name).where(scope.condition(User), User.active.is_(True)).order_by(User.name)
    try:
        cities = lookup.children(filters.province_code) if filters.province_code else []
    except ValueError:
        cities = []
    return {"units": [(u.id, u.name) for u in _units()], "owners": db.session.execute(owners.limit(500)).all(),
            "segments": db.session.execute(select(Segment.id, Segment.name).order_by(Segment.name)).all(),
            "clusters": lookup.CLUSTERS, "provinces": lookup.provinces(), "cities": cities,
            "stages": STAGE_LABELS, "methods": METHOD_LABELS, "due_labels": DUE_LABELS,
            "contact_labels": CONTACT_LABELS}


@bp.route("/")
@requires("lead.view")
def index():
    filters = filters_from_request()
    scope = current_scope()
    page = paginate(db.session, listing.lead_query(filters, scope), count=listing.count_query(filters, scope),
                    rows=True)
    return render_template("leads/index.html", page=page, filters=filters, today=filters.today,
                           **filter_choices(filters))


def _render_form(form: LeadForm, lead: Lead | None, **extra):
    company_id = str(form.company_id.data or "").strip()
    company = db.session.get(Company, int(company_id)) if company_id.isdigit() else None
    return render_template("leads/form.html", form=form, lead=lead, company=company, **extra)


def _prepare(form: LeadForm) -> None:
    form.set_choices(db.session.scalars(select(Segment).order_by(Segment.chain_id, Segment.name)), _units())


@bp.route("/new", methods=["GET", "POST"])
@requires("lead.edit")
def create():
    form = LeadForm()
    if request.method == "GET" and request.args.get("company_id", "").isdigit():
        form.company_id.data = request.args["company_id"]
    _prepare(form)
    if form.validate_on_submit():
        try:
            lead = services.create_lead(db.session, current_user, form.data_for_service())
        except DomainError as err:
            db.session.rollback()
            apply_to_form(form, err)
        else:
            found = bool(conflicts.notices_for(db.session, lead))
            db.session.commit()
            flash(_("Lead saved."), "success")
            if found:
                flash(_("Another unit already follows this investor group for the same project (撞单). "
                        "A leader will rule on it."), "warning")
            return redirect(url_for("leads.detail", lead_id=lead.id))
    return _render_form(form, None)


@bp.route("/<int:lead_id>/edit", methods=["GET", "POST"])
@requires("lead.edit")
def edit(lead_id: int):
    lead = get_visible_or_404(Lead, lead_id)
    form = LeadForm(obj=lead)
    changes = []
    if request.method == "GET":
        form.version_id.data = lead.version_id
        split = services.credit_split(db.session, lead)
        form.host_credit.data = next((c for _u, r, c in split if r == "host"), 100)
        for entry, (unit_id, _role, credit) in zip(form.assists, [s for s in split if s[1] == "assist"]):
            entry.unit_id.data, entry.credit.data = unit_id, credit
    _prepare(form)
    if form.validate_on_submit():
        try:
            services.update_lead(db.session, current_user, lead, form.data_for_service(), form.version_id.data)
        except StaleEdit as err:
            db.session.rollback()
            changes = err.changes
            form.form_errors.append(err.message)
            form.version_id.data = lead.version_id
        except DomainError as err:
            db.session.rollback()
            apply_to_form(form, err)
        else:
            db.session.commit()
            flash(_("Lead saved."), "success")
            return redirect(url_for("leads.detail", lead_id=lead.id))
    return _render_form(form, lead, changes=changes)


def _local_now() -> dt.datetime:
    from flask_babel import get_timezone
    return dt.datetime.now(get_timezone()).replace(second=0, microsecond=0, tzinfo=None)


def render_detail(lead: Lead, *, stage_form=None, interaction_form=None, signing_form=None, status=200):
    """The lead page; the action views re-render it with their form's errors."""
    if stage_form is None:
        stage_form = StageForm(formdata=None)
        stage_form.version_id.data = lead.version_id
    stage_form.stage.choices = [(s, label) for s, label in STAGE_LABELS.items() if s != lead.stage]
    if interaction_form is None:
        interaction_form = InteractionForm(formdata=None, at=_local_now())
    reopen_form = ReopenForm(formdata=None, version_id=lead.version_id)
    split = [(unit_name, role, credit) for (unit_id, role, credit), unit_name in _with_unit_names(lead)]
    interactions = db.session.execute(
        select(Interaction, User.name, Unit.name).join(User, User.id == Interaction.user_id)
        .join(Unit, Unit.id == Interaction.unit_id).where(Interaction.lead_id == lead.id)
        .order_by(Interaction.at.desc(), Interaction.id.desc()).limit(200)).all()
    signings = list(db.session.scalars(select(Signing).where(Signing.lead_id == lead.id)
                                       .order_by(Signing.signed_on.desc(), Signing.id.desc())))
    project = conversion.project_of(db.session, lead)
    return render_template(
        "leads/detail.html", lead=lead, company=db.session.get(Company, lead.company_id),
        unit=db.session.get(Unit, lead.unit_id), owner=db.session.get(User, lead.owner_id),
        segment=db.session.get(Segment, lead.segment_id) if lead.segment_id else None, split=split,
        history=stages.stage_history(db.session, lead), in_stage=stages.seconds_in_stage(db.session, lead),
        interactions=interactions, signings=signings, notices=conflicts.notices_for(db.session, lead),
        audit_history=audit.history(db.session, "lead", lead.id), stage_form=stage_form, reopen_form=reopen_form,
        interaction_form=interaction_form, signing_form=signing_form or SigningForm(formdata=None),
        stages=STAGE_LABELS, methods=METHOD_LABELS, kinds=INTERACTION_LABELS, signing_kinds=SIGNING_LABELS,
        exits=EXITS, project=project, project_stages=PROJECT_STAGE_LABELS,
        can_convert=project is None and any(s.kind == "contract" for s in signings),
        attachments=attachment_services.attachments_of(db.session, "signing", [s.id for s in signings]),
        upload_form=FlaskForm(formdata=None)), status


def _with_unit_names(lead: Lead):
    split = services.credit_split(db.session, lead)
    names = _names(Unit, (u for u, _r, _c in split))
    return [((u, r, c), names.get(u, "")) for u, r, c in split]


@bp.route("/<int:lead_id>")
@requires("lead.view")
def detail(lead_id: int):
    return render_detail(get_visible_or_404(Lead, lead_id))


# The blueprint's other pages register on ``bp`` when imported.
from crm.leads import timeline, views_actions, views_conflicts  # noqa: E402,F401
