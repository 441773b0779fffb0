"""The problems export (问题清单, also the overdue list): Chinese headers, the list's filters, the user's scope."""
from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, select
from sqlalchemy.orm import aliased

from crm.core.errors import DomainError
from crm.exports.registry import ExportKind, register_export
from crm.extensions import db
from crm.files.writers import Column
from crm.models import Problem, Project, ProjectLeader, Unit, User
from crm.problems import listing
from crm.security.scope import Scope

STATUSES = {"raised": "已提出", "assigned": "已交办", "handling": "办理中", "answered": "已反馈", "closed": "已销号"}
LEVELS = {"county": "县级", "city": "市级", "province": "省级"}
KINDS = {"land": "用地", "funds": "资金", "approval": "手续", "energy": "能耗与电力", "environment": "环保",
         "labour": "用工", "other": "其他"}


class ProblemExport(ExportKind):
    key = "problems"
    label = "问题清单"
    filename = "problems"
    columns = (
        Column("项目名称", width=32), Column("问题", width=36), Column("问题类型", width=10, safe=True),
        Column("层级", width=8, safe=True), Column("状态", width=8, safe=True), Column("责任单位", width=16, safe=True),
        Column("责任人", width=12), Column("交办单位", width=16, safe=True), Column("来源会议", width=24),
        Column("办结时限", "date", 12), Column("是否逾期", width=8, safe=True), Column("包联领导", width=20),
    )

    def statement(self, scope: Scope, args: Mapping[str, str], fmt: str = "xlsx") -> Select:
        try:
            filters = listing.filters_from_args(args)
        except listing.BadFilter as bad:
            raise DomainError(_l("Parameter %(name)s does not accept %(value)s.", name=bad.name,
                                 value=bad.raw[:40])) from None
        resp, assigning = aliased(Unit), aliased(Unit)
        stmt = (select(Project.name, Problem.title, case(KINDS, value=Problem.kind, else_=""),
                       case(LEVELS, value=Problem.level), case(STATUSES, value=Problem.status), resp.name,
                       Problem.resp_person, assigning.name, Problem.source_meeting, Problem.deadline,
                       case((listing.overdue_condition(filters.today), "是"), else_="否"), Problem.project_id)
                .select_from(Problem)
                .join(Project, Project.id == Problem.project_id)
                .outerjoin(resp, resp.id == Problem.resp_unit_id)
                .outerjoin(assigning, assigning.id == Problem.assigning_unit_id))
        return listing.where_filters(stmt, filters, scope.condition(Problem)).order_by(
            resp.name, Problem.deadline, Problem.id)

    def rows(self, result):
        result = list(result)
        ids = {row[-1] for row in result}
        leaders: dict[int, list[str]] = {}
        if ids:
            stmt = (select(ProjectLeader.project_id, User.name).join(User, User.id == ProjectLeader.user_id)
                    .where(ProjectLeader.project_id.in_(ids)).order_by(User.name))
            for project_id, name in db.session.execute(stmt):
                leaders.setdefault(project_id, []).append(name)
        for row in result:
            yield (*row[:-1], "、".join(leaders.get(row[-1], ())))


register_export(ProblemExport())
