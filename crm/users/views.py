"""User management pages."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.audit import service as audit
from crm.core.errors import DomainError, apply_to_form
from crm.core.params import paginate
from crm.extensions import db
from crm.models import Unit, User
from crm.models.org import ROLES
from crm.security.permissions import PRIVILEGED_ROLES, ROLE_LABELS, requires
from crm.users import handover as handover_service
from crm.users import services
from crm.users.forms import HandoverForm, ResetPasswordForm, ToggleForm, UserForm

bp = Blueprint("users", __name__, url_prefix="/users")


def _reach():
    return services.manageable_unit_ids(db.session, current_user)


def _load(user_id: int) -> User:
    user = db.session.get(User, user_id)
    reach = _reach()
    if user is None or (reach is not None and user.unit_id not in reach):
        abort(404)
    return user


def _prepare(form: UserForm) -> None:
    reach = _reach()
    stmt = select(Unit).where(Unit.active.is_(True)).order_by(Unit.sort, Unit.id)
    if reach is not None:
        stmt = stmt.where(Unit.id.in_(sorted(reach)))
    form.unit_id.choices = [(u.id, u.name) for u in db.session.scalars(stmt)]
    grantable = ROLES if "admin" in current_user.roles else [r for r in ROLES if r not in PRIVILEGED_ROLES]
    form.roles.choices = [(r, str(ROLE_LABELS[r])) for r in grantable]


@bp.route("/")
@requires("users.manage")
def index():
    reach = _reach()
    stmt = select(User).order_by(User.unit_id, User.username)
    if reach is not None:
        stmt = stmt.where(User.unit_id.in_(sorted(reach)))
    page = paginate(db.session, stmt)
    units = {u.id: u.name for u in db.session.scalars(select(Unit))}
    return render_template("users/index.html", page=page, units=units)


@bp.route("/new", methods=["GET", "POST"])
@requires("users.manage")
def create():
    form = UserForm()
    _prepare(form)
    if form.validate_on_submit():
        if not form.password.data:
            form.password.errors.append(_("An initial password is needed."))
        else:
            try:
                user = services.create_user(
                    db.session, current_user, username=form.username.data, name=form.name.data,
                    unit_id=form.unit_id.data, roles=set(form.roles.data), password=form.password.data,
                    email=form.email.data, phone=form.phone.data)
            except DomainError as err:
                db.session.rollback()
                apply_to_form(form, err)
            else:
                db.session.commit()
                flash(_("User %(u)s created.", u=user.username), "success")
                return redirect(url_for("users.detail", user_id=user.id))
    return render_template("users/form.html", form=form, user=None)


@bp.route("/<int:user_id>")
@requires("users.manage")
def detail(user_id: int):
    user = _load(user_id)
    unit = db.session.get(Unit, user.unit_id)
    return render_template("users/detail.html", user=user, unit=unit, reset_form=ResetPasswordForm(),
                           toggle_form=ToggleForm(), history=audit.history(db.session, "user", user.id))


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@requires("users.manage")
def edit(user_id: int):
    user = _load(user_id)
    form = UserForm(obj=user)
    _prepare(form)
    del form.password
    form.username.render_kw = {"readonly": True}
    form.username.data = user.username
    if not form.is_submitted():
        form.roles.data = sorted(user.roles)
    if form.validate_on_submit():
        try:
            services.update_user(db.session, current_user, user, name=form.name.data, unit_id=form.unit_id.data,
                                 roles=set(form.roles.data), email=form.email.data, phone=form.phone.data)
        except DomainError as err:
            db.session.rollback()
            apply_to_form(form, err)
        else:
            db.session.commit()
            flash(_("User saved."), "success")
            return redirect(url_for("users.detail", user_id=user.id))
    return render_template("users/form.html", form=form, user=user)


@bp.route("/<int:user_id>/password", methods=["POST"])
@requires("users.manage")
def reset_password(user_id: int):
    user = _load(user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.set_password(db.session, current_user, user, form.password.data)
        except DomainError as err:
            db.session.rollback()
            flash(err.message, "danger")
        else:
            db.session.commit()
            flash(_("Password reset; the user's sessions were ended."), "success")
    else:
        flash(_("Enter the new password."), "danger")
    return redirect(url_for("users.detail", user_id=user_id))


@bp.route("/<int:user_id>/active", methods=["POST"])
@requires("users.manage")
def toggle_active(user_id: int):
    user = _load(user_id)
    if ToggleForm().validate_on_submit():
        try:
            services.set_active(db.session, current_user, user, not user.active)
        except DomainError as err:
            db.session.rollback()
            flash(err.message, "danger")
        else:
            db.session.commit()
            flash(_("User enabled.") if user.active else _("User disabled; their sessions were ended."), "success")
    return redirect(url_for("users.detail", user_id=user_id))


@bp.route("/<int:user_id>/handover", methods=["GET", "POST"])
@requires("users.handover")
def handover(user_id: int):
    """离岗交接: move everything the user owns to another active user within the actor's reach."""
    user = _load(user_id)
    reach = _reach()
    stmt = select(User).where(User.active.is_(True), User.id != user.id).order_by(User.unit_id, User.name, User.id)
    if reach is not None:
        stmt = stmt.where(User.unit_id.in_(sorted(reach)))
    units = {u.id: u.name for u in db.session.scalars(select(Unit))}
    form = HandoverForm()
    form.to_user_id.choices = [(u.id, f"{u.name} ({u.username}) · {units.get(u.unit_id, '')}")
                               for u in db.session.scalars(stmt)]
    if form.validate_on_submit():
        try:
            result = handover_service.handover(db.session, current_user, user,
                                               db.session.get(User, form.to_user_id.data))
        except DomainError as err:
            db.session.rollback()
            apply_to_form(form, err)
        else:
            db.session.commit()
            counts = result.counts
            flash(_("Handed over %(c)s companies, %(l)s leads and %(p)s projects.",
                    c=counts["company"], l=counts["lead"], p=counts["project"]), "success")
            return redirect(url_for("users.handover", user_id=user.id))
    return render_template("users/handover.html", user=user, unit=db.session.get(Unit, user.unit_id), form=form,
                           counts=handover_service.owned_counts(db.session, user))
