"""The company list: its URL filters, whitelisted sort keys and the query.

:func:`filters_from_request` reads and checks the URL parameters (a bad value answers 400
naming the parameter); :func:`company_query` turns the filters and a visibility condition into
one ``select``, so the list page and an export of "what I see" run the same query.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

from flask import request
from sqlalchemy import ColumnElement, Select, func, or_, select

from crm.companies.forms import FLAG_FIELDS
from crm.core.filters import BadFilter, bad_param, choice_filter
from crm.models import Company
from crm.refdata import lookup

__all__ = [
    "SORT_KEYS", "BadFilter", "CompanyFilters", "bad_param", "company_query", "division_arg", "filters_from_args",
    "filters_from_request",
]

SORT_KEYS = ("name", "revenue", "created")
DIRECTIONS = ("asc", "desc")
_DEFAULT_DIRECTION = {"name": "asc", "revenue": "desc", "created": "desc"}


@dataclass(frozen=True)
class CompanyFilters:
    q: str = ""
    cluster: str | None = None
    province_code: str | None = None
    city_code: str | None = None
    industry: str | None = None
    local: str | None = None  # "1" local, "0" external
    flags: tuple[str, ...] = ()
    sort: str = "name"
    dir: str = "asc"

    def args(self, **override) -> dict[str, str]:
        """The filters as URL arguments (empty ones left out), e.g. for sort links and the pager."""
        values = {**asdict(self), **override}
        values["province"], values["city"] = values.pop("province_code"), values.pop("city_code")
        out = {k: v for k, v in values.items() if k != "flags" and v not in (None, "")}
        out.update({flag: "1" for flag in values["flags"]})
        return out


def _division(args: Mapping[str, str], name: str, level: str) -> str | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    found = lookup.division(raw) if raw.isascii() and raw.isdigit() else None
    if found is None or found.level != level:
        raise BadFilter(name, raw)
    return found.code


def division_arg(name: str, level: str) -> str | None:
    try:
        return _division(request.args, name, level)
    except BadFilter as bad:
        bad_param(bad.name, bad.raw)


_choice = choice_filter


def _industry(args: Mapping[str, str]) -> str | None:
    raw = (args.get("industry") or "").strip()
    if not raw:
        return None
    found = lookup.industry(raw) if raw.isascii() and raw.isalnum() else None
    if found is None:
        raise BadFilter("industry", raw)
    return found.code


def filters_from_args(args: Mapping[str, str]) -> CompanyFilters:
    """Read and check the filters from any mapping (URL query, export form, job parameters)."""
    province = _division(args, "province", "province")
    city = _division(args, "city", "city")
    if province and city and not city.startswith(province):
        raise BadFilter("city", city)
    sort = _choice(args, "sort", SORT_KEYS, "name")
    return CompanyFilters(
        q=(args.get("q") or "").strip()[:100],
        cluster=_choice(args, "cluster", tuple(lookup.CLUSTERS)),
        province_code=province, city_code=city,
        industry=_industry(args),
        local=_choice(args, "local", ("1", "0")),
        flags=tuple(flag for flag in FLAG_FIELDS if _choice(args, flag, ("1",))),
        sort=sort, dir=_choice(args, "dir", DIRECTIONS, _DEFAULT_DIRECTION[sort]),
    )


def filters_from_request() -> CompanyFilters:
    try:
        return filters_from_args(request.args)
    except BadFilter as bad:
        bad_param(bad.name, bad.raw)


def _industry_condition(code: str) -> ColumnElement[bool]:
    if code.isdigit():
        # Codes are hierarchical: a division, group or class and everything below it.
        return Company.industry_code.startswith(code, autoescape=True)
    divisions = [i.code for i in lookup.industries() if i.level == "division" and i.section == code]
    return or_(Company.industry_code == code, func.substr(Company.industry_code, 1, 2).in_(divisions))


def company_query(filters: CompanyFilters, condition: ColumnElement[bool]) -> Select:
    """Companies matching ``filters`` inside the visibility ``condition``, in the chosen order."""
    stmt = select(Company).where(condition)
    if filters.q:
        stmt = stmt.where(or_(Company.name.contains(filters.q, autoescape=True),
                              Company.short_name.contains(filters.q, autoescape=True),
                              Company.uscc == filters.q.upper(), Company.stock_code == filters.q))
    if filters.cluster:
        stmt = stmt.where(Company.cluster == filters.cluster)
    if filters.province_code:
        stmt = stmt.where(Company.province_code == filters.province_code)
    if filters.city_code:
        stmt = stmt.where(Company.city_code == filters.city_code)
    if filters.industry:
        stmt = stmt.where(_industry_condition(filters.industry))
    if filters.local is not None:
        stmt = stmt.where(Company.is_local.is_(filters.local == "1"))
    for flag in filters.flags:
        stmt = stmt.where(getattr(Company, flag).is_(True))
    column = {"name": Company.name, "revenue": Company.revenue, "created": Company.created_at}[filters.sort]
    ordered = column.desc() if filters.dir == "desc" else column.asc()
    if filters.sort == "revenue":
        ordered = ordered.nulls_last()  # companies without a figure last, whichever the direction
    return stmt.order_by(ordered, Company.id.desc() if filters.dir == "desc" else Company.id)
