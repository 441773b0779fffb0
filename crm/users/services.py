"""Create, edit, disable users and reset passwords, within the actor's reach."""
from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.audit import service as audit
from crm.core.errors import DomainError
from crm.models import User, UserRole
from crm.models.base import utcnow
from crm.models.org import ROLES
from crm.security import passwords
from crm.security.permissions import PRIVILEGED_ROLES
from crm.security.scope import unit_subtree


def manageable_unit_ids(session: Session, actor: User) -> frozenset[int] | None:
    """Units whose users ``actor`` may manage; ``None`` means all."""
    if "admin" in actor.roles:
        return None
    return unit_subtree(session, actor.unit_id)


def ensure_can_manage(session: Session, actor: User, unit_id: int) -> None:
    reach = manageable_unit_ids(session, actor)
    if reach is not None and unit_id not in reach:
        raise DomainError(_l("You can only manage users of your own unit."), "unit_id")


def _check_roles(actor: User, roles: set[str], old: frozenset[str] = frozenset()) -> None:
    unknown = roles - set(ROLES)
    if unknown:
        raise DomainError(_l("Unknown role: %(r)s", r=", ".join(sorted(unknown))), "roles")
    if not roles:
        raise DomainError(_l("Choose at least one role."), "roles")
    # Granting or taking away a privileged role is for system admins only.
    if (set(roles) ^ old) & PRIVILEGED_ROLES and "admin" not in actor.roles:
        raise DomainError(_l("Only a system admin can grant this role."), "roles")


def _set_roles(user: User, roles: set[str]) -> None:
    current = {r.role: r for r in user.role_rows}
    for role in set(current) - roles:
        user.role_rows.remove(current[role])
    for role in sorted(roles - set(current)):
        user.role_rows.append(UserRole(role=role))


def create_user(session: Session, actor: User | None, *, username: str, name: str, unit_id: int,
                roles: set[str], password: str, email: str | None = None, phone: str | None = None) -> User:
    username = username.strip()
    if actor is not None:
        ensure_can_manage(session, actor, unit_id)
        _check_roles(actor, roles)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise DomainError(_l("The user name %(u)s is taken.", u=username), "username")
    passwords.check_policy(session, password, username)
    user = User(username=username, name=name.strip(), unit_id=unit_id, email=email or None,
                phone=phone or None, password_hash=passwords.hash_password(password),
                password_changed_at=utcnow())
    _set_roles(user, roles)
    session.add(user)
    audit.record_create(session, actor, user)
    audit.record_event(session, actor, "update", "user", user.id, field="roles", new=",".join(sorted(roles)))
    return user


def update_user(session: Session, actor: User, user: User, *, name: str, unit_id: int, roles: set[str],
                email: str | None, phone: str | None) -> User:
    ensure_can_manage(session, actor, user.unit_id)
    ensure_can_manage(session, actor, unit_id)
    old_roles = user.roles
    if old_roles != roles:
        _check_roles(actor, roles, old_roles)
    with audit.tracked_update(session, actor, user):
        user.name, user.unit_id, user.email, user.phone = name.strip(), unit_id, email or None, phone or None
        _set_roles(user, roles)
    if old_roles != roles:
        audit.record_event(session, actor, "update", "user", user.id, field="roles",
                           old=",".join(sorted(old_roles)), new=",".join(sorted(roles)))
    return user


def set_password(session: Session, actor: User, user: User, password: str) -> None:
    """Set a new password and end every session the user has."""
    if actor is not user:
        ensure_can_manage(session, actor, user.unit_id)
    passwords.check_policy(session, password, user.username)
    with audit.tracked_update(session, actor, user):
        user.password_hash = passwords.hash_password(password)
        user.password_changed_at = utcnow()
        user.session_token = secrets.token_urlsafe(32)


def set_active(session: Session, actor: User, user: User, active: bool) -> None:
    """Enable or disable a user; disabling ends their sessions."""
    ensure_can_manage(session, actor, user.unit_id)
    if user is actor and not active:
        raise DomainError(_l("You cannot disable yourself."))
    with audit.tracked_update(session, actor, user):
        user.active = active
        if not active:
            user.session_token = secrets.token_urlsafe(32)
