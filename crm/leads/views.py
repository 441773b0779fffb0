"""Lead pages: the list (filters, paging), create and edit, and the detail page.

The detail page's own forms (stage, reopen, contact log, signing) post to :mod:`.views_actions`
and the rulers' 撞单 page is :mod:`.views_conflicts`; both register on the blueprint defined here.
Every URL that names a lead loads it through the visibility scope (404 outside it).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import Select, select

from crm.attachments import services as attachment_services
from crm.audit import service as audit
from crm.core.errors import DomainError, StaleEdit, apply_to_form
from crm.core.params import choice_arg, int_arg, paginate
from crm.extensions import db
from crm.leads import conflicts, conversion, services, stages
from crm.leads.conversion import PROJECT_STAGE_LABELS
from crm.leads.forms import InteractionForm, LeadForm, ReopenForm, SigningForm, StageForm
from crm.leads.rules import EXITS, INTERACTION_LABELS, METHOD_LABELS, SIGNING_LABELS, STAGE_LABELS
from crm.models import Company, Interaction, Lead, Segment, Signing, Unit, User
from crm.models.leads import LEAD_STAGES
from crm.security.permissions import requires
from crm.security.web import current_scope, get_visible_or_404

bp = Blueprint("leads", __name__, url_prefix="/leads")


@dataclass
class LeadFilters:
    stage: str | None
    method: str | None
    unit: int | None
    due: str | None
    mine: str | None

    def args(self, **override) -> dict:
        values = {"stage": self.stage, "method": self.method, "unit": self.unit, "due": self.due, "mine": self.mine}
        values.update(override)
        return {k: v for k, v in values.items() if v not in (None, "")}


def filters_from_request() -> LeadFilters:
    return LeadFilters(stage=choice_arg("stage", LEAD_STAGES), method=choice_arg("method", tuple(METHOD_LABELS)),
                       unit=int_arg("unit", minimum=1), due=choice_arg("due", ("1",)), mine=choice_arg("mine", ("1",)))


def lead_query(filters: LeadFilters, condition, *, today: dt.date, user_id: int | None) -> Select:
    """The list's statement: the scope condition, the filters, newest activity first."""
    stmt = select(Lead).where(condition)
    if filters.stage:
        stmt = stmt.where(Lead.stage == filters.stage)
    if filters.method:
        stmt = stmt.where(Lead.method == filters.method)
    if filters.unit:
        stmt = stmt.where(Lead.unit_id == filters.unit)
    if filters.due:
        stmt = stmt.where(Lead.next_followup <= today, Lead.stage.not_in(("signed", "ended")))
    if filters.mine:
        stmt = stmt.where(Lead.owner_id == user_id)
    return stmt.order_by(Lead.first_reported_at.desc(), Lead.id.desc())


def _names(model, ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(model.id, model.name).where(model.id.in_(ids))).all())


def _units():
    return list(db.session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.sort, Unit.name)))


@bp.route("/")
@requires("lead.view")
def index():
    filters = filters_from_request()
    stmt = lead_query(filters, current_scope().condition(Lead), today=dt.date.today(), user_id=current_user.id)
    page = paginate(db.session, stmt)
    return render_template(
        "leads/index.html", page=page, filters=filters, units=_units(), stages=STAGE_LABELS, methods=METHOD_LABELS,
        companies=_names(Company, (lead.company_id for lead in page.items)),
        unit_names=_names(Unit, (lead.unit_id for lead in page.items)),
        owners=_names(User, (lead.owner_id for lead in page.items)), today=dt.date.today())


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
