"""Project pages: the list (filters, sorting, paging, export), create and edit, and the detail page.

The detail page's own forms (stage, plan year, library) and the reviewers' 认定 queue are in
:mod:`.views_actions`, registered on the blueprint defined here. Every URL naming a project loads it
through the visibility scope (404 outside it).
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.attachments import services as attachment_services
from crm.attachments.registry import Owner, register_owner
from crm.audit import service as audit
from crm.core.errors import DomainError, StaleEdit, apply_to_form
from crm.core.params import paginate
from crm.extensions import db
from crm.models import (Company, Lead, Project, ProjectLibrary, ProjectYear, Segment, Signing, Unit, User)
from crm.projects import listing, panels, plans, services, stages
from crm.projects.forms import ActionForm, LibraryForm, ProjectForm, ReopenForm, StageForm, YearForm
from crm.projects.listing import BadFilter, bad_param, filters_from_args
from crm.projects.rules import (CATEGORY_LABELS, EXITS, KEY_LEVEL_LABELS, LIBRARY_LABELS, NATURE_LABELS,
                                PLAN_LIST_LABELS, REVIEW_LABELS, SOURCE_LABELS, STAGE_LABELS)
from crm.security.permissions import requires
from crm.security.web import current_scope, get_visible_or_404

bp = Blueprint("projects", __name__, url_prefix="/projects")

register_owner(Owner("project", Project, "project.view", "project.edit",
                     lambda p: url_for("projects.detail", project_id=p.id) + "#evidence"))

LABELS = {"stages": STAGE_LABELS, "sources": SOURCE_LABELS, "categories": CATEGORY_LABELS, "natures": NATURE_LABELS,
          "plan_lists": PLAN_LIST_LABELS, "key_level_labels": KEY_LEVEL_LABELS, "libraries": LIBRARY_LABELS,
          "reviews": REVIEW_LABELS}


def _units():
    return list(db.session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.sort, Unit.name)))


def _names(model, ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(model.id, model.name).where(model.id.in_(ids))).all())


@bp.route("/")
@requires("project.view")
def index():
    try:
        filters = filters_from_args(request.args)
    except BadFilter as bad:
        bad_param(bad.name, bad.raw)
    condition = current_scope().condition(Project)
    page = paginate(db.session, listing.project_query(filters, condition),
                    count=listing.count_query(filters, condition), rows=True)
    units = [(u.id, u.name) for u in _units()]
    segments = db.session.execute(select(Segment.id, Segment.name).order_by(Segment.name)).all()
    return render_template("projects/index.html", page=page, filters=filters, units=units, segments=segments,
                           **LABELS)


def _prepare(form: ProjectForm, project: Project | None) -> None:
    scope = current_scope()
    parents = db.session.execute(select(Project.id, Project.name).where(scope.condition(Project),
                                                                        Project.parent_id.is_(None))
                                 .order_by(Project.name).limit(500)).all()
    units = _units()
    form.set_choices(units, db.session.scalars(select(Segment).order_by(Segment.chain_id, Segment.name)),
                     [(i, n) for i, n in parents if project is None or i != project.id])
    if not scope.sees_all:
        # A unit makes projects its own subtree answers for (else it would lose sight of them at once).
        own = [(u.id, u.name) for u in units if u.id in scope.unit_ids]
        if project is not None and project.resp_unit_id not in scope.unit_ids:
            own.append((project.resp_unit_id, _names(Unit, [project.resp_unit_id]).get(project.resp_unit_id, "")))
        form.resp_unit_id.choices = [form.resp_unit_id.choices[0], *own]


def _save(form: ProjectForm, project: Project | None):
    changes = []
    if form.validate_on_submit():
        try:
            if project is None:
                project = services.create_project(db.session, current_user, form.data_for_service())
            else:
                services.update_project(db.session, current_user, project, form.data_for_service(),
                                        form.version_id.data)
        except StaleEdit as err:
            db.session.rollback()
            changes = err.changes
            form.form_errors.append(err.message)
            form.version_id.data = project.version_id
        except DomainError as err:
            db.session.rollback()
            apply_to_form(form, err)
        else:
            db.session.commit()
            flash(_("Project saved."), "success")
            return redirect(url_for("projects.detail", project_id=project.id))
    company_id = str(form.company_id.data or "").strip()
    company = db.session.get(Company, int(company_id)) if company_id.isdigit() else None
    return render_template("projects/form.html", form=form, project=project, changes=changes, company=company)


@bp.route("/new", methods=["GET", "POST"])
@requires("project.edit")
def create():
    form = ProjectForm()
    if request.method == "GET":
        form.resp_unit_id.data = current_user.unit_id
    _prepare(form, None)
    return _save(form, None)


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
@requires("project.edit")
def edit(project_id: int):
    project = get_visible_or_404(Project, project_id)
    form = ProjectForm(obj=project)
    if request.method == "GET":
        form.version_id.data = project.version_id
    _prepare(form, project)
    return _save(form, project)


def render_detail(project: Project, *, stage_form=None, year_form=None, library_form=None, status=200):
    """The project page; the action views re-render it with their form's errors."""
    if stage_form is None:
        stage_form = StageForm(formdata=None, version_id=project.version_id)
    stage_form.stage.choices = [(s, label) for s, label in STAGE_LABELS.items() if s != project.stage]
    files = attachment_services.attachments_of(db.session, "project", [project.id])[project.id]
    stage_form.evidence.choices = [(a.id, a.filename) for a in files]
    history = stages.stage_history(db.session, project)
    years = list(db.session.scalars(select(ProjectYear).where(ProjectYear.project_id == project.id)
                                    .order_by(ProjectYear.year.desc())))
    libraries = list(db.session.scalars(select(ProjectLibrary).where(ProjectLibrary.project_id == project.id)
                                        .order_by(ProjectLibrary.entered_on, ProjectLibrary.id)))
    flags = db.session.execute(select(*(c.label(k) for k, c in listing.overdue_flags(listing.local_today()).items()))
                               .select_from(Project).where(Project.id == project.id)).one()._asdict()
    signing = db.session.get(Signing, project.signing_id) if project.signing_id else None
    lead = db.session.get(Lead, project.lead_id) if project.lead_id else None
    names = _names(Unit, (project.resp_unit_id, project.location_unit_id))
    parent = db.session.get(Project, project.parent_id) if project.parent_id else None
    children = db.session.execute(select(Project.id, Project.name).where(
        Project.parent_id == project.id, current_scope().condition(Project)).order_by(Project.name)).all()
    return render_template(
        "projects/detail.html", project=project, history=history, files=files,
        evidence=stages.evidence_of(db.session, [c for c, _who in history]),
        in_stage=stages.seconds_in_stage(db.session, project), years=years, library_rows=libraries, flags=flags,
        signing=signing, lead=lead if lead is not None and current_scope().can_see(db.session, lead) else None,
        resp_name=names.get(project.resp_unit_id, ""), location_name=names.get(project.location_unit_id, ""),
        company=db.session.get(Company, project.company_id) if project.company_id else None,
        segment=db.session.get(Segment, project.segment_id) if project.segment_id else None,
        owner=db.session.get(User, project.owner_id) if project.owner_id else None, parent=parent,
        children=children, main_panels=panels.render_panels(project, "main"),
        side_panels=panels.render_panels(project, "side"),
        audit_history=audit.history(db.session, "project", project.id), exits=EXITS,
        stage_form=stage_form, reopen_form=ReopenForm(formdata=None, version_id=project.version_id),
        year_form=year_form or YearForm(formdata=None, year=listing.local_today().year),
        library_form=library_form or LibraryForm(formdata=None), upload_form=ActionForm(formdata=None),
        key_levels=plans.key_levels, **LABELS), status


@bp.route("/<int:project_id>")
@requires("project.view")
def detail(project_id: int):
    return render_detail(get_visible_or_404(Project, project_id))


# The blueprint's other pages register on ``bp`` when imported.
from crm.projects import views_actions, views_monthly  # noqa: E402,F401
