"""Bulk inserts for the generated demo, audited as one batch per table (as imports are).

Rows go in through one executemany per table in the caller's transaction, with their ids given: the next
ids after the table's largest (the demo load is the only writer), so no RETURNING is needed — on SQLite,
RETURNING in a guaranteed order would mean one statement per row. On PostgreSQL the id sequence is then
moved past the new rows. Each call writes the one ``bulk_create`` audit entry
:func:`crm.audit.service.record_bulk_create` writes for an import, under the load's batch id (rows of
tables with a ``batch_id`` column carry it too).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from crm.audit import service as audit


@dataclass(frozen=True)
class _Inserted:
    """What :func:`record_bulk_create` reads of a row: its table and id."""

    __tablename__: str
    id: int


def bulk_insert(session: Session, model, rows: list[dict], batch_id: str) -> list[int]:
    """Insert ``rows`` (dicts keyed by column) into ``model``'s table; answer their ids in order."""
    if not rows:
        return []
    table = model.__table__
    start = session.scalar(select(func.max(table.c.id))) or 0
    ids = list(range(start + 1, start + 1 + len(rows)))
    session.execute(insert(table), [{"id": i, **row} for i, row in zip(ids, rows)])
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :last)"),
                        {"table": f'"{table.name}"', "last": ids[-1]})
    audit.record_bulk_create(session, None, [_Inserted(table.name, i) for i in ids], batch_id)
    return ids
