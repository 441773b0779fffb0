"""Company import: fields and aliases (企查查-style headers included), matching, apply, revert.

Rows match existing companies on the natural key: the unified social credit
code when present, else the normalised name plus location. New companies are
written with one bulk insert carrying the batch key (one audit entry for the
batch); matched companies are updated field by field through the ORM, with
their previous values kept on the staged row so a revert can restore them.
"""
from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, cast, delete, false, func, insert, literal, select
from sqlalchemy.orm import Session

from crm.audit import service as audit
from crm.companies.services import normalise_name
from crm.companies.uscc import clean as clean_uscc
from crm.companies.uscc import uscc_problem
from crm.core.errors import DomainError
from crm.files import values
from crm.imports.registry import Field, ImportKind, Prepared, register_import
from crm.models import (Company, CompanySegment, Contact, Delegation, ImportRow, Interaction, Lead, Project, Signing,
                        SupplyLink)
from crm.models.base import utcnow
from crm.refdata import lookup, names
from crm.search.pinyin import initials
from crm.settings import get as get_setting

FLAGS = ("world500", "china500", "private500", "listed", "specialized", "central_soe", "provincial_soe")
LOCATION_FIELDS = frozenset({"province", "city", "county", "division_code"})
TEXT_COLUMNS = ("name", "name_norm", "name_initials", "short_name", "uscc", "stock_code", "province_code",
                "city_code", "county_code", "cluster", "industry_code", "notes")
MONEY_COLUMNS = ("registered_capital", "revenue")
WRITABLE = ("name", "short_name", "uscc", "stock_code", "province_code", "city_code", "county_code", "cluster",
            "is_local", "industry_code", "registered_capital", "revenue", "employees", *FLAGS, "notes")

FIELDS = (
    Field("name", _l("Full name"), ("企业名称", "公司名称", "名称", "企业全称", "name"), required=True),
    Field("short_name", _l("Short name"), ("简称", "企业简称")),
    Field("uscc", _l("Unified social credit code"), ("统一社会信用代码", "信用代码", "社会信用代码", "uscc")),
    Field("stock_code", _l("Stock code"), ("股票代码", "证券代码")),
    Field("province", _l("Province"), ("所属省份", "省份", "省")),
    Field("city", _l("City"), ("所属城市", "城市", "地市", "市")),
    Field("county", _l("County"), ("所属区县", "区县", "县区", "县")),
    Field("division_code", _l("Division code"), ("行政区划代码", "区划代码", "地区代码")),
    Field("industry", _l("Industry"), ("国标行业", "所属行业", "行业", "行业门类", "行业代码")),
    Field("registered_capital", _l("Registered capital (10k yuan)"), ("注册资本", "注册资金"), kind="money"),
    Field("revenue", _l("Revenue (10k yuan)"), ("营业收入", "营收", "年营业收入"), kind="money"),
    Field("employees", _l("Employees"), ("参保人数", "从业人数", "员工人数", "职工人数")),
    Field("world500", _l("Fortune Global 500"), ("世界500强",)),
    Field("china500", _l("China top 500"), ("中国500强",)),
    Field("private500", _l("Private top 500"), ("民营500强", "中国民营500强")),
    Field("listed", _l("Listed"), ("上市", "是否上市", "上市企业")),
    Field("specialized", _l("Specialised and innovative (专精特新)"), ("专精特新", "专精特新企业")),
    Field("central_soe", _l("Central SOE"), ("央企",)),
    Field("provincial_soe", _l("Provincial SOE"), ("省属国企",)),
    Field("notes", _l("Notes"), ("备注",)),
)

# The headers of a 企查查 / 天眼查 company export, as a built-in preset.
QICHACHA_PRESET = {
    "企业名称": "name", "统一社会信用代码": "uscc", "所属省份": "province", "所属城市": "city",
    "所属区县": "county", "注册资本": "registered_capital", "所属行业": "industry", "参保人数": "employees",
    "股票代码": "stock_code",
}


def _location(raw: dict[str, str]) -> str | None:
    code = (raw.get("division_code") or "").strip()
    if code:
        return lookup.normalise_code(code)
    return _resolve(raw.get("province", ""), raw.get("city", ""), raw.get("county", ""))


@lru_cache(maxsize=8192)
def _region(code: str, home: str) -> tuple[str | None, bool]:
    """Cluster and local flag of a division code for a home city (few distinct codes: cached)."""
    match = lookup.cluster_of(code)
    return (match.cluster if match else None), lookup.is_local(code, home)


@lru_cache(maxsize=8192)
def _resolve(province: str, city: str, county: str) -> str | None:
    return names.resolve(province, city, county)


