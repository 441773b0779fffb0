"""Import kind ``monthly_report``: a unit's filled-in 月报 back through the file core, then 报送.

The upload names the unit and the month (the reporting page fills both in). The file is recognised by
its custom properties (another 台账 or another month is refused) or, when WPS/Excel dropped them, by its
hidden key row, which also maps the columns — no mapping page (the month is then the one chosen on upload,
checked against the sheet's 截止日期 line). 总计/小计 rows are skipped by the file
core and reported. A row is matched by the hidden 系统编号 (``project_id``) AND the 投资项目代码: they
must name the same project, one of the unit's projects (its 责任单位) in the year's plan and inside the
user's scope (a project still without a code has a blank code cell). Amounts arrive normalised
(``1.2亿``, ``3,000万元``); 是否入统 reads 是/拟入统/否.

Only the columns the file has are taken; the month's other figures stay as saved (a file without the
到位资金 columns leaves the saved 到位资金 alone). The dry run lists each project's changes (old → new);
a project whose month the edit guard refuses (a round already 已报/已审/锁定) is an error, and such a
round is refused at upload already. Apply is one transaction: :func:`crm.projects.monthly.save_grid`
(guarded, audited field by field) and, when "import and send" is ticked (the default), the round's
:func:`crm.reporting.rounds.submit` — so a month that cannot be sent (a project still without its
completed investment) leaves nothing written. Unticked, the figures are saved and the round stays open.
"""
from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from crm.core.errors import DomainError
from crm.imports.registry import Field, ImportKind, Prepared, Recognised, register_import
from crm.imports.services import columns_of, options
from crm.models import ImportRow, Project, Unit, User
from crm.models.monthly import FUND_SOURCES
from crm.projects import monthly
from crm.projects.listing import local_today
from crm.projects.rules import clean_code
from crm.reporting import rounds
from crm.reporting.roundtrip import TEMPLATE, default_period, period_text, properties, sendable_units, template
from crm.security.scope import scope_for

__all__ = ["MonthlyReportImport", "TO_GRID"]

FIELDS = (
    Field("project_id", _l("System number (系统编号)"), ("系统编号",)),
    Field("code", _l("Investment project code (投资项目代码)"), ("投资项目代码", "项目代码"), required=True),
    Field("name", _l("Project name"), ("项目名称",)),
    Field("this_month", _l("Completed this month"), ("本月完成投资", "本月完成"), kind="money"),
    Field("funds_own", _l("Own funds"), ("自有资金",), kind="money"),
    Field("funds_loan", _l("Bank loans"), ("银行贷款",), kind="money"),
    Field("funds_fiscal", _l("Fiscal funds"), ("财政资金",), kind="money"),
    Field("funds_bond", _l("Special bonds"), ("专项债",), kind="money"),
    Field("funds_other", _l("Other funds"), ("其他",), kind="money"),
    Field("stats_status", _l("In statistics (入统)"), ("是否入统",)),
    Field("stats_on", _l("Date entered in statistics (入统时间)"), ("入统时间", "入统日期"), kind="date"),
    Field("progress", _l("Progress (形象进度)"), ("形象进度",)),
    Field("month_note", _l("This month (本月进展)"), ("本月进展",)),
)
#: The file's column keys → the monthly figures' fields.
TO_GRID = {"this_month": "completed", **{k: k for k in FUND_SOURCES}, "stats_status": "stats_status",
           "stats_on": "stats_on", "progress": "progress", "month_note": "note"}
FROM_GRID = {v: k for k, v in TO_GRID.items()}
_PERIOD_END = re.compile(r"截止日期[:：]\s*(\d{4})年(\d{1,2})月")
STATS_WORDS = {"是": "entered", "已入统": "entered", "入统": "entered", "拟入统": "pending", "否": "none",
               "未入统": "none", "": "none", "entered": "entered", "pending": "pending", "none": "none"}


def current_values(row) -> dict[str, str]:
    """A saved month (or none) as the texts :func:`crm.projects.monthly.parse_row` reads."""
    out = {k: "" for k in monthly.FIELDS}
    out["stats_status"] = "none"
    if row is not None:
        for key in monthly.FIELDS:
            value = getattr(row, key)
            if value is not None:
                out[key] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return out


