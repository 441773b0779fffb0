"""Sign-in rules: throttling, inactive users, one generic error for bad credentials."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.audit import service as audit
from crm.core.errors import DomainError
from crm.models import User
from crm.models.base import utcnow
from crm.security import passwords


def authenticate(session: Session, username: str, password: str, ip: str) -> User:
    """Return the user, or raise DomainError; every attempt is recorded (flushed)."""
    username = (username or "").strip()
    passwords.check_throttle(session, username, ip)
    user = session.scalar(select(User).where(User.username == username))
    if not passwords.verify_password(user, password) or not user.active:
        passwords.record_attempt(session, username, ip, False)
        raise DomainError(_l("Wrong user name or password, or the account is disabled."))
    passwords.record_attempt(session, username, ip, True)
    user.last_login_at = utcnow()
    audit.record_event(session, user, "login", "user", user.id)
    session.flush()
    return user


def change_own_password(session: Session, user: User, current: str, new: str) -> None:
    if not passwords.verify_password(user, current):
        raise DomainError(_l("The current password is wrong."), "current")
    from crm.users.services import set_password  # same rules as an admin reset
    set_password(session, user, user, new)
