"""Alembic environment for ChainCRM (Flask-Migrate), on SQLite and PostgreSQL.

SQLite batch mode recreates tables; with foreign keys on, recreating a parent
would cascade-delete its children, so foreign keys are switched off for the
migration (outside any transaction, where the PRAGMA takes effect) and
``PRAGMA foreign_key_check`` runs afterwards. Full-text tables (``*_fts`` and
their shadow tables) and PostgreSQL trigram indexes (``ix_*_trgm``) are
maintained by migrations by hand and hidden from autogenerate and ``flask db
check`` (``crm.core.database.migration_include_name``).
"""
import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from crm.core.database import migration_include_name as include_name

config = context.config
if config.config_file_name:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")


def get_engine():
    return current_app.extensions["migrate"].db.engine


def get_metadata():
    return current_app.extensions["migrate"].db.metadata


config.set_main_option("sqlalchemy.url", get_engine().url.render_as_string(hide_password=False).replace("%", "%%"))


def run_migrations_offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=get_metadata(),
                      literal_binds=True, include_name=include_name, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def _sqlite_foreign_keys(connection, on: bool) -> None:
    # On the DB-API connection, which is in autocommit mode: inside a
    # transaction SQLite ignores this PRAGMA.
    cursor = connection.connection.driver_connection.cursor()
    cursor.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    cursor.close()


def run_migrations_online():
    def process_revision_directives(context_, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args["include_name"] = include_name

    with get_engine().connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _sqlite_foreign_keys(connection, False)
        context.configure(connection=connection, target_metadata=get_metadata(), **conf_args)
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if problems:
                    raise RuntimeError(f"foreign key check failed after migration: {problems[:5]}")
        if sqlite:
            if connection.in_transaction():
                connection.commit()
            _sqlite_foreign_keys(connection, True)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
