"""The input requests export (要素保障申请): Chinese headers, the request list's filters, the user's scope."""
from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, func, select

from crm.core.errors import DomainError
from crm.exports.registry import ExportKind, register_export
from crm.extensions import db
from crm.factors import listing
from crm.factors.rules import KIND_NAMES_ZH, STATUS_NAMES_ZH, UNIT_NAMES_ZH
from crm.files.writers import Column
from crm.models import FactorRequest, Project, Unit
from crm.security.scope import Scope, unit_subtree


class FactorRequestExport(ExportKind):
    key = "factors"
    label = "要素保障申请"
    filename = "factor-requests"
    columns = (
        Column("项目名称", width=32), Column("责任单位", width=16, safe=True), Column("年度", "int", 6),
        Column("要素类别", width=20, safe=True), Column("计量单位", width=12, safe=True),
        Column("申请量", "money", 12), Column("已保障", "money", 12), Column("待保障", "money", 12),
        Column("状态", width=10, safe=True), Column("申请日期", "date", 12), Column("用途说明", width=36),
        Column("不予保障原因", width=30),
    )

    def statement(self, scope: Scope, args: Mapping[str, str], fmt: str = "xlsx") -> Select:
        try:
            filters = listing.filters_from_args(args)
        except listing.BadFilter as bad:
            raise DomainError(_l("Parameter %(name)s does not accept %(value)s.", name=bad.name,
                                 value=bad.raw[:40])) from None
        if filters.unit is not None:
            filters.unit_ids = unit_subtree(db.session, filters.unit)
        allocated = listing.allocated_per_request().subquery()
        given = func.coalesce(allocated.c.allocated, 0)
        left = case((FactorRequest.status == "refused", 0), else_=FactorRequest.amount - given)
        stmt = (select(Project.name, Unit.name, FactorRequest.year, case(KIND_NAMES_ZH, value=FactorRequest.kind),
                       case(UNIT_NAMES_ZH, value=FactorRequest.kind), FactorRequest.amount, given, left,
                       case(STATUS_NAMES_ZH, value=FactorRequest.status), FactorRequest.requested_on,
                       FactorRequest.purpose, FactorRequest.refusal_reason)
                .select_from(FactorRequest)
                .join(Project, Project.id == FactorRequest.project_id)
                .outerjoin(Unit, Unit.id == Project.resp_unit_id)
                .outerjoin(allocated, allocated.c.request_id == FactorRequest.id))
        return listing.where_filters(stmt, filters, scope.condition(FactorRequest)).order_by(
            FactorRequest.kind, Unit.name, Project.name, FactorRequest.id)


register_export(FactorRequestExport())
