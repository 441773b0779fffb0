"""Company rules: USCC validity and uniqueness, the name key for dedupe, derived location fields,
the parent group, and audited create and edit.

``create_company`` and ``update_company`` are shared by the web forms, imports, the demo and
tests; both take a ``data`` dict keyed by model attribute. ``county_code`` in ``data`` is the
location as chosen: a province (2 digits), city (4) or county (6) code; the service stores each
level in its own column (``county_code`` only for a county) and derives cluster and local flag.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from crm.audit import service as audit
from crm.audit.stale import ensure_current
from crm.companies.regions import split_regions
from crm.companies.uscc import clean, uscc_problem
from crm.core.errors import DomainError
from crm.models import Company
from crm.refdata import lookup
from crm.search.pinyin import initials
from crm.settings import get as get_setting

EDITABLE = ("name", "short_name", "uscc", "stock_code", "county_code", "industry_code", "registered_capital",
            "revenue", "employees", "world500", "china500", "private500", "listed", "specialized",
            "central_soe", "provincial_soe", "notes", "parent_id")

USCC_MESSAGES = {
    "length": _l("A unified social credit code has 18 characters."),
    "characters": _l("The code may only use digits and capital letters other than I, O, S, V and Z."),
    "authority": _l("The first character (registration authority) is not valid."),
    "division": _l("Characters 3 to 8 must be a division code (digits)."),
    "check character": _l("The last character (check character) does not match: the code has a typo."),
}

# --- the name key --------------------------------------------------------------------------------------

# Legal forms and group words, stripped from the end repeatedly (longest first), so
# 山西立恒钢铁集团股份有限公司 loses 股份有限公司, then 集团.
_LEGAL_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "股份公司", "集团公司", "控股集团", "集团",
                   "控股", "总公司", "公司", "股份")
# Latin legal forms, matched on words at the end before spaces and punctuation go ("Co., Ltd.").
_LATIN_FORMS = re.compile(r"(?:[\s,.&]*\b(?:co\.?,?\s*ltd|company|limited|ltd|inc|incorporated|corp|corporation|"
                          r"group|holdings?|gmbh|llc|plc|ag|s\.?a)\b\.?)+\s*$")
# Brackets with what they hold: （临汾）, (中国), 【筹】, 〔集团〕.
_BRACKETED = re.compile(r"[(\[【〔{<《][^)\]】〕}>》]*[)\]】〕}>》]")
_NOT_WORD = re.compile(r"[\W_]+")


def _strip_legal_forms(text: str) -> str:
    changed = True
    while changed:
        changed = False
        for suffix in _LEGAL_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text, changed = text[:-len(suffix)], True
                break
    return text


def name_parts(name: str) -> tuple[list[frozenset[str]], str]:
    """The division codes of the leading region names stripped, and the key (see :func:`normalise_name`)."""
    text = unicodedata.normalize("NFKC", name).casefold().strip()
    text = _NOT_WORD.sub("", _LATIN_FORMS.sub("", _BRACKETED.sub("", text)))
    if not text:
        return [], unicodedata.normalize("NFKC", name).strip()[:200]
    regions, rest = split_regions(_strip_legal_forms(text))
    return regions, rest[:200]


def normalise_name(name: str) -> str:
    """A comparison key for dedupe: the name without what varies between spellings of one firm.

    Full-width forms are folded (NFKC) and Latin letters lower-cased; brackets and what they hold
    (（中国）, （临汾）), spaces and punctuation are dropped; legal forms and group words at the end
    (有限公司, 股份有限公司, 有限责任公司, 集团, 控股, Co., Ltd.) are stripped, then leading province
    and city names (山西, 山西省, 临汾市, 北京) while two characters or more remain.

    >>> normalise_name("山西焦煤集团有限责任公司"), normalise_name("山西焦煤集团")
    ('焦煤', '焦煤')
    >>> normalise_name(" 比亚迪（中国）股份有限公司 ")
    '比亚迪'
    >>> normalise_name("山西省临汾市 晋南钢铁（集团）有限公司"), normalise_name("临汾晋南钢铁")
    ('晋南钢铁', '晋南钢铁')
    >>> normalise_name("ＡＢＣ　Ｃｏ．，Ｌｔｄ．"), normalise_name("北京市"), normalise_name("中国宝武钢铁集团有限公司")
    ('abc', '北京市', '中国宝武钢铁')
    """
    return name_parts(name)[1]


# --- rules ---------------------------------------------------------------------------------------------

class PossibleDuplicates(DomainError):
    """Companies with a similar name exist; the user must confirm the new one is different."""

    def __init__(self, matches: list):
        super().__init__(_l("Companies with a similar name already exist. Check them; if the new company is "
                            "a different one, tick the box and save again."))
        self.matches = matches


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


def location_code(company: Company) -> str | None:
    """The most precise division code stored for the company (county, else city, else province)."""
    return company.county_code or company.city_code or company.province_code


def _derive_location(session: Session, company: Company, code: str | None) -> None:
    """Store ``code`` (2, 4 or 6 digits) at its level; cluster and local flag follow from it."""
    if not code:
        company.province_code = company.city_code = company.county_code = company.cluster = None
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


def _validate_parent(session: Session, company: Company) -> None:
    if company.parent_id is None:
        return
    try:
        parent_id = int(company.parent_id)
    except (TypeError, ValueError):
        raise DomainError(_l("Choose the parent group from the list."), "parent_id") from None
    if session.get(Company, parent_id) is None:
        raise DomainError(_l("The parent group no. %(id)s does not exist.", id=parent_id), "parent_id")
    if company.id is not None:
        # Walk up from the new parent: meeting this company would close a loop.
        seen, current = set(), parent_id
        while current is not None and current not in seen:
            if current == company.id:
                raise DomainError(_l("A company cannot belong to itself or to one of its own subsidiaries."),
                                  "parent_id")
            seen.add(current)
            current = session.scalar(select(Company.parent_id).where(Company.id == current))
    company.parent_id = parent_id


def _apply(session: Session, company: Company, data: dict[str, Any]) -> None:
    # The location is re-derived from the chosen code, or from the stored levels when the
    # caller did not send one (so an edit of other fields keeps a city-only location).
    code = data["county_code"] if "county_code" in data else location_code(company)
    for key in EDITABLE:
        if key in data and key != "county_code":
            setattr(company, key, data[key])
    if not (company.name or "").strip():
        raise DomainError(_l("A company needs a name."), "name")
    company.name = company.name.strip()
    company.name_norm = normalise_name(company.name)
    company.name_initials = initials(company.name)
    company.uscc = _validate_uscc(session, company.uscc, company.id)
    if company.industry_code:
        found = lookup.industry(company.industry_code)
        if found is None:
            raise DomainError(_l("Unknown industry code %(c)s.", c=company.industry_code), "industry_code")
        company.industry_code = found.code
    _validate_parent(session, company)
    _derive_location(session, company, code)


def create_company(session: Session, actor, data: dict[str, Any], *, check_duplicates: bool = False,
                   confirmed: Collection[int] = ()) -> Company:
    """Create a company from ``data`` (keys of :data:`EDITABLE`).

    With ``check_duplicates`` (the web form), raise :class:`PossibleDuplicates` when companies
    with a similar name exist that are not all in ``confirmed`` (the ids the user was shown and
    confirmed as different). Imports leave it off: they match on their own natural key.
    """
    from crm.companies.dedupe import find_similar  # dedupe imports this module for the name key

    company = Company(owner_unit_id=getattr(actor, "unit_id", None), owner_id=getattr(actor, "id", None))
    _apply(session, company, data)
    if check_duplicates:
        matches = find_similar(session, company.name)
        if matches and not {c.id for c, _score in matches} <= set(confirmed):
            raise PossibleDuplicates(matches)
    session.add(company)
    audit.record_create(session, actor, company)
    return company


def update_company(session: Session, actor, company: Company, data: dict[str, Any],
                   expected_version: int | None) -> Company:
    ensure_current(session, company, expected_version)
    with audit.tracked_update(session, actor, company):
        _apply(session, company, data)
    return company


def renormalise_names(session: Session) -> int:
    """Recompute ``name_norm`` for every company after the key changed; returns rows changed.

    Not audited: the key is derived, like the cluster.
    """
    table = Company.__table__
    rows = [{"b_id": cid, "b_norm": normalise_name(name)}
            for cid, name, norm in session.execute(select(table.c.id, table.c.name, table.c.name_norm))
            if normalise_name(name) != norm]
    if rows:
        # Core, not the ORM: a derived key must not bump version_id and make open forms stale.
        stmt = update(table).where(table.c.id == bindparam("b_id")).values(name_norm=bindparam("b_norm"))
        session.execute(stmt, rows)
    return len(rows)
