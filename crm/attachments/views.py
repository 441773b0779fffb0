"""Upload, download and delete attachments of any registered owner kind.

Each route loads the owning record through the scope (404 outside it) and checks the owner kind's
permission function (403 without it); refusals (too large, wrong type) are flashed on the owner's
page. Downloads are always sent as attachments under the original name, with the content type
derived from the extension, never the one the browser claimed.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, send_file
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField

from crm.attachments import services
from crm.attachments.registry import owner_of
from crm.core.errors import DomainError
from crm.extensions import db
from crm.models import Attachment
from crm.security.permissions import SIGNED_IN, allowed, requires
from crm.security.web import get_visible_or_404

bp = Blueprint("attachments", __name__, url_prefix="/attachments")


class UploadForm(FlaskForm):
    file = FileField()


class DeleteForm(FlaskForm):
    pass


def _owner(entity_type: str, entity_id: int, function: str):
    owner = owner_of(entity_type)
    if owner is None:
        abort(404)
    record = get_visible_or_404(owner.model, entity_id)
    if not allowed(current_user.roles, getattr(owner, function)):
        abort(403)
    return owner, record


@bp.route("/<entity_type>/<int:entity_id>", methods=["POST"])
@requires(SIGNED_IN)
def upload(entity_type: str, entity_id: int):
    owner, record = _owner(entity_type, entity_id, "edit_function")
    form = UploadForm()
    if not form.validate_on_submit():
        abort(400)
    upload = form.file.data
    try:
        if upload is None or not getattr(upload, "filename", ""):
            raise DomainError(_("Choose a file to upload."), "file")
        attachment = services.store(db.session, current_user, entity_type, entity_id, upload.filename, upload.stream)
    except DomainError as err:
        db.session.rollback()
        flash(str(err.message), "danger")
    else:
        db.session.commit()
        flash(_("%(name)s attached.", name=attachment.filename), "success")
    return redirect(owner.back(record))


@bp.route("/<int:attachment_id>")
@requires(SIGNED_IN)
def download(attachment_id: int):
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        abort(404)
    _owner(attachment.entity_type, attachment.entity_id, "view_function")
    path = services.path_of(attachment)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=attachment.content_type, as_attachment=True,
                     download_name=attachment.filename, max_age=0)


@bp.route("/<int:attachment_id>/delete", methods=["POST"])
@requires(SIGNED_IN)
def delete(attachment_id: int):
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        abort(404)
    owner, record = _owner(attachment.entity_type, attachment.entity_id, "view_function")
    if not DeleteForm().validate_on_submit():
        abort(400)
    try:
        stored = services.delete(db.session, current_user, attachment)
    except DomainError as err:
        db.session.rollback()
        flash(str(err.message), "danger")
    else:
        db.session.commit()
        services.discard_file(stored)
        flash(_("Attachment deleted."), "success")
    return redirect(owner.back(record))
