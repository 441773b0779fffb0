"""Engine setup that every deployment needs, not only the tests.

SQLite: pysqlite's own transaction handling breaks SAVEPOINT and per-test
rollbacks on Python 3.11, so the driver is put in autocommit mode and
SQLAlchemy emits ``BEGIN`` itself (SQLAlchemy's documented fix). Foreign keys
are on, WAL lets the worker write while the web server reads, and a busy
timeout makes writers wait instead of failing.
"""
from __future__ import annotations

import re

from sqlalchemy import event
from sqlalchemy.engine import Engine, Result
from sqlalchemy.orm import Session


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised by every test
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN")


def read(session: Session, statement) -> Result:
    """Run a select of columns (no ORM entities) as Core on the session's connection and transaction: it skips
    the ORM's execution layer, which costs more than a small report query takes to run. Pending changes are
    flushed first when the session autoflushes, as ``Session.execute`` would."""
    if session.autoflush:
        session.flush()
    return session.connection().execute(statement)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


# Search objects kept by migrations by hand (crm.search): SQLite FTS5 tables with their shadow
# tables, and PostgreSQL trigram indexes. The models do not declare them, so autogenerate and
# ``flask db check`` must not see them (migrations/env.py and tests/test_migrations.py use this).
_FTS_TABLE = re.compile(r".*_fts(_(data|idx|content|docsize|config))?$")
_TRGM_INDEX = re.compile(r"^ix_.*_trgm$")


def migration_include_name(name, type_, parent_names) -> bool:
    """Alembic ``include_name`` hook: hide the hand-made full-text tables and trigram indexes."""
    if type_ == "table" and name and _FTS_TABLE.match(name):
        return False
    if type_ == "index" and name and _TRGM_INDEX.match(name):
        return False
    return True
