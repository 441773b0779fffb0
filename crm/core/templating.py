"""Template globals and filters shared by every page."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import Flask, request
from flask_babel import format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from crm.security.permissions import ROLE_LABELS, allowed

ATTRACTION = _l("Attraction")
ADMIN = _l("Data & admin")

NAV = (
    # (endpoint, label, function, menu): entries of one menu show as a dropdown, in this order
    ("dashboard.index", _l("Dashboard"), "dashboard.view", None),
    ("kpis.index", _l("Key indicators"), "dashboard.view", None),
    ("companies.index", _l("Companies"), "company.view", None),
    ("mywork.index", _l("My work"), "lead.view", None),
    ("leads.index", _l("Leads"), "lead.view", ATTRACTION),
    ("board.index", _l("Board"), "lead.view", ATTRACTION),
    ("trips.index", _l("Trips"), "lead.view", ATTRACTION),
    ("delegations.index", _l("Delegations"), "lead.view", ATTRACTION),
    ("projects.index", _l("Projects"), "project.view", None),
    ("problems.index", _l("Problems (问题清单)"), "problem.view", None),
    ("industry.index", _l("Chains"), "chain.view", None),
    ("imports.index", _l("Imports"), "import.run", ADMIN),
    ("users.index", _l("Users"), "users.manage", ADMIN),
    ("units.index", _l("Units"), "units.manage", ADMIN),
    ("settings.index", _l("Settings"), "settings.manage", ADMIN),
)


def nav_menu() -> list[dict]:
    """The navigation the signed-in user may use: links, and dropdowns of the entries sharing a menu.

    An entry is active when the current page belongs to its blueprint; a dropdown when one of its
    entries is.
    """
    blueprint = (request.endpoint or "").split(".")[0]
    out: list[dict] = []
    menus: dict[str, dict] = {}
    for endpoint, label, function, menu in NAV:
        if not can(function):
            continue
        link = {"endpoint": endpoint, "label": label, "active": endpoint.split(".")[0] == blueprint}
        if menu is None:
            out.append(link)
            continue
        key = str(menu)
        if key not in menus:
            menus[key] = {"label": menu, "children": [], "active": False}
            out.append(menus[key])
        menus[key]["children"].append(link)
        menus[key]["active"] = menus[key]["active"] or link["active"]
    return out


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
    app.jinja_env.globals.update(can=can, NAV=NAV, nav_menu=nav_menu, ROLE_LABELS=ROLE_LABELS,
                                 AUDIT_ACTIONS=AUDIT_ACTIONS,
                                 current_locale=lambda: str(get_locale()),
                                 current_path=lambda: request.full_path.rstrip("?"))
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["when"] = when
