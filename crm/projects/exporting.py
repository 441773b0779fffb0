"""The project export: Chinese headers, the list page's filters and order, the user's scope."""
from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, Select, case, type_coerce
from sqlalchemy.orm import aliased

from crm.core.errors import DomainError
from crm.exports.registry import ExportKind, register_export
from crm.files.writers import Column
from crm.models import Company, Project, ProjectYear, Segment, Unit
from crm.projects import listing
from crm.security.scope import Scope

SOURCES = {"attraction": "招商引资", "government": "政府投资", "enterprise": "企业自主", "assigned": "上级下达"}
CATEGORIES = {"industry": "产业", "infrastructure": "基础设施", "livelihood": "社会民生", "ecology": "生态"}
NATURES = {"new": "新建", "expand": "扩建", "rebuild": "改建"}
STAGES = {"signed": "签约", "registered": "注册", "started": "开工", "completed": "竣工", "producing": "投产",
          "effective": "达效", "paused": "暂缓", "ended": "终止"}
PLAN_LISTS = {"new": "新开工", "continuing": "续建", "preparing": "前期"}


class ProjectExport(ExportKind):
    key = "projects"
    label = "重点项目"
    filename = "projects"
    columns = (
        Column("投资项目代码", width=26, safe=True), Column("项目名称", width=36), Column("项目来源", width=10, safe=True),
        Column("项目类别", width=10, safe=True), Column("建设性质", width=8, safe=True),
        Column("责任单位", width=16, safe=True), Column("属地", width=16, safe=True),
        Column("业主单位", width=30), Column("产业链环节", width=16, safe=True),
        Column("总投资（万元）", "money", 14), Column("开工年份", "int", 8), Column("竣工年份", "int", 8),
        Column("当前阶段", width=8, safe=True), Column("计划开工日期", "date", 12), Column("计划竣工日期", "date", 12),
        Column("计划投产日期", "date", 12), Column("计划清单", width=8, safe=True),
        Column("年度计划投资（万元）", "money", 16), Column("是否逾期", width=8, safe=True), Column("建设内容", width=40),
    )

    def statement(self, scope: Scope, args: Mapping[str, str], fmt: str = "xlsx") -> Select:
        try:
            filters = listing.filters_from_args(args)
        except listing.BadFilter as bad:
            raise DomainError(_l("Parameter %(name)s does not accept %(value)s.", name=bad.name,
                                 value=bad.raw[:40])) from None
        resp, location = aliased(Unit), aliased(Unit)
        year = filters.year or filters.today.year
        membership = aliased(ProjectYear)
        return (listing.project_query(filters, scope.condition(Project))
                .with_only_columns(
                    Project.code, Project.name, case(SOURCES, value=Project.source),
                    case(CATEGORIES, value=Project.category), case(NATURES, value=Project.nature),
                    resp.name, location.name, Company.name, Segment.name,
                    type_coerce(Project.total_investment, Float), Project.start_year, Project.end_year,
                    case(STAGES, value=Project.stage), Project.planned_start_on, Project.planned_complete_on,
                    Project.planned_production_on, case(PLAN_LISTS, value=membership.plan_list),
                    type_coerce(membership.planned_investment, Float),
                    case((listing.overdue_condition(filters.today), "是"), else_="否"), Project.content)
                .select_from(Project)
                .outerjoin(resp, resp.id == Project.resp_unit_id)
                .outerjoin(location, location.id == Project.location_unit_id)
                .outerjoin(Company, Company.id == Project.company_id)
                .outerjoin(Segment, Segment.id == Project.segment_id)
                .outerjoin(membership, (membership.project_id == Project.id) & (membership.year == year)))


register_export(ProjectExport())
