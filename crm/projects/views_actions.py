"""The project page's forms — stage, reopen, plan year, library — and the reviewers' 认定 queue.

Each loads the project through the scope (404 outside it), validates, calls one service, commits
once and redirects; a refusal re-renders the project page with the message on its field.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.core.errors import DomainError, StaleEdit, apply_to_form
from crm.core.params import choice_arg, paginate
from crm.extensions import db
from crm.models import Project, ProjectStageChange
from crm.models.projects import REVIEW_STATUSES
from crm.projects import plans, services, stages
from crm.projects.forms import ActionForm, LibraryForm, ReopenForm, ReviewForm, StageForm, YearForm
from crm.projects.views import LABELS, bp, render_detail
from crm.security.permissions import requires
from crm.security.web import current_scope, get_visible_or_404


def _back(project: Project, anchor: str = ""):
    return redirect(url_for("projects.detail", project_id=project.id) + anchor)


def _refused(project: Project, err: DomainError, **forms):
    db.session.rollback()
    db.session.refresh(project)
    form = next(iter(forms.values()))
    apply_to_form(form, err)
    return render_detail(project, status=422, **forms)


@bp.route("/<int:project_id>/stage", methods=["POST"])
@requires("project.edit")
def change_stage(project_id: int):
    project = get_visible_or_404(Project, project_id)
    form = StageForm()
    if not form.validate_on_submit():
        return render_detail(project, stage_form=form, status=422)
    try:
        stages.change_stage(db.session, current_user, project, form.stage.data, reason=form.reason.data,
                            on=form.on.data, evidence_ids=form.evidence.data or (),
                            expected_version=int(form.version_id.data))
    except (StaleEdit, DomainError) as err:
        return _refused(project, err, stage_form=form)
    db.session.commit()
    flash(_("Stage changed."), "success")
    return _back(project, "#stage")


@bp.route("/<int:project_id>/reopen", methods=["POST"])
@requires("project.edit")
def reopen(project_id: int):
    project = get_visible_or_404(Project, project_id)
    form = ReopenForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        stages.reopen(db.session, current_user, project, expected_version=int(form.version_id.data))
    except DomainError as err:
        db.session.rollback()
        flash(str(err.message), "danger")
    else:
        db.session.commit()
        flash(_("Project reopened."), "success")
    return _back(project, "#stage")


@bp.route("/<int:project_id>/changes/<int:change_id>/resubmit", methods=["POST"])
@requires("project.edit")
def resubmit(project_id: int, change_id: int):
    project = get_visible_or_404(Project, project_id)
    change = db.session.get(ProjectStageChange, change_id)
    if change is None or change.project_id != project.id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    evidence = [int(v) for v in request.form.getlist("evidence") if v.isdigit()]
    try:
        stages.resubmit(db.session, current_user, project, change, evidence)
    except DomainError as err:
        db.session.rollback()
        flash(str(err.message), "danger")
    else:
        db.session.commit()
        flash(_("Submitted again for confirmation."), "success")
    return _back(project, "#stage")


@bp.route("/<int:project_id>/years", methods=["POST"])
@requires("project.edit")
def set_year(project_id: int):
    project = get_visible_or_404(Project, project_id)
    form = YearForm()
    if not form.validate_on_submit():
        return render_detail(project, year_form=form, status=422)
    try:
        plans.set_year(db.session, current_user, project, form.year.data, form.data_for_service(request.form))
    except DomainError as err:
        return _refused(project, err, year_form=form)
    db.session.commit()
    flash(_("Plan year saved."), "success")
    return _back(project, "#plan")


@bp.route("/<int:project_id>/years/<int:year>/delete", methods=["POST"])
@requires("project.edit")
def remove_year(project_id: int, year: int):
    project = get_visible_or_404(Project, project_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        plans.remove_year(db.session, current_user, project, year)
    except DomainError as err:
        db.session.rollback()
        flash(str(err.message), "danger")
    else:
        db.session.commit()
        flash(_("Removed from the plan."), "success")
    return _back(project, "#plan")


@bp.route("/<int:project_id>/libraries", methods=["POST"])
@requires("project.edit")
def set_library(project_id: int):
    project = get_visible_or_404(Project, project_id)
    form = LibraryForm()
    if not form.validate_on_submit():
        return render_detail(project, library_form=form, status=422)
    try:
        services.set_library(db.session, current_user, project, form.library.data, form.entered_on.data,
                             form.number.data)
    except DomainError as err:
        return _refused(project, err, library_form=form)
    db.session.commit()
    flash(_("Library entry saved."), "success")
    return _back(project, "#libraries")


@bp.route("/<int:project_id>/libraries/<int:library_id>/delete", methods=["POST"])
@requires("project.edit")
def remove_library(project_id: int, library_id: int):
    project = get_visible_or_404(Project, project_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.remove_library(db.session, current_user, project, library_id)
    except DomainError as err:
        db.session.rollback()
        flash(str(err.message), "danger")
    else:
        db.session.commit()
        flash(_("Library entry removed."), "success")
    return _back(project, "#libraries")


@bp.route("/review")
@requires("project.confirm")
def review_queue():
    status = choice_arg("status", REVIEW_STATUSES, "pending")
    page = paginate(db.session, stages.review_queue(current_scope().condition(Project), status), rows=True)
    changes = [row[0] for row in page.items]
    return render_template("projects/review.html", page=page, status=status, form=ReviewForm(formdata=None),
                           evidence=stages.evidence_of(db.session, changes), **LABELS)


def _change_in_scope(change_id: int) -> ProjectStageChange:
    change = db.session.get(ProjectStageChange, change_id)
    if change is None:
        abort(404)
    get_visible_or_404(Project, change.project_id)
    return change


@bp.route("/review/<int:change_id>/confirm", methods=["POST"])
@requires("project.confirm")
def confirm(change_id: int):
    change = _change_in_scope(change_id)
    if not ReviewForm().validate_on_submit():
        abort(400)
    try:
        stages.confirm(db.session, current_user, change)
    except DomainError as err:
        db.session.rollback()
        flash(str(err.message), "danger")
    else:
        db.session.commit()
        flash(_("Stage confirmed (认定)."), "success")
    return redirect(url_for("projects.review_queue"))


@bp.route("/review/<int:change_id>/return", methods=["POST"])
@requires("project.confirm")
def return_change(change_id: int):
    change = _change_in_scope(change_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        stages.return_change(db.session, current_user, change, form.note.data)
    except DomainError as err:
        db.session.rollback()
        flash(str(err.message), "danger")
    else:
        db.session.commit()
        flash(_("Stage change returned."), "success")
    return redirect(url_for("projects.review_queue"))
