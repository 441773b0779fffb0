"""The target export: a chain's ranked targets under the page's filters, parts as columns.

Targets are computed by the engine, not by SQL: :meth:`TargetExport.statement` ranks them (through
the cached model), selects those companies ordered by rank, and :meth:`TargetExport.rows` fills
each row from the ranking computed for that statement (kept in a context variable: the export core
calls ``statement`` then streams its rows in the same thread).
"""
from __future__ import annotations

import contextvars
from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, select

from crm.core.errors import DomainError
from crm.exports.registry import ExportKind, register_export
from crm.extensions import db
from crm.files.writers import Column
from crm.industry.filters import TargetFilters
from crm.industry.records import source_regions
from crm.models import Chain, Company
from crm.security.scope import Scope

MAX_ROWS = 5000
PART_HEADERS = (("fit", "契合度"), ("link", "配套关联"), ("scale", "规模"), ("source", "来源区域"),
                ("momentum", "发展动能"), ("lost", "流失折减"))
_ROWS: contextvars.ContextVar[dict] = contextvars.ContextVar("chain_target_rows", default={})


class TargetExport(ExportKind):
    key = "chain_targets"
    label = "招商目标"
    filename = "chain-targets"
    columns = (
        Column("排名", "int", 6), Column("企业名称", width=36), Column("所属区域", width=14, safe=True),
        Column("来源地区", width=16, safe=True), Column("主要环节", width=16, safe=True),
        Column("行动", width=8, safe=True), Column("总分", "money", 8),
        *(Column(label, "money", 9) for _k, label in PART_HEADERS),
        Column("已在跟进", width=9, safe=True), Column("推荐理由", width=60, safe=True),
    )

    def statement(self, scope: Scope, args: Mapping[str, str], fmt: str = "xlsx") -> Select:
        from crm.industry.cache import model_for
        try:
            chain_id = int(args.get("chain", ""))
        except ValueError:
            raise DomainError(_l("Parameter %(name)s does not accept %(value)s.", name="chain",
                                 value=str(args.get("chain", ""))[:40])) from None
        chain = db.session.get(Chain, chain_id)
        if chain is None:
            raise DomainError(_l("Parameter %(name)s does not accept %(value)s.", name="chain", value=chain_id))
        model = model_for(db.session, chain)
        filters = TargetFilters.parse(args, model)
        targets = model.targets(**filters.engine_args(), limit=MAX_ROWS)
        regions = source_regions(db.session, [t.company_id for t in targets])
        rows = {}
        for rank, t in enumerate(targets, start=1):
            rows[int(t.company_id)] = (
                rank, t.name, t.cluster or "", regions.get(int(t.company_id)) or "", model.segment_name(t.segment),
                t.action or "", round(t.score, 4), *(round(t.parts[k], 4) for k, _label in PART_HEADERS),
                "是" if t.in_pipeline else "否", t.why)
        _ROWS.set(rows)
        ids = list(rows)
        order = case({cid: rank for cid, (rank, *_rest) in rows.items()}, value=Company.id) if ids else Company.id
        return select(Company.id).where(Company.id.in_(ids)).order_by(order)

    def rows(self, result):
        table = _ROWS.get()
        for (company_id,) in result:
            yield table[company_id]


register_export(TargetExport())
