"""Copy the shipped reference data into the ``division``, ``cluster_member`` and ``industry`` tables.

Scope: one service, :func:`load_reference_data`, that brings the tables in line
with the files read by :mod:`crm.refdata.lookup` (so the database and the pure
look-ups agree, including the municipality names). It is idempotent: rows are
compared with what is stored and only the differences are written, so a second
run writes nothing. Divisions and industries are never deleted, because
companies, units and projects reference them by foreign key; a code retired by a
later release simply stays. It flushes and never commits: the caller (the CLI
command, ``make run``, a test) owns the transaction.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from crm.models.refdata import ClusterMember, Division, Industry
from crm.refdata import lookup

__all__ = ["load_reference_data"]

Row = dict[str, Any]

_DIVISION_COLUMNS = ("name", "level", "parent_code")
_INDUSTRY_COLUMNS = ("name", "level", "parent_code", "section", "description")


def _division_rows() -> list[Row]:
    # lookup.divisions() is ordered provinces, cities, counties, so each parent is
    # inserted before its children and the foreign key holds row by row. Its city
    # rows for 北京/天津/上海/重庆 already carry the province's name instead of NBS's
    # "市辖区", so pickers read "北京市" rather than a placeholder.
    return [{"code": d.code, "name": d.name, "level": d.level, "parent_code": d.parent_code}
            for d in lookup.divisions()]


def _industry_rows() -> list[Row]:
    # Ordered section, division, group, class: parents first, as for divisions.
    return [{"code": i.code, "name": i.name, "level": i.level, "parent_code": i.parent_code,
             "section": i.section, "description": i.description}
            for i in lookup.industries()]


def _upsert_by_code(session: Session, table: Table, rows: Sequence[Row],
                    columns: Sequence[str]) -> tuple[int, int]:
    """Insert missing rows and update changed ones, keyed by ``code``; return (inserted, updated).

    Compared in Python rather than with ``ON CONFLICT`` so one code path serves
    SQLite and PostgreSQL, and unchanged rows cost no write at all.
    """
    query = select(table.c.code, *(table.c[c] for c in columns))
    stored = {r[0]: tuple(r[1:]) for r in session.execute(query)}
    new = [r for r in rows if r["code"] not in stored]
    changed = [r for r in rows if r["code"] in stored and stored[r["code"]] != tuple(r[c] for c in columns)]
    if new:
        session.execute(insert(table), new)
    if changed:
        # Bind names must differ from column names in an executemany UPDATE.
        stmt = (update(table).where(table.c.code == bindparam("b_code"))
                .values({c: bindparam(f"b_{c}") for c in columns}))
        session.execute(stmt, [{f"b_{k}": v for k, v in r.items()} for r in changed])
    return len(new), len(changed)


def _sync_members(session: Session) -> tuple[int, int, int]:
    """Bring ``cluster_member`` in line with the shipped clusters; return (inserted, updated, deleted).

    Only rows of the shipped clusters are touched: a deployment may keep rows of
    clusters of its own in the same table.
    """
    table = ClusterMember.__table__
    wanted = {(m.cluster, m.division_code): m for m in lookup.memberships()}
    stored = {(r.cluster, r.division_code): r for r in session.execute(
        select(table.c.id, table.c.cluster, table.c.division_code, table.c.coverage, table.c.core)
        .where(table.c.cluster.in_(list(lookup.CLUSTERS))))}
    gone = [r.id for key, r in stored.items() if key not in wanted]
    changed = [{"b_id": r.id, "b_coverage": wanted[key].coverage, "b_core": wanted[key].core}
               for key, r in stored.items()
               if key in wanted and (r.coverage, bool(r.core)) != (wanted[key].coverage, wanted[key].core)]
    new = [{"cluster": m.cluster, "division_code": m.division_code, "coverage": m.coverage, "core": m.core}
           for key, m in wanted.items() if key not in stored]
    if gone:
        session.execute(delete(table).where(table.c.id.in_(gone)))
    if changed:
        session.execute(update(table).where(table.c.id == bindparam("b_id"))
                        .values(coverage=bindparam("b_coverage"), core=bindparam("b_core")), changed)
    if new:
        session.execute(insert(table), new)
    return len(new), len(changed), len(gone)


def load_reference_data(session: Session) -> dict[str, int]:
    """Upsert divisions, industries and cluster members from the shipped files.

    Parameters
    ----------
    session : Session
        The caller's session; it is flushed, never committed.

    Returns
    -------
    dict of str to int
        ``divisions``, ``industries`` and ``cluster_members``: rows in the shipped
        data (all present in the tables afterwards); ``inserted``, ``updated`` and
        ``deleted``: rows written by this run, all 0 on a second run.
    """
    # Pending ORM objects first, so the Core statements below see the same state.
    session.flush()
    divisions = _division_rows()
    industries = _industry_rows()
    d_new, d_changed = _upsert_by_code(session, Division.__table__, divisions, _DIVISION_COLUMNS)
    i_new, i_changed = _upsert_by_code(session, Industry.__table__, industries, _INDUSTRY_COLUMNS)
    # Members last: their foreign key needs the division rows.
    m_new, m_changed, m_gone = _sync_members(session)
    session.flush()
    return {
        "divisions": len(divisions),
        "industries": len(industries),
        "cluster_members": len(lookup.memberships()),
        "inserted": d_new + i_new + m_new,
        "updated": d_changed + i_changed + m_changed,
        "deleted": m_gone,
    }