def _shown(values: dict[str, Any]) -> dict[str, str]:
    parsed, _bad = monthly.parse_row(values)
    return {k: "" if parsed[k] is None else str(parsed[k]) for k in monthly.FIELDS}


class MonthlyReportImport(ImportKind):
    key = "monthly_report"
    label = _l("Monthly report (月报 of a unit)")
    fields = FIELDS
    model = Project
    same_key_message = _l("The same project as row %(n)s.")
    upload_template = "reporting/_import_upload.html"
    stage_on_upload = True
    apply_options = (("send", _l("Import and send (报送) the month's report"), True),)

    # --- upload ---------------------------------------------------------------------------------------

    def upload_context(self, session: Session, actor, args) -> dict:
        year, month = default_period(local_today())
        units = sendable_units(session, actor)
        return {"units": units, "year": _int(args.get("year"), year), "month": _int(args.get("month"), month),
                "unit_id": _int(args.get("unit_id"), units[0][0] if units else None)}

    def read_upload(self, session: Session, actor, form) -> dict:
        unit_id, year, month = _int(form.get("unit_id")), _int(form.get("year")), _int(form.get("month"))
        if year is None or month is None or not 2000 <= year <= 2100 or not 1 <= month <= 12:
            raise DomainError(_l("Choose a year between 2000 and 2100 and a month from 1 to 12."), "year")
        unit = session.get(Unit, unit_id) if unit_id else None
        scope = scope_for(session, actor)
        if unit is None or not (scope.sees_all or unit.id in scope.unit_ids) or \
                not rounds.may_send(session, actor, unit.id):
            raise DomainError(_l("You may not send this unit's report."), "unit_id")
        return {"unit_id": unit.id, "year": year, "month": month}

    def recognise(self, session: Session, actor, table, data: bytes, opts: dict) -> Recognised:
        year, month, unit = opts["year"], opts["month"], session.get(Unit, opts["unit_id"])
        props = properties(data)
        found = props.get("chaincrm_template")
        if found and found != TEMPLATE:
            from crm.ledgers import service as ledgers
            other = ledgers.templates().get(found)
            raise DomainError(_l("This file is the ledger %(name)s, not the 月报: download the unit's month from "
                                 "the reporting page and fill that in.", name=other.name if other else found), "file")
        period = props.get("chaincrm_period") or _meta_period(table.preamble)
        if period and period != f"{year:04d}-{month:02d}":
            shown = period_text(int(period[:4]), int(period[5:])) if period[:4].isdigit() and \
                period[5:].isdigit() else period
            raise DomainError(_l("This file is the report of %(file)s, not of %(chosen)s: choose its month, or "
                                 "download the month being reported.", file=shown,
                                 chosen=period_text(year, month)), "file")
        keys = set(table.keys or ())
        if table.keys and not {"code", "project_id"} <= keys:
            raise DomainError(_l("This file is another ledger, not the 月报: its columns are not the report's."),
                              "file")
        if not found and not table.keys:
            raise DomainError(_l("This file is not a 月报 downloaded from ChainCRM (its hidden key row is "
                                 "missing): download the unit's month from the reporting page and fill that in."),
                              "file")
        status = rounds.status_of(session, unit.id, year, month)
        if status not in rounds.OPEN:
            raise DomainError(_l("The report of %(unit)s for %(period)s is %(status)s: the reviewer must return it "
                                 "before figures can be imported.", unit=unit.name, period=period_text(year, month),
                                 status=rounds.STATUS_LABELS[status]), "file")
        return Recognised({"properties": bool(found), "template": TEMPLATE})

    # --- dry run --------------------------------------------------------------------------------------

    def prepare_chunk(self, session: Session, rows: list[dict[str, str]]) -> list[Prepared]:
        raise DomainError(_l("A monthly report is checked within its import."))

    def prepare_rows(self, session: Session, batch, rows: list[dict[str, str]]) -> list[Prepared]:
        opts = options(batch)
        unit_id, year, month = opts["unit_id"], opts["year"], opts["month"]
        unit = session.get(Unit, unit_id)
        actor = session.get(User, batch.user_id)
        mapped = set(columns_of(batch).values()) & set(TO_GRID)
        ids = {int(r["project_id"]) for r in rows if str(r.get("project_id") or "").strip().isdigit()}
        codes = {clean_code(r.get("code")) for r in rows if r.get("code")}
        known = session.execute(select(Project.id, Project.code, Project.name).where(
            or_(Project.id.in_(sorted(ids) or [0]), Project.code.in_(sorted(c for c in codes if c) or [""])))).all()
        by_id = {pid: (code, name) for pid, code, name in known}
        by_code = {code: pid for pid, code, _name in known if code}
        plan = set(rounds.unit_project_ids(session, unit_id, year))
        scope = scope_for(session, actor)
        mine = {p.id for p, _m in monthly.grid_projects(session, scope, year, [unit_id], only=plan)} if plan else set()
        matched = [self._match(r, by_id, by_code) for r in rows]
        saved = monthly.months_of(session, [pid for pid, _e in matched if pid], year, month)
        refused = monthly.edit_refusals(session, [pid for pid, _e in matched if pid], year, month)
        out = []
        for raw, (pid, errors) in zip(rows, matched):
            data: dict[str, Any] = {"project_id": pid, "code": clean_code(raw.get("code")) or None,
                                    "name": by_id[pid][1] if pid in by_id else (raw.get("name") or "")[:200]}
            if pid is not None and pid not in mine:
                errors.append({"field": "code", "message": str(_l(
                    "%(name)s is not one of %(unit)s's projects in the %(year)s plan (the unit responsible for it "
                    "reports it).", name=data["name"], unit=unit.name, year=year))})
            if pid in refused:
                errors.append({"field": None, "message": str(refused[pid])})
            if errors:
                out.append(Prepared("error", data, None, pid, errors))
                continue
            out.append(self._figures(raw, data, pid, saved.get(pid), mapped))
        return out

    @staticmethod
    def _match(raw: dict[str, str], by_id: dict, by_code: dict) -> tuple[int | None, list[dict]]:
        given_id = str(raw.get("project_id") or "").strip()
        code = clean_code(raw.get("code"))
        if not given_id:  # a row typed in by hand: the code alone finds the project
            if not code:
                return None, [{"field": "code", "message": str(_l(
                    "A project row needs its investment project code."))}]
            pid = by_code.get(code)
            if pid is None:
                return None, [{"field": "code", "message": str(_l("No project has the code %(code)s.", code=code))}]
            return pid, []
        if not given_id.isdigit() or int(given_id) not in by_id:
            return None, [{"field": "project_id", "message": str(_l("No project has the system number %(id)s.",
                                                                    id=given_id))}]
        pid = int(given_id)
        if (by_id[pid][0] or "") != (code or ""):  # a project still without a code: both blank
            return None, [{"field": "code", "message": str(_l(
                "The system number %(id)s is the project %(name)s (code %(known)s), not the code %(code)s of this "
                "row: the row was changed by hand.", id=pid, name=by_id[pid][1], known=by_id[pid][0] or "—",
                code=code))}]
        return pid, []

    @staticmethod
    def _figures(raw: dict[str, str], data: dict, pid: int, row, mapped: set[str]) -> Prepared:
        before = current_values(row)
        values = dict(before)
        errors = []
        for key in mapped:
            text = str(raw.get(key) or "").strip()
            if key == "stats_status":
                if text not in STATS_WORDS:
                    errors.append({"field": key, "message": str(_l("是否入统: %(value)s is not one of 是, 拟入统, 否.",
                                                                   value=text))})
                    continue
                text = STATS_WORDS[text]
            values[TO_GRID[key]] = text
        _parsed, bad = monthly.parse_row(values)
        errors += [{"field": FROM_GRID.get(k, k), "message": str(m)} for k, m in bad.items()]
        data["values"] = values
        if errors:
            return Prepared("error", data, ("project", pid), pid, errors)
        old, new = _shown(before), _shown(values)
        data["changes"] = [[FROM_GRID[k], old[k], new[k]] for k in monthly.FIELDS if old[k] != new[k]]
        if not data["changes"]:
            return Prepared("skip", data, ("project", pid), pid,
                            [{"field": None, "message": str(_l("No change: the month's figures are as saved."))}])
        return Prepared("create" if row is None else "update", data, ("project", pid), pid)

    def review(self, session: Session, batch) -> tuple[str, dict]:
        opts = options(batch)
        unit_id, year, month = opts["unit_id"], opts["year"], opts["month"]
        staged = session.execute(select(ImportRow.row_no, ImportRow.action, ImportRow.data).where(
            ImportRow.batch_id == batch.id, ImportRow.action.in_(("create", "update")))
            .order_by(ImportRow.row_no)).all()
        lacking = {pid for pid, _name in rounds.missing(session, unit_id, year, month)}
        for _row_no, _action, data in staged:
            if data["values"].get("completed"):
                lacking.discard(data["project_id"])
            else:
                lacking.add(data["project_id"])
        labels = {f.key: f.label for f in FIELDS}
        return "reporting/_import_review.html", {
            "unit": session.get(Unit, unit_id), "year": year, "month": month, "staged": staged, "labels": labels,
            "status": rounds.status_of(session, unit_id, year, month), "status_labels": rounds.STATUS_LABELS,
            "lacking": len(lacking), "properties": opts.get("properties", False), "template": template()}

    # --- apply and revert -----------------------------------------------------------------------------

    def apply(self, session: Session, actor, batch) -> dict:
        opts = options(batch)
        unit_id, year, month = opts["unit_id"], opts["year"], opts["month"]
        staged = session.execute(select(ImportRow.id, ImportRow.action, ImportRow.target_id, ImportRow.data).where(
            ImportRow.batch_id == batch.id, ImportRow.action.in_(("create", "update")))
            .order_by(ImportRow.row_no)).all()
        saved = monthly.months_of(session, [t for _i, _a, t, _d in staged], year, month)
        befores = {t: current_values(saved.get(t)) for _i, _a, t, _d in staged}
        monthly.save_grid(session, actor, scope_for(session, actor), year, month,
                          {t: d["values"] for _i, _a, t, d in staged}, unit_ids=[unit_id], guarded=True)
        for row_id, _a, target, _d in staged:
            session.execute(ImportRow.__table__.update().where(ImportRow.id == row_id).values(before=befores[target]))
        result: dict[str, Any] = {"created": sum(a == "create" for _i, a, _t, _d in staged),
                                  "updated": sum(a == "update" for _i, a, _t, _d in staged), "sent": False}
        if opts.get("send", True):
            rounds.submit(session, actor, unit_id, year, month, today=local_today())
            result["sent"] = True
            result["message"] = _l("The month's report was sent.")
        session.flush()
        return result

    def revert(self, session: Session, actor, batch, *, force: bool) -> dict:
        opts = options(batch)
        unit_id, year, month = opts["unit_id"], opts["year"], opts["month"]
        status = rounds.status_of(session, unit_id, year, month)
        if status not in rounds.OPEN:
            raise DomainError(_l("The report is %(status)s: the reviewer must return it before the import can be "
                                 "reverted.", status=rounds.STATUS_LABELS[status]))
        staged = session.execute(select(ImportRow.target_id, ImportRow.before, ImportRow.data).where(
            ImportRow.batch_id == batch.id, ImportRow.action.in_(("create", "update")),
            ImportRow.before.is_not(None))).all()
        saved = monthly.months_of(session, [t for t, _b, _d in staged], year, month)
        changed = [d["name"] for t, _b, d in staged if _shown(current_values(saved.get(t))) != _shown(d["values"])]
        if changed and not force:
            raise DomainError(_l("%(n)s rows changed or gained records after the import: %(rows)s",
                                 n=len(changed), rows="; ".join(changed[:20])))
        monthly.save_grid(session, actor, scope_for(session, actor), year, month,
                          {t: before for t, before, _d in staged}, unit_ids=[unit_id], guarded=True)
        return {"deleted": 0, "restored": len(staged)}


def _meta_period(lines: list[str]) -> str | None:
    """The month of the 月报's meta line (截止日期：2026年4月30日), when the properties are gone."""
    for line in lines:
        found = _PERIOD_END.search(line)
        if found:
            return f"{int(found.group(1)):04d}-{int(found.group(2)):02d}"
    return None


def _int(value, default=None):
    text = str(value or "").strip()
    return int(text) if text.isdigit() else default


register_import(MonthlyReportImport())
