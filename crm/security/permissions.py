"""The permissions registry: every route names the function it needs.

A *function* is a named capability ("company.edit"); roles are granted
functions in :data:`ROLE_FUNCTIONS`, the one table that says what each role
may do. Views declare their function with :func:`requires`; a ``before_request``
hook enforces it, and a test walks the url_map to check every rule declares
one. Functions answer "may this role do this at all" (403 when not); which
records a user may touch is the visibility scope's business (404 outside it).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask_babel import lazy_gettext as _l

F = TypeVar("F", bound=Callable)

PUBLIC = "public"            # no sign-in needed (sign-in page, static files)
SIGNED_IN = "signed_in"      # any active user

FUNCTIONS = {
    PUBLIC: _l("Public"),
    SIGNED_IN: _l("Any signed-in user"),
    "dashboard.view": _l("View the dashboard"),
    "company.view": _l("View companies"),
    "company.edit": _l("Create and edit companies"),
    "company.merge": _l("Merge duplicate companies"),
    "users.handover": _l("Hand over a user's work"),
    "lead.view": _l("View leads"),
    "lead.edit": _l("Create and work leads"),
    "lead.rule": _l("Rule on duplicate leads (撞单)"),
    "chain.view": _l("View industrial chains and targets"),
    "chain.manage": _l("Import and edit industrial chains"),
    "project.view": _l("View projects"),
    "project.edit": _l("Create and work projects"),
    "project.confirm": _l("Confirm project stages (认定)"),
    "problem.view": _l("View problems (问题清单)"),
    "problem.edit": _l("Raise and work problems"),
    "problem.assign": _l("Assign, send back and close problems (交办, 销号)"),
    "report.review": _l("Review, return and lock monthly reports; decide corrections"),
    "factor.allocate": _l("Enter input pools and allocate inputs (要素保障)"),
    "import.run": _l("Import files"),
    "export.run": _l("Export lists"),
    "audit.view": _l("View change history"),
    "users.manage": _l("Manage users of own unit"),
    "units.manage": _l("Manage units"),
    "settings.manage": _l("Manage settings"),
}

_ALL = frozenset(FUNCTIONS) - {PUBLIC, SIGNED_IN}
_READ = frozenset({"dashboard.view", "company.view", "audit.view", "export.run", "lead.view", "chain.view",
                   "project.view", "problem.view"})
_WORK = frozenset({"company.edit", "import.run", "lead.edit", "project.edit", "problem.edit"})

ROLE_FUNCTIONS: dict[str, frozenset[str]] = {
    "admin": _ALL,
    "unit_admin": _READ | {"users.manage", "users.handover"},
    "city_leader": _READ | {"lead.rule", "project.confirm", "problem.assign", "report.review", "factor.allocate"},
    "county_leader": _READ | {"problem.assign"},
    "manager": _READ | _WORK | {"company.merge", "users.handover", "problem.assign"},
    "officer": _READ | _WORK,
}

ROLE_LABELS = {
    "admin": _l("System admin"),
    "unit_admin": _l("Unit admin"),
    "city_leader": _l("City leader"),
    "county_leader": _l("County leader"),
    "manager": _l("Manager"),
    "officer": _l("Officer"),
}

# Roles that only a system admin may grant.
PRIVILEGED_ROLES = frozenset({"admin", "city_leader"})


def requires(function: str) -> Callable[[F], F]:
    """Declare the function a view needs; unknown names fail at import time."""
    if function not in FUNCTIONS:
        raise KeyError(f"unknown permission function {function!r}")

    def decorate(view: F) -> F:
        view.permission = function  # type: ignore[attr-defined]
        return view

    return decorate


def functions_of(roles: frozenset[str] | set[str]) -> frozenset[str]:
    granted: set[str] = {SIGNED_IN}
    for role in roles:
        granted |= ROLE_FUNCTIONS.get(role, frozenset())
    return frozenset(granted)


def allowed(roles, function: str) -> bool:
    return function == PUBLIC or function in functions_of(roles)
