"""Project import: the provincial 台账 columns, upserting on the 投资项目代码.

Every row needs a valid code: a code already known updates that project (field by field through
the ORM, previous values kept for a revert), a new code creates one through the same service as the
form. Source, category and nature are read from their Chinese words; units by exact name, the owner
company by exact name or credit code. Updates are limited to projects the importing user may see.
Amounts, years and the planned dates (a month is enough: 2022年6月 is stored as 2022-06-01) arrive
normalised by the import core (crm.files.normalise, docs/IMPORTS.md).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from crm.audit import service as audit
from crm.core.errors import DomainError
from crm.files import values
from crm.imports.registry import Field, ImportKind, Prepared, register_import
from crm.models import Company, ImportRow, Project, ProjectStageChange, Unit
from crm.projects import services
from crm.projects.exporting import CATEGORIES, NATURES, SOURCES
from crm.projects.rules import clean_code, code_problem
from crm.security.scope import scope_for

FIELDS = (
    Field("code", _l("Investment project code (投资项目代码)"), ("投资项目代码", "项目代码", "项目编码"), required=True),
    Field("name", _l("Project name"), ("项目名称", "名称")),
    Field("source", _l("Source"), ("项目来源", "来源")),
    Field("category", _l("Category"), ("项目类别", "类别", "项目类型")),
    Field("nature", _l("Nature of construction (建设性质)"), ("建设性质",)),
    Field("resp_unit", _l("Responsible unit (责任单位)"), ("责任单位",)),
    Field("location_unit", _l("Location unit (属地)"), ("属地", "所属县区", "县区")),
    Field("company", _l("Owner company (业主)"), ("业主单位", "项目业主", "建设单位")),
    Field("total_investment", _l("Total investment (10k yuan)"), ("总投资", "计划总投资", "项目总投资"), kind="money"),
    Field("start_year", _l("Start year"), ("开工年份", "建设起始年"), kind="year"),
    Field("end_year", _l("End year"), ("竣工年份", "建设终止年"), kind="year"),
    # Planned dates: a month is a complete answer for a plan, so 2022年6月 is stored as 2022-06-01.
    Field("planned_start_on", _l("Planned start of works (a month is enough)"),
          ("计划开工时间", "计划开工日期", "计划开工"), kind="month"),
    Field("planned_complete_on", _l("Planned completion (a month is enough)"),
          ("计划竣工时间", "计划竣工日期", "计划竣工"), kind="month"),
    Field("planned_production_on", _l("Planned start of production (a month is enough)"),
          ("计划投产时间", "计划投产日期", "计划投产"), kind="month"),
    Field("content", _l("Construction content (建设内容)"), ("建设内容", "建设规模及内容", "主要建设内容")),
)
WORDS = {"source": {v: k for k, v in SOURCES.items()}, "category": {v: k for k, v in CATEGORIES.items()},
         "nature": {v: k for k, v in NATURES.items()}}
CREATE_NEEDS = ("name", "source", "category", "resp_unit_id")
DATES = ("planned_start_on", "planned_complete_on", "planned_production_on")


def _dates(data: dict[str, Any]) -> dict[str, Any]:
    """The staged row with its ISO date texts as dates, for the project services."""
    return {k: (dt.date.fromisoformat(v) if k in DATES and v else v) for k, v in data.items()}


class ProjectImport(ImportKind):
    key = "projects"
    label = _l("Projects")
    fields = FIELDS
    model = Project

    def _clean(self, session: Session, raw: dict[str, str], units: dict[str, int]) -> tuple[dict, list[dict]]:
        given = {k: v.strip() for k, v in raw.items() if v and v.strip()}
        errors: list[dict] = []
        code = clean_code(given.get("code"))
        data: dict[str, Any] = {"code": code}
        if not code:
            errors.append({"field": "code", "message": str(_l("A project row needs its investment project code."))})
        elif code_problem(code):
            errors.append({"field": "code", "message": f"{code}: {code_problem(code)}"})
        for key in ("name", "content"):
            if key in given:
                data[key] = given[key][:200 if key == "name" else 4000]
        for key, words in WORDS.items():
            if key in given:
                if given[key] in words:
                    data[key] = words[given[key]]
                else:
                    errors.append({"field": key, "message": str(_l("%(value)s is not one of: %(choices)s",
                                                                   value=given[key], choices="、".join(words)))})
        for key in ("resp_unit", "location_unit"):
            if key in given:
                if given[key] in units:
                    data[f"{key}_id"] = units[given[key]]
                else:
                    errors.append({"field": key, "message": str(_l("No unit is named %(name)s.", name=given[key]))})
        if "company" in given:
            found = session.scalars(select(Company.id).where(or_(Company.name == given["company"],
                                                                 Company.uscc == given["company"])).limit(2)).all()
            if len(found) == 1:
                data["company_id"] = found[0]
            else:
                errors.append({"field": "company", "message": str(_l("No single company matches %(name)s.",
                                                                     name=given["company"]))})
        # Amounts, years and dates arrive normalised by the import core (crm.files.normalise).
        for key in ("total_investment", "start_year", "end_year"):
            if key in given:
                try:
                    number = values.amount_wan(given[key]) if key == "total_investment" else values.integer(given[key])
                except values.ValueProblem as exc:
                    errors.append({"field": key, "message": str(exc)})
                else:
                    data[key] = str(number) if key == "total_investment" else number
        for key in DATES:
            if key in given:
                data[key] = given[key]  # ISO text in the staged row; a date again when applied
        return data, errors

    def prepare_chunk(self, session: Session, rows: list[dict[str, str]]) -> list[Prepared]:
        units = {name: uid for uid, name in session.execute(select(Unit.id, Unit.name))}
        cleaned = [self._clean(session, raw, units) for raw in rows]
        codes = {d["code"] for d, _e in cleaned if d.get("code")}
        known = dict(session.execute(select(Project.code, Project.id).where(Project.code.in_(codes))).all()) \
            if codes else {}
        out = []
        for data, errors in cleaned:
            target = known.get(data.get("code"))
            if target is None and not errors:
                missing = [k for k in CREATE_NEEDS if not data.get(k)]
                if missing:
                    errors.append({"field": None, "message": str(_l(
                        "A new project needs a name, source, category and responsible unit."))})
            if errors:
                out.append(Prepared("error", data, ("code", data.get("code")), target, errors))
            else:
                out.append(Prepared("update" if target else "create", data, ("code", data["code"]), target))
        return out

    def apply(self, session: Session, actor, batch) -> dict:
        rows = session.execute(select(ImportRow.id, ImportRow.action, ImportRow.data, ImportRow.target_id)
                               .where(ImportRow.batch_id == batch.id, ImportRow.action.in_(("create", "update")))
                               .order_by(ImportRow.row_no)).all()
        scope = scope_for(session, actor)
        created = updated = 0
        for row_id, action, data, target_id in rows:
            if action == "create":
                if not scope.sees_all and data.get("resp_unit_id") not in scope.unit_ids:
                    raise DomainError(_l("The project with code %(code)s would belong to another unit; it was not "
                                         "imported.", code=data.get("code")))
                services.create_project(session, actor, _dates(data), batch_id=batch.batch_key)
                created += 1
                continue
            project = session.get(Project, target_id)
            if project is None or not scope.can_see(session, project):
                raise DomainError(_l("The project with code %(code)s belongs to another unit; it was not imported.",
                                     code=data.get("code")))
            before = {k: audit._text(getattr(project, k)) for k in data if hasattr(project, k)}
            services.update_project(session, actor, project, _dates(data))
            session.execute(ImportRow.__table__.update().where(ImportRow.id == row_id)
                            .values(before=before, version_after=project.version_id))
            updated += 1
        session.flush()
        return {"created": created, "updated": updated}

    def revert(self, session: Session, actor, batch, *, force: bool) -> dict:
        created = list(session.scalars(select(Project).where(Project.batch_id == batch.batch_key)))
        changed = [p for p in created if p.version_id > 1 and not force]
        updates = session.execute(select(ImportRow.target_id, ImportRow.before, ImportRow.version_after)
                                  .where(ImportRow.batch_id == batch.id, ImportRow.action == "update",
                                         ImportRow.before.is_not(None))).all()
        projects = {u.target_id: session.get(Project, u.target_id) for u in updates}
        changed += [projects[u.target_id] for u in updates
                    if projects[u.target_id] is not None and projects[u.target_id].version_id != u.version_after
                    and not force]
        if changed:
            raise DomainError(_l("%(n)s rows changed or gained records after the import: %(rows)s",
                                 n=len(changed), rows="; ".join(f"{p.name} (#{p.id})" for p in changed[:20])))
        for u in updates:
            project = projects[u.target_id]
            if project is not None:
                with audit.tracked_update(session, actor, project):
                    for key, value in u.before.items():
                        setattr(project, key, _typed(key, value))
        ids = [p.id for p in created]
        if ids:
            session.execute(delete(ProjectStageChange).where(ProjectStageChange.project_id.in_(ids)))
            session.execute(delete(Project).where(Project.id.in_(ids)))
        session.flush()
        return {"deleted": len(ids), "restored": len(updates)}


def _typed(key: str, text: str | None):
    if text is None:
        return None
    kind = Project.__table__.c[key].type.python_type
    if kind is dt.date:
        return dt.date.fromisoformat(text)
    return kind(text) if kind is not str else text


register_import(ProjectImport())
