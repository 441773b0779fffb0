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
PROJECT_WORK = _l("Key projects")

NAV = (
    # (endpoint, label, function, menu): entries of one menu show as a dropdown, in this order
    ("dashboard.index", _l("Dashboard"), "dashboard.view", None),
    ("companies.index", _l("Companies"), "company.view", None),
    ("mywork.index", _l("My work"), "lead.view", None),
    ("leads.index", _l("Leads"), "lead.view", ATTRACTION),
    ("board.index", _l("Board"), "lead.view", ATTRACTION),
    ("trips.index", _l("Trips"), "lead.view", ATTRACTION),
    ("delegations.index", _l("Delegations"), "lead.view", ATTRACTION),
    ("projects.index", _l("Projects"), "project.view", PROJECT_WORK),
    ("teams.mine", _l("My projects"), "project.view", PROJECT_WORK),
    ("projects.monthly_grid", _l("Monthly figures"), "project.view", PROJECT_WORK),
    ("reporting.index", _l("Monthly reports"), "project.view", PROJECT_WORK),
    ("problems.index", _l("Problems (问题清单)"), "problem.view", PROJECT_WORK),
    ("factors.index", _l("Inputs (要素保障)"), "project.view", PROJECT_WORK),
    ("industry.index", _l("Chains"), "chain.view", None),
    ("ledgers.index", _l("Ledgers (台账)"), "export.run", ADMIN),
    ("imports.index", _l("Imports"), "import.run", ADMIN),
    ("users.index", _l("Users"), "users.manage", ADMIN),
    ("units.index", _l("Units"), "units.manage", ADMIN),
    ("settings.index", _l("Settings"), "settings.manage", ADMIN),
)


def nav_menu() -> list[dict]:
    """The navigation the signed-in user may use: links, and dropdowns of the entries sharing a menu.

    An entry is active when it is the current page, or else when the current page belongs to its blueprint
    and no entry is the page itself (two entries of one blueprint: only the page's own lights up); a
    dropdown is active when one of its entries is.
    """
    current = request.endpoint or ""
    blueprint = current.split(".")[0]
    exact = any(entry[0] == current for entry in NAV)
    out: list[dict] = []
    menus: dict[str, dict] = {}
    for endpoint, label, function, menu in NAV:
        if not can(function):
            continue
        active = endpoint == current if exact else endpoint.split(".")[0] == blueprint
        link = {"endpoint": endpoint, "label": label, "active": active}
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
