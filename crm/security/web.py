"""Request-time enforcement: sign-in, the permissions registry, the current scope."""
from __future__ import annotations

from flask import Flask, abort, current_app, g, redirect, request, url_for
from flask_login import current_user

from crm.extensions import db, login_manager
from crm.models import User
from crm.security.permissions import PUBLIC, allowed
from crm.security.scope import Scope, scope_for
from sqlalchemy import select


@login_manager.user_loader
def load_user(token: str) -> User | None:
    # The session holds the rotating session token, not the id: a reset or a
    # disable changes the token, and every open session stops resolving.
    user = db.session.scalar(select(User).where(User.session_token == token))
    if user is None or not user.active:
        return None
    return user


def current_scope() -> Scope:
    if "scope" not in g:
        g.scope = scope_for(db.session, current_user if current_user.is_authenticated else None)
    return g.scope


def get_visible_or_404(model, ident):
    """Load a record by primary key, 404 when it is missing or outside the scope."""
    obj = db.session.get(model, ident)
    if obj is None or not current_scope().can_see(db.session, obj):
        abort(404)
    return obj


def enforce_permissions() -> None:
    endpoint = request.endpoint
    if endpoint is None:
        return  # 404 or 405 follow
    view = current_app.view_functions.get(endpoint)
    function = getattr(view, "permission", None)
    if function is None:
        # Fail closed: a route without a declared function is a programming error.
        current_app.logger.error("route %s declares no permission function", endpoint)
        abort(403)
    if function == PUBLIC:
        return
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))
    if not allowed(current_user.roles, function):
        abort(403)
    return None


def register_security(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    app.before_request(enforce_permissions)
