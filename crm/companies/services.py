"""Company rules: USCC validity and uniqueness, derived location fields, audited edits."""
from __future__ import annotations

import re
import unicodedata
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.audit import service as audit
from crm.audit.stale import ensure_current
from crm.companies.uscc import clean, uscc_problem
from crm.core.errors import DomainError
from crm.models import Company
from crm.refdata import lookup
from crm.settings import get as get_setting

EDITABLE = ("name", "short_name", "uscc", "stock_code", "county_code", "industry_code", "registered_capital",
            "revenue", "employees", "world500", "china500", "private500", "listed", "specialized",
            "central_soe", "provincial_soe", "notes")

USCC_MESSAGES = {
    "length": _l("A unified social credit code has 18 characters."),
    "characters": _l("The code may only use digits and capital letters other than I, O, S, V and Z."),
    "authority": _l("The first character (registration authority) is not valid."),
    "division": _l("Characters 3 to 8 must be a division code (digits)."),
    "check character": _l("The last character (check character) does not match: the code has a typo."),
}

_LEGAL_FORMS = re.compile(r"(股份有限公司|有限责任公司|有限公司|集团|\(中国\)|（中国）)")


def normalise_name(name: str) -> str:
    """A comparison key: full-width folded, spaces, brackets and legal forms removed.

    >>> normalise_name("山西焦煤集团有限责任公司")
    '山西焦煤'
    >>> normalise_name(" 比亚迪（中国）股份有限公司 ")
    '比亚迪'
    """
    text = unicodedata.normalize("NFKC", name).strip()
    text = _LEGAL_FORMS.sub("", text.replace("（", "(").replace("）", ")"))
    return re.sub(r"[\s()\[\]【】]", "", text)


def _validate_uscc(session: Session, code: str | None, company_id: int | None) -> str | None:
    code = clean(code)
    if code is None:
        return None
    problem = uscc_problem(code)
    if problem:
        raise DomainError(USCC_MESSAGES[problem], "uscc")
    other = session.scalar(select(Company.id).where(Company.uscc == code))
    if other is not None and other != company_id:
        raise DomainError(_l("Another company (no. %(id)s) already has this code.", id=other), "uscc")
    return code


def _derive_location(session: Session, company: Company) -> None:
    """Province, city, cluster and local flag follow from the county code and the settings."""
    code = company.county_code
    if not code:
        company.province_code = company.city_code = company.cluster = None
        company.is_local = False
        return
    try:
        code = lookup.normalise_code(code)
    except ValueError:
        raise DomainError(_l("Unknown division code %(c)s.", c=code), "county_code") from None
    company.county_code = code if len(code) == 6 else None
    company.province_code = code[:2]
    company.city_code = code[:4] if len(code) >= 4 else None
    match = lookup.cluster_of(code)
    company.cluster = match.cluster if match else None
    company.is_local = lookup.is_local(code, get_setting(session, "home_city_code"))


def _apply(session: Session, company: Company, data: dict[str, Any]) -> None:
    for key in EDITABLE:
        if key in data:
            setattr(company, key, data[key])
    if not (company.name or "").strip():
        raise DomainError(_l("A company needs a name."), "name")
    company.name = company.name.strip()
    company.name_norm = normalise_name(company.name)
    company.uscc = _validate_uscc(session, company.uscc, company.id)
    if company.industry_code:
        found = lookup.industry(company.industry_code)
        if found is None:
            raise DomainError(_l("Unknown industry code %(c)s.", c=company.industry_code), "industry_code")
        company.industry_code = found.code
    _derive_location(session, company)


def create_company(session: Session, actor, data: dict[str, Any]) -> Company:
    company = Company(owner_unit_id=getattr(actor, "unit_id", None), owner_id=getattr(actor, "id", None))
    _apply(session, company, data)
    session.add(company)
    audit.record_create(session, actor, company)
    return company


def update_company(session: Session, actor, company: Company, data: dict[str, Any],
                   expected_version: int | None) -> Company:
    ensure_current(session, company, expected_version)
    with audit.tracked_update(session, actor, company):
        _apply(session, company, data)
    return company