@lru_cache(maxsize=8192)
def _industry(text: str) -> str | None:
    """A GB/T 4754 code from a code or an exact name (files repeat a few names: cached)."""
    text = (text or "").strip()
    if not text:
        return None
    found = lookup.industry(text)
    if found is None:
        exact = [i for i in lookup.find_industries(text, limit=5) if i.name == text]
        if len(exact) != 1:
            raise ValueError(f"unknown industry {text}")
        found = exact[0]
    return found.code


class CompanyImport(ImportKind):
    key = "companies"
    label = _l("Companies")
    fields = FIELDS
    model = Company
    presets = {"企查查/天眼查导出": QICHACHA_PRESET}

    def _clean(self, raw: dict[str, str], home: str) -> tuple[dict[str, Any], list[dict]]:
        """Clean the cells a row carries; blank cells are left out so updates keep what they don't give."""
        given = {k: v.strip() for k, v in raw.items() if v and v.strip()}
        errors: list[dict] = []
        name = given.get("name", "")
        if not name:
            errors.append({"field": "name", "message": str(_l("A company needs a name."))})
        data: dict[str, Any] = {"name": name[:200], "name_norm": normalise_name(name) if name else "",
                                "name_initials": initials(name)}
        if "short_name" in given:
            data["short_name"] = given["short_name"][:60]
        if "uscc" in given:
            code = clean_uscc(given["uscc"])
            problem = uscc_problem(code) if code else None
            if problem:
                errors.append({"field": "uscc", "message": f"{code}: {problem}"})
            data["uscc"] = code
        if "stock_code" in given:
            data["stock_code"] = given["stock_code"][:16]
        if given.keys() & LOCATION_FIELDS:
            try:
                location = _location(given)
            except ValueError as exc:
                errors.append({"field": "division_code", "message": str(exc)})
                location = None
            data["province_code"] = location[:2] if location else None
            data["city_code"] = location[:4] if location and len(location) >= 4 else None
            data["county_code"] = location if location and len(location) == 6 else None
            data["cluster"], data["is_local"] = _region(location, home) if location else (None, False)
        if "industry" in given:
            try:
                data["industry_code"] = _industry(given["industry"])
            except ValueError as exc:
                errors.append({"field": "industry", "message": str(exc)})
        for key in MONEY_COLUMNS:
            if key in given:
                try:
                    amount = values.amount_wan(given[key])
                except values.ValueProblem as exc:
                    errors.append({"field": key, "message": str(exc)})
                else:
                    data[key] = str(amount) if amount is not None else None
        if "employees" in given:
            try:
                data["employees"] = values.integer(given["employees"])
            except values.ValueProblem as exc:
                errors.append({"field": "employees", "message": str(exc)})
        for key in FLAGS:
            if key in given:
                try:
                    data[key] = values.flag(given[key])
                except values.ValueProblem as exc:
                    errors.append({"field": key, "message": str(exc)})
        if "notes" in given:
            data["notes"] = given["notes"][:4000]
        return data, errors

    def prepare_chunk(self, session: Session, rows: list[dict[str, str]]) -> list[Prepared]:
        home = get_setting(session, "home_city_code")
        cleaned = [self._clean(raw, home) for raw in rows]
        codes = {d["uscc"] for d, _e in cleaned if d.get("uscc")}
        norms = {d["name_norm"] for d, _e in cleaned if d.get("name_norm")}
        by_code = {}
        if codes:
            stmt = select(Company.uscc, Company.id).where(Company.uscc.in_(codes))
            by_code = {code: cid for code, cid in session.execute(stmt)}
        by_name: dict[str, list[tuple[int, str | None, str | None]]] = {}
        if norms:
            for cid, norm, county, city in session.execute(
                    select(Company.id, Company.name_norm, Company.county_code, Company.city_code)
                    .where(Company.name_norm.in_(norms))):
                by_name.setdefault(norm, []).append((cid, county, city))
        out = []
        for data, errors in cleaned:
            location = data.get("county_code") or data.get("city_code")
            key = ("uscc", data["uscc"]) if data.get("uscc") else ("name", data.get("name_norm"), location)
            target = by_code.get(data.get("uscc")) if data.get("uscc") else None
            if target is None:
                for cid, county, city in by_name.get(data.get("name_norm"), []):
                    if location in (county, city) or (location is None and county is None and city is None):
                        target = cid
                        break
            if errors:
                out.append(Prepared("error", data, key, target, errors))
            else:
                out.append(Prepared("update" if target else "create", data, key, target))
        return out

    def apply(self, session: Session, actor, batch) -> dict:
        updated = self._apply_updates(session, actor, batch)
        # New companies go in with one INSERT … SELECT from the staged rows: the database reads the
        # JSON it stored at staging, and no row makes a round trip through Python.
        data = ImportRow.data
        now = utcnow()
        columns: dict[str, Any] = {key: data[key].as_string() for key in TEXT_COLUMNS}
        # Rows staged before the initials existed carry none: '' keeps the NOT NULL column valid.
        columns["name_initials"] = func.coalesce(columns["name_initials"], "")
        columns.update({key: cast(data[key].as_string(), Company.__table__.c[key].type) for key in MONEY_COLUMNS})
        columns["employees"] = data["employees"].as_integer()
        columns.update({key: func.coalesce(data[key].as_boolean(), false()) for key in (*FLAGS, "is_local")})
        columns.update({
            "batch_id": literal(batch.batch_key), "version_id": literal(1),
            "owner_unit_id": literal(actor.unit_id), "owner_id": literal(actor.id),
            "created_at": literal(now, DateTime(timezone=True)), "updated_at": literal(now, DateTime(timezone=True)),
        })
        staged = (select(*columns.values())
                  .where(ImportRow.batch_id == batch.id, ImportRow.action == "create")
                  .order_by(ImportRow.row_no))
        statement = insert(Company.__table__).from_select(list(columns), staged)
        # psycopg reports -1 for INSERT … SELECT unless SQLAlchemy is asked to keep the count.
        result = session.connection().execute(statement.execution_options(preserve_rowcount=True))
        session.flush()
        return {"created": result.rowcount, "updated": updated}

    def _apply_updates(self, session: Session, actor, batch) -> int:
        rows = session.execute(select(ImportRow.id, ImportRow.data, ImportRow.target_id)
                               .where(ImportRow.batch_id == batch.id, ImportRow.action == "update")
                               .order_by(ImportRow.row_no)).all()
        for row_id, data, target_id in rows:
            company = session.get(Company, target_id)
            if company is None:
                raise DomainError(_l("A company matched in the dry run was deleted since; check the file again."))
            before = {k: audit._text(getattr(company, k)) for k in data if k != "name_norm"}
            with audit.tracked_update(session, actor, company):
                for key, value in _for_db(data).items():
                    setattr(company, key, value)
            session.execute(ImportRow.__table__.update().where(ImportRow.id == row_id)
                            .values(before=before, version_after=company.version_id))
        return len(rows)

    def revert(self, session: Session, actor, batch, *, force: bool) -> dict:
        created = list(session.execute(select(Company.id, Company.name, Company.version_id)
                                       .where(Company.batch_id == batch.batch_key)))
        ids = [c.id for c in created]
        referenced = _referenced(session, ids)
        changed = [c for c in created if c.version_id > 1]
        updates = list(session.execute(select(ImportRow.target_id, ImportRow.before, ImportRow.version_after,
                                              ImportRow.row_no)
                                       .where(ImportRow.batch_id == batch.id, ImportRow.action == "update",
                                              ImportRow.before.is_not(None))))
        companies = {c.id: c for c in session.scalars(select(Company).where(
            Company.id.in_([u.target_id for u in updates])))} if updates else {}
        changed_updates = [u for u in updates if u.target_id in companies
                           and companies[u.target_id].version_id != u.version_after]
        blocked = [f"{c.name} (#{c.id})" for c in changed if not force] + \
                  [f"{companies[u.target_id].name} (#{u.target_id}, row {u.row_no})" for u in changed_updates
                   if not force] + [f"{c.name} (#{c.id})" for c in created if c.id in referenced]
        if blocked:
            raise DomainError(_l("%(n)s rows changed or gained records after the import: %(rows)s",
                                 n=len(blocked), rows="; ".join(blocked[:20])))
        for u in updates:
            company = companies.get(u.target_id)
            if company is None:
                continue
            with audit.tracked_update(session, actor, company):
                for key, value in u.before.items():
                    setattr(company, key, _typed(key, value))
        for start in range(0, len(ids), 1000):
            session.execute(delete(Company).where(Company.id.in_(ids[start:start + 1000])))
        session.flush()
        return {"deleted": len(ids), "restored": len(updates)}


def _typed(key: str, text: str | None):
    """A staged or remembered text value back in the column's Python type."""
    if text is None:
        return None
    kind = Company.__table__.c[key].type.python_type
    if kind is bool:
        return text in ("1", True)
    if kind in (int, Decimal):
        return kind(text)
    return text


def _for_db(data: dict[str, Any]) -> dict[str, Any]:
    return {k: _typed(k, v) if k in ("registered_capital", "revenue") else v for k, v in data.items()}


def _referenced(session: Session, ids: list[int]) -> set[int]:
    """Created companies that other records point at (they cannot simply be deleted)."""
    found: set[int] = set()
    columns = (Contact.company_id, Lead.company_id, Project.company_id, Interaction.company_id, Signing.company_id,
               Delegation.company_id, CompanySegment.company_id, SupplyLink.supplier_id, SupplyLink.buyer_id,
               Company.parent_id)
    for start in range(0, len(ids), 1000):
        part = ids[start:start + 1000]
        for column in columns:
            found |= set(session.scalars(select(column).where(column.in_(part))))
    return found


register_import(CompanyImport())
