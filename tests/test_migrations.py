"""Migrations: upgrade → check (models and migrations agree) → downgrade → upgrade, on both databases."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

from crm import create_app
from crm.core.database import migration_include_name
from crm.extensions import db
from crm.models import Base
from tests.conftest import make_config


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_upgrade_check_downgrade_upgrade(kind, fresh_database_url, instance_dir):
    app = create_app(make_config(fresh_database_url(kind)))
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        runner = app.test_cli_runner()
        result = runner.invoke(args=["db", "check"])
        assert result.exit_code == 0, result.output
        # The same comparison, asserted directly: no difference at all.
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                             "include_name": migration_include_name})
            assert compare_metadata(context, Base.metadata) == []
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert set(Base.metadata.tables) <= set(inspect(db.engine).get_table_names())
        if kind == "sqlite":
            with db.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()


def test_sqlite_engine_is_configured_for_savepoints(app, db):
    if db.engine.dialect.name != "sqlite":
        assert db.engine.dialect.name == "postgresql"  # nothing SQLite-specific to check there
        return
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000


def test_savepoint_rollback_keeps_the_outer_work(db, make_unit):
    from crm.models import Unit
    make_unit("外层单位")
    nested = db.session.begin_nested()
    db.session.add(Unit(name="内层单位", kind="town"))
    db.session.flush()
    nested.rollback()
    names = set(db.session.scalars(select(Unit.name).where(Unit.name.in_(["外层单位", "内层单位"]))))
    assert names == {"外层单位"}
