"""htmx endpoints behind the company pickers: cascading location selects (province → city →
county), the GB/T 4754 industry search and the company search (parent group, merge partner).

Each answers a small HTML fragment (``<option>`` lists or result buttons that companies.js
copies into the form). No parameter gives an empty answer; a bad one answers 400 naming it.
"""
from __future__ import annotations

from flask import render_template, request
from sqlalchemy import func, or_, select

from crm.companies.listing import bad_param, division_arg
from crm.companies.views import bp
from crm.core.params import int_arg
from crm.extensions import db
from crm.models import Company
from crm.refdata import lookup
from crm.security.permissions import requires
from crm.security.web import current_scope

MAX_TERM = 50


def _term() -> str:
    raw = request.args.get("term", "").strip()
    if len(raw) > MAX_TERM:
        bad_param("term", raw)
    return raw


@bp.route("/divisions/cities")
@requires("company.view")
def city_options():
    # The company form's select is province_code (the model attribute), the list filter's province.
    code = division_arg("province_code", "province") or division_arg("province", "province")
    return render_template("companies/_division_options.html", items=lookup.children(code) if code else [])


@bp.route("/divisions/counties")
@requires("company.view")
def county_options():
    code = division_arg("city_code", "city") or division_arg("city", "city")
    return render_template("companies/_division_options.html", items=lookup.children(code) if code else [])


@bp.route("/industries")
@requires("company.view")
def industry_options():
    term = _term()
    items = lookup.find_industries(term, limit=20) if term else []
    return render_template("companies/_industry_options.html", items=items, term=term)


@bp.route("/search")
@requires("company.view")
def company_options():
    term = _term()
    exclude = int_arg("exclude", minimum=1)
    items = []
    if term:
        stmt = (select(Company)
                .where(current_scope().condition(Company),
                       or_(Company.name.contains(term, autoescape=True),
                           Company.short_name.contains(term, autoescape=True),
                           Company.uscc == term.upper()))
                .order_by(func.length(Company.name), Company.name, Company.id).limit(15))
        if exclude is not None:
            stmt = stmt.where(Company.id != exclude)
        items = list(db.session.scalars(stmt))
    return render_template("companies/_company_options.html", items=items, term=term)
