"""Template globals and filters shared by every page."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import Flask, request
from flask_babel import format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from crm.security.permissions import ROLE_LABELS, allowed

NAV = (
    # (endpoint, label, function)
    ("dashboard.index", _l("Dashboard"), "dashboard.view"),
    ("companies.index", _l("Companies"), "company.view"),
    ("mywork.index", _l("My work"), "lead.view"),
    ("leads.index", _l("Leads"), "lead.view"),
    ("board.index", _l("Board"), "lead.view"),
    ("projects.index", _l("Projects"), "project.view"),
    ("trips.index", _l("Trips"), "lead.view"),
    ("delegations.index", _l("Delegations"), "lead.view"),
    ("imports.index", _l("Imports"), "import.run"),
    ("users.index", _l("Users"), "users.manage"),
    ("units.index", _l("Units"), "units.manage"),
    ("settings.index", _l("Settings"), "settings.manage"),
)


AUDIT_ACTIONS = {
    "create": _l("Created"), "update": _l("Changed"), "delete": _l("Deleted"), "bulk_create": _l("Imported"),
    "merge": _l("Merged"), "view": _l("Viewed"), "login": _l("Signed in"), "state": _l("State change"),
}


def can(function: str) -> bool:
    return current_user.is_authenticated and allowed(current_user.roles, function)


def money(value) -> str:
    """万元 with thousands separators and two decimals; blank for None."""
    if value is None:
        return ""
    return f"{Decimal(value):,.2f}"


def when(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:  # SQLite returns naive UTC
            value = value.replace(tzinfo=dt.timezone.utc)
        return format_datetime(value, "yyyy-MM-dd HH:mm")
    return value.isoformat()


def register_templating(app: Flask) -> None:
    app.jinja_env.globals.update(can=can, NAV=NAV, ROLE_LABELS=ROLE_LABELS, AUDIT_ACTIONS=AUDIT_ACTIONS,
                                 current_locale=lambda: str(get_locale()),
                                 current_path=lambda: request.full_path.rstrip("?"))
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["when"] = when
