"""Sign-in, sign-out, own password, language switch."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from crm.auth import services
from crm.auth.forms import LanguageForm, LoginForm, PasswordForm
from crm.core.errors import DomainError, apply_to_form
from crm.extensions import db
from crm.security.permissions import PUBLIC, SIGNED_IN, requires

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    # Only same-site relative paths: an open redirect would let a phishing link
    # bounce through the sign-in page.
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
@requires(PUBLIC)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(db.session, form.username.data, form.password.data,
                                         request.remote_addr or "-")
        except DomainError as err:
            db.session.commit()  # keep the failed attempt: throttling counts it
            apply_to_form(form, err)
        else:
            db.session.commit()
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@requires(SIGNED_IN)
def logout():
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@requires(SIGNED_IN)
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_own_password(db.session, current_user, form.current.data, form.password.data)
        except DomainError as err:
            db.session.rollback()
            apply_to_form(form, err)
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # the session token rotated: keep this session signed in
            flash(_("Your password was changed. Other sessions were signed out."), "success")
            return redirect(url_for("dashboard.index"))
    return render_template("auth/password.html", form=form)


@bp.route("/language/<code>", methods=["POST"])
@requires(PUBLIC)
def language(code: str):
    form = LanguageForm()
    if not form.validate_on_submit() or code not in current_app.config["LANGUAGES"]:
        flash(_("Unknown language."), "danger")
        return redirect(url_for("dashboard.index"))
    response = redirect(_safe_next(request.form.get("next")))
    response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response
