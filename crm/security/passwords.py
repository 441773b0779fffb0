"""Password hashing, the password policy, and sign-in throttling kept in the database."""
from __future__ import annotations

import datetime as dt
import re
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from crm.core.errors import DomainError
from crm.models import LoginAttempt, User
from crm.models.base import utcnow
from crm.settings import get as get_setting

COMMON_PASSWORDS = frozenset({
    "password123", "1234567890", "qwertyuiop", "admin12345", "abc1234567", "a123456789",
    "1qaz2wsx3edc", "password1234", "woaini1314", "zhang123456",
})
# A hash to compare against when the user does not exist, so both paths take the same time.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def verify_password(user: User | None, password: str) -> bool:
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return False
    return check_password_hash(user.password_hash, password)


def check_policy(session: Session, password: str, username: str = "") -> None:
    """Raise DomainError on the ``password`` field when the policy refuses it."""
    minimum = get_setting(session, "password_min_length")
    if len(password) < minimum:
        raise DomainError(_l("The password needs at least %(n)s characters.", n=minimum), "password")
    if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
        raise DomainError(_l("The password needs both letters and digits."), "password")
    if username and username.lower() in password.lower():
        raise DomainError(_l("The password must not contain the user name."), "password")
    if password.lower() in COMMON_PASSWORDS:
        raise DomainError(_l("This password is too common."), "password")


def generate_password() -> str:
    """A random password that meets the policy (for the demo and first admin)."""
    while True:
        candidate = secrets.token_urlsafe(12)
        if re.search(r"[A-Za-z]", candidate) and re.search(r"\d", candidate):
            return candidate


class Throttled(DomainError):
    pass


def _recent_failures(session: Session, column, value: str, since: dt.datetime) -> int:
    stmt = select(func.count()).select_from(LoginAttempt).where(
        column == value, LoginAttempt.success.is_(False), LoginAttempt.at >= since)
    return session.scalar(stmt) or 0


def check_throttle(session: Session, username: str, ip: str) -> None:
    """Refuse a sign-in after too many recent failures for the name or the address."""
    window = dt.timedelta(minutes=get_setting(session, "login_window_minutes"))
    limit = get_setting(session, "login_max_failures")
    since = utcnow() - window
    if (_recent_failures(session, LoginAttempt.username, username, since) >= limit
            or _recent_failures(session, LoginAttempt.ip, ip, since) >= limit * 4):
        raise Throttled(_l("Too many failed sign-ins. Try again in %(m)s minutes.",
                           m=int(window.total_seconds() // 60)))


def record_attempt(session: Session, username: str, ip: str, success: bool) -> None:
    session.add(LoginAttempt(username=username[:64], ip=ip[:64], success=success))
    session.flush()
