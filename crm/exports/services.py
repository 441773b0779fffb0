"""Run an export: count, then stream rows from a Core select into CSV or XLSX.

Rows are read with ``yield_per`` so an export of any size holds one chunk in
memory; the visibility scope is part of the statement, in the web request and
in the worker alike.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.exports.registry import EXPORT_KINDS, ExportKind
from crm.files.writers import iter_csv, write_xlsx
from crm.security.scope import Scope

FORMATS = ("csv", "xlsx")
CHUNK = 2000


def download_name(kind: ExportKind, fmt: str) -> str:
    return f"{kind.filename}-{dt.date.today():%Y%m%d}.{fmt}"


def count(session: Session, kind: ExportKind, scope: Scope, args: Mapping[str, str]) -> int:
    stmt = kind.statement(scope, args)
    return session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def _rows(session: Session, kind: ExportKind, scope: Scope, args: Mapping[str, str], fmt: str) -> Iterator[tuple]:
    # Core execution on the session's connection: rows as tuples, no ORM loading machinery.
    stmt = kind.statement(scope, args, fmt)
    result = session.connection().execute(stmt.execution_options(yield_per=CHUNK))
    for partition in result.partitions():  # a chunk at a time: less per-row overhead than fetchone
        yield from kind.rows(partition)


def csv_chunks(session: Session, kind_key: str, scope: Scope, args: Mapping[str, str]) -> Iterator[str]:
    kind = EXPORT_KINDS[kind_key]
    return iter_csv(kind.columns_for("csv"), _rows(session, kind, scope, args, "csv"))


def write_file(session: Session, kind_key: str, scope: Scope, args: Mapping[str, str], fmt: str,
               target: Path) -> int:
    """Write the export to ``target``; return the number of data rows."""
    kind = EXPORT_KINDS[kind_key]
    rows = _rows(session, kind, scope, args, fmt)
    if fmt == "xlsx":
        return write_xlsx(str(target), kind.columns, rows, sheet=str(kind.label))
    n = 0
    with open(target, "w", encoding="utf-8", newline="") as fh:
        for chunk in iter_csv(kind.columns_for("csv"), rows):
            fh.write(chunk)
            n += chunk.count("\r\n")
    return max(n - 1, 0)
