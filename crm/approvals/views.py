"""The project page's approvals panel (前期手续) and its two forms: the profile and one item.

Both POSTs load the project through the visibility scope (404 outside it), need ``project.edit``, call
one service, commit once and redirect back to ``#approvals``. A refusal rolls back and re-renders the
project page (422) with the message on the form that was sent and the values as typed — passed to the
panel through ``g``, since a panel receives only the project.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.approvals import derived, services
from crm.approvals.forms import ItemForm, ProfileForm
from crm.approvals.rules import LAND_LABELS, STAGE_LABELS, STATUS_BADGES, STATUS_LABELS, TYPE_LABELS
from crm.attachments.services import attachments_of
from crm.core.errors import DomainError, StaleEdit
from crm.extensions import db
from crm.models import ApprovalItem, Project, Unit
from crm.projects.panels import register_panel
from crm.projects.views import render_detail
from crm.security.permissions import allowed, requires
from crm.security.web import get_visible_or_404

bp = Blueprint("approvals", __name__, url_prefix="/approvals")

LABELS = {"stage_labels": STAGE_LABELS, "status_labels": STATUS_LABELS, "status_badges": STATUS_BADGES,
          "type_labels": TYPE_LABELS, "land_labels": LAND_LABELS}


def _back(project: Project):
    return redirect(url_for("projects.detail", project_id=project.id) + "#approvals")


def _profile_form(project: Project, profile) -> ProfileForm:
    error = g.get("approvals_error")
    if error and error["target"] == "profile":
        form = ProfileForm(formdata=None, data=error["values"])
        form.in_zone.data = error["values"].get("in_zone") in ("y", "1", "on", "true")
        form.version_id.data = profile.version_id if profile else ""
    elif profile is not None:
        form = ProfileForm(formdata=None, obj=profile)
    else:
        # A first guess from the project: government investment goes the 审批 way; a zone unit is in a zone.
        unit_kind = db.session.scalar(select(Unit.kind).where(Unit.id == project.resp_unit_id))
        form = ProfileForm(formdata=None, approval_type="approve" if project.source == "government" else "record",
                           land_supply="transfer", in_zone=unit_kind == "zone")
    return form


def approvals_panel(project: Project):
    """The panel: profile, progress and the checklist grouped by stage (None for a role that cannot see it)."""
    if not allowed(current_user.roles, "project.view"):
        return None
    profile = services.profile_of(db.session, project.id)
    items = services.items_of(db.session, project.id)
    error = g.get("approvals_error")
    progress = derived.progress_of(items)
    return "approvals/_panel.html", {
        "profile": profile, "profile_form": _profile_form(project, profile),
        "stages": [(p, [i for i in items if i.applicable and i.stage == p.stage]) for p in progress],
        "retired": [i for i in items if not i.applicable], "in_preparation": derived.in_preparation(items),
        "summary": derived.summary_text(db.session, [project.id])[project.id] if items else "",
        "files": attachments_of(db.session, "project", [project.id])[project.id],
        "error": error, "item_form": ItemForm(formdata=None), **LABELS}


register_panel("main", approvals_panel)


def _refused(project: Project, target, err: DomainError):
    db.session.rollback()
    db.session.refresh(project)
    g.approvals_error = {"target": target, "message": err.message, "field": err.field,
                         "values": request.form.to_dict(), "changes": getattr(err, "changes", [])}
    return render_detail(project, status=422)


@bp.route("/projects/<int:project_id>/profile", methods=["POST"])
@requires("project.edit")
def set_profile(project_id: int):
    project = get_visible_or_404(Project, project_id)
    form = ProfileForm()
    # The service checks the choices with a message on the form; only a missing token is a bad request.
    if not form.validate_on_submit() and form.csrf_token.errors:
        abort(400)
    version = form.version_id.data
    try:
        services.set_profile(db.session, current_user, project, request.form,
                             expected_version=int(version) if str(version or "").isdigit() else None)
    except (StaleEdit, DomainError) as err:
        return _refused(project, "profile", err)
    db.session.commit()
    flash(_("Approval profile saved; the checklist follows it."), "success")
    return _back(project)


@bp.route("/projects/<int:project_id>/items/<int:item_id>", methods=["POST"])
@requires("project.edit")
def update_item(project_id: int, item_id: int):
    project = get_visible_or_404(Project, project_id)
    item = db.session.get(ApprovalItem, item_id)
    if item is None or item.project_id != project.id:
        abort(404)
    form = ItemForm()
    if not form.validate_on_submit():
        abort(400)
    version = form.version_id.data
    if not str(version or "").isdigit():
        abort(400)
    try:
        services.update_item(db.session, current_user, project, item, request.form, expected_version=int(version))
    except (StaleEdit, DomainError) as err:
        return _refused(project, item_id, err)
    db.session.commit()
    flash(_("%(name)s saved.", name=item.name), "success")
    return _back(project)
