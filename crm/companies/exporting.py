"""The company export: Chinese headers, the list page's filters and order, the user's scope."""
from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, Select, case, type_coerce
from sqlalchemy.orm import aliased

from crm.companies.listing import BadFilter, company_query, filters_from_args
from crm.core.errors import DomainError
from crm.exports.registry import ExportKind, register_export
from crm.exports.sqlformat import local_minute_text, money_text
from crm.files.writers import Column
from crm.models import Company, Division, Industry
from crm.refdata import lookup
from crm.security.scope import Scope

FLAG_COLUMNS = (("world500", "世界500强"), ("china500", "中国500强"), ("private500", "民营500强"),
                ("listed", "上市"), ("specialized", "专精特新"), ("central_soe", "央企"), ("provincial_soe", "省属国企"))


class CompanyExport(ExportKind):
    key = "companies"
    label = "企业库"
    filename = "companies"
    columns = (
        Column("企业名称", width=36), Column("简称", width=14), Column("统一社会信用代码", width=22, safe=True),
        Column("股票代码", width=10), Column("省份", width=10, safe=True), Column("城市", width=10, safe=True),
        Column("区县", width=10, safe=True), Column("所属区域", width=14, safe=True),
        Column("本地企业", width=9, safe=True), Column("行业代码", width=9, safe=True),
        Column("行业名称", width=24, safe=True), Column("注册资本（万元）", "money", 16),
        Column("营业收入（万元）", "money", 16), Column("从业人数", "int", 10),
        *(Column(label, width=9, safe=True) for _k, label in FLAG_COLUMNS),
        Column("创建时间", "datetime", 17),
    )

    csv_formatted_in_sql = frozenset({"money", "datetime"})

    def statement(self, scope: Scope, args: Mapping[str, str], fmt: str = "xlsx") -> Select:
        try:
            filters = filters_from_args(args)
        except BadFilter as bad:
            raise DomainError(_l("Parameter %(name)s does not accept %(value)s.", name=bad.name,
                                 value=bad.raw[:40])) from None
        # The list page's own query ("export what I see"), reading only the exported columns; names of
        # divisions, industries and clusters come from the reference tables in the same statement.
        province, city, county = aliased(Division), aliased(Division), aliased(Division)
        cluster = case({key: name for key, name in lookup.CLUSTERS.items()}, value=Company.cluster)
        if fmt == "csv":  # finished text from the database: no per-cell conversion in Python
            capital, revenue = money_text(Company.registered_capital), money_text(Company.revenue)
            created = local_minute_text(Company.created_at)
        else:  # Floats, not Decimals: the writer stores them as they are (Decimal conversion cost a tenth)
            capital = type_coerce(Company.registered_capital, Float)
            revenue, created = type_coerce(Company.revenue, Float), Company.created_at
        return (company_query(filters, scope.condition(Company))
                .with_only_columns(
                    Company.name, Company.short_name, Company.uscc, Company.stock_code, province.name, city.name,
                    county.name, cluster, _yes_no(Company.is_local), Company.industry_code, Industry.name,
                    capital, revenue, Company.employees,
                    *(_yes_no(getattr(Company, k)) for k, _label in FLAG_COLUMNS), created)
                .select_from(Company)
                .outerjoin(province, province.code == Company.province_code)
                .outerjoin(city, city.code == Company.city_code)
                .outerjoin(county, county.code == Company.county_code)
                .outerjoin(Industry, Industry.code == Company.industry_code))


def _yes_no(column):
    """是 / 否 computed by the database, the same for CSV and XLSX."""
    return case((column.is_(True), "是"), else_="否")


register_export(CompanyExport())
