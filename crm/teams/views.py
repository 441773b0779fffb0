"""The people panel on the project page, its add/remove forms, and the "my projects" page.

Every URL naming a project loads it through the visibility scope (404 outside it); changing people
needs ``project.edit``. A refused form re-renders the project page (422) with the message on its
field: the failing form is handed to the panel through ``g``, since a panel receives only the project.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.core.errors import DomainError, apply_to_form
from crm.core.templating import can
from crm.extensions import db
from crm.leads.listing import local_today
from crm.models import Project
from crm.projects.forms import ActionForm
from crm.projects.listing import OVERDUE_KINDS
from crm.projects.panels import register_panel
from crm.projects.rules import PLAN_LIST_LABELS, STAGE_LABELS
from crm.projects.views import render_detail
from crm.security.permissions import requires
from crm.security.web import current_scope, get_visible_or_404
from crm.teams import listing, services
from crm.teams.forms import DeptForm, LeaderForm, MemberForm, set_choices
from crm.teams.rules import LEVEL_LABELS, ROLE_LABELS

bp = Blueprint("teams", __name__)

LABELS = {"level_labels": LEVEL_LABELS, "team_role_labels": ROLE_LABELS}


def _forms(failed: tuple[str, object] | None = None) -> dict:
    """The panel's three forms with their choices; ``failed`` (name, form) puts a submitted form in its slot."""
    forms = {"leader": LeaderForm(formdata=None), "dept": DeptForm(formdata=None), "member": MemberForm(formdata=None)}
    if failed is not None:
        forms[failed[0]] = failed[1]
    set_choices(forms, listing.user_choices(db.session), listing.unit_choices(db.session))
    return forms


def people_panel(project: Project):
    forms = _forms(g.get("people_failed")) if can("project.edit") else None
    return "teams/_panel.html", {"people": listing.people_of(db.session, project, current_scope()),
                                 "people_forms": forms, "people_action": ActionForm(formdata=None), **LABELS}


register_panel("side", people_panel)


def _back(project: Project):
    return redirect(url_for("projects.detail", project_id=project.id) + "#people")


def _refused(project: Project, name: str, form, err: DomainError | None = None):
    if err is not None:
        db.session.rollback()
        db.session.refresh(project)
        apply_to_form(form, err)
    g.people_failed = (name, form)
    return render_detail(project, status=422)


def _submit(project_id: int, name: str, form, call, done: str):
    project = get_visible_or_404(Project, project_id)
    _forms((name, form))  # the submitted form gets its choices, so they can be validated
    if not form.validate_on_submit():
        return _refused(project, name, form)
    try:
        call(project, form)
    except DomainError as err:
        return _refused(project, name, form, err)
    db.session.commit()
    flash(done, "success")
    return _back(project)


def _remove(project_id: int, call, row_id: int, done: str):
    project = get_visible_or_404(Project, project_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        call(db.session, current_user, project, row_id)
    except DomainError as err:
        db.session.rollback()
        flash(str(err.message), "danger")
    else:
        db.session.commit()
        flash(done, "success")
    return _back(project)


@bp.route("/projects/<int:project_id>/leaders", methods=["POST"])
@requires("project.edit")
def add_leader(project_id: int):
    return _submit(project_id, "leader", LeaderForm(), lambda p, f: services.assign_leader(
        db.session, current_user, p, f.user_id.data, f.level.data), _("包联领导 added."))


@bp.route("/projects/<int:project_id>/leaders/<int:leader_id>/delete", methods=["POST"])
@requires("project.edit")
def remove_leader(project_id: int, leader_id: int):
    return _remove(project_id, services.remove_leader, leader_id, _("包联领导 removed."))


@bp.route("/projects/<int:project_id>/depts", methods=["POST"])
@requires("project.edit")
def add_dept(project_id: int):
    return _submit(project_id, "dept", DeptForm(), lambda p, f: services.assign_dept(
        db.session, current_user, p, f.unit_id.data), _("包联部门 added."))


@bp.route("/projects/<int:project_id>/depts/<int:dept_id>/delete", methods=["POST"])
@requires("project.edit")
def remove_dept(project_id: int, dept_id: int):
    return _remove(project_id, services.remove_dept, dept_id, _("包联部门 removed."))


@bp.route("/projects/<int:project_id>/team", methods=["POST"])
@requires("project.edit")
def add_member(project_id: int):
    return _submit(project_id, "member", MemberForm(), lambda p, f: services.add_member(
        db.session, current_user, p, f.data_for_service()), _("专班 member added."))


@bp.route("/projects/<int:project_id>/team/<int:member_id>/delete", methods=["POST"])
@requires("project.edit")
def remove_member(project_id: int, member_id: int):
    return _remove(project_id, services.remove_member, member_id, _("专班 member removed."))


@bp.route("/projects/mine/")
@requires("project.view")
def mine():
    today = local_today()
    cards = listing.my_projects(db.session, current_user.id, current_scope(), today)
    return render_template("teams/mine.html", cards=cards, today=today, stages=STAGE_LABELS,
                           plan_lists=PLAN_LIST_LABELS, overdue_kinds=OVERDUE_KINDS, **LABELS)
