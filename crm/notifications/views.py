"""The notifications page (the signed-in user's own, newest first) and the navbar bell's count."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from crm.core.params import paginate
from crm.extensions import db
from crm.models import Notification
from crm.notifications import services
from crm.security.permissions import SIGNED_IN, requires

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.app_context_processor
def bell():
    """``unread_notifications()`` for the navbar: one indexed count, only when the bell renders."""
    def unread_notifications() -> int:
        return services.unread_count(db.session, current_user.id) if current_user.is_authenticated else 0
    return {"unread_notifications": unread_notifications}


@bp.route("/")
@requires(SIGNED_IN)
def index():
    stmt = (select(Notification).where(Notification.user_id == current_user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()))
    return render_template("notifications/index.html", page=paginate(db.session, stmt), form=FlaskForm(),
                           labels=services.KIND_LABELS)


@bp.route("/<int:notification_id>/read", methods=["POST"])
@requires(SIGNED_IN)
def mark_read(notification_id: int):
    if not FlaskForm().validate_on_submit():
        abort(400)
    # Another user's notification answers 404, like any record outside the scope.
    if not services.mark_read(db.session, current_user.id, notification_id):
        abort(404)
    db.session.commit()
    return redirect(url_for("notifications.index"))


@bp.route("/read-all", methods=["POST"])
@requires(SIGNED_IN)
def mark_all_read():
    if not FlaskForm().validate_on_submit():
        abort(400)
    count = services.mark_all_read(db.session, current_user.id)
    db.session.commit()
    flash(_("%(num)d notifications marked read.", num=count), "success")
    return redirect(url_for("notifications.index"))
