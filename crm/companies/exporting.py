"""The company export: Chinese headers, the list's filters, the user's scope."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select

from crm.core.errors import DomainError
from crm.exports.registry import ExportKind, register_export
from crm.files.writers import Column
from crm.models import Company
from crm.refdata import lookup
from crm.security.scope import Scope

FLAG_COLUMNS = (("world500", "世界500强"), ("china500", "中国500强"), ("private500", "民营500强"),
                ("listed", "上市"), ("specialized", "专精特新"), ("central_soe", "央企"), ("provincial_soe", "省属国企"))


def filter_conditions(args: Mapping[str, str]) -> list:
    """Conditions for the company list filters (shared by the list page and the export)."""
    conditions = []
    q = (args.get("q") or "").strip()[:100]
    if q:
        like = f"%{q}%"
        conditions.append(or_(Company.name.like(like), Company.short_name.like(like), Company.uscc == q.upper()))
    local = args.get("local")
    if local:
        if local not in ("1", "0"):
            raise DomainError(_l("Unknown value for %(p)s.", p="local"))
        conditions.append(Company.is_local.is_(local == "1"))
    cluster = args.get("cluster")
    if cluster:
        if cluster not in lookup.CLUSTERS:
            raise DomainError(_l("Unknown value for %(p)s.", p="cluster"))
        conditions.append(Company.cluster == cluster)
    for key, column, size in (("province", Company.province_code, 2), ("city", Company.city_code, 4)):
        value = args.get(key)
        if value:
            if not (value.isdigit() and len(value) == size):
                raise DomainError(_l("Unknown value for %(p)s.", p=key))
            conditions.append(column == value)
    industry = (args.get("industry") or "").strip().upper()
    if industry:
        if not industry.isalnum() or len(industry) > 5:
            raise DomainError(_l("Unknown value for %(p)s.", p="industry"))
        conditions.append(Company.industry_code.like(f"{industry}%"))
    for key, _label in FLAG_COLUMNS:
        if args.get(key) == "1":
            conditions.append(getattr(Company, key).is_(True))
    return conditions


class CompanyExport(ExportKind):
    key = "companies"
    label = "企业库"
    filename = "companies"
    columns = (
        Column("企业名称", width=36), Column("简称", width=14), Column("统一社会信用代码", width=22),
        Column("股票代码", width=10), Column("省份", width=10), Column("城市", width=10), Column("区县", width=10),
        Column("所属区域", width=14), Column("本地企业", "bool", 9), Column("行业代码", width=9),
        Column("行业名称", width=24), Column("注册资本（万元）", "money", 16), Column("营业收入（万元）", "money", 16),
        Column("从业人数", "int", 10), *(Column(label, "bool", 9) for _k, label in FLAG_COLUMNS),
        Column("创建时间", "datetime", 17),
    )

    def statement(self, scope: Scope, args: Mapping[str, str]) -> Select:
        return (select(Company.name, Company.short_name, Company.uscc, Company.stock_code, Company.province_code,
                       Company.city_code, Company.county_code, Company.cluster, Company.is_local, Company.industry_code,
                       Company.registered_capital, Company.revenue, Company.employees,
                       *(getattr(Company, k) for k, _l in FLAG_COLUMNS), Company.created_at)
                .where(scope.condition(Company), *filter_conditions(args))
                .order_by(Company.name, Company.id))

    def rows(self, result: Iterable) -> Iterator[tuple]:
        names = _division_names()
        industries = _industry_names()
        clusters = dict(lookup.CLUSTERS)
        for r in result:
            yield (r[0], r[1], r[2], r[3], names.get(r[4]), names.get(r[5]), names.get(r[6]), clusters.get(r[7]),
                   r[8], r[9], industries.get(r[9]), *r[10:])


def _division_names() -> dict[str, str]:
    return {d.code: d.name for d in lookup.divisions()}


def _industry_names() -> dict[str, str]:
    return {i.code: i.name for i in lookup.industries()}


register_export(CompanyExport())
