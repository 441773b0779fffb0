"""global search: pinyin initials, SQLite FTS5 trigram tables, PostgreSQL pg_trgm indexes

Revision ID: 0004_search
Revises: 0003_lead_conflicts
Create Date: 2026-11-28 13:50:00

SQLite: one external-content FTS5 ``trigram`` table per searched table, kept current by
triggers (so the ORM, INSERT … SELECT and raw bulk inserts all stay indexed) and rebuilt here
from the existing rows. A later migration that recreates one of these tables in batch mode drops
its triggers and must create them again (``tests/test_search_schema.py`` checks them at head).
PostgreSQL: the ``pg_trgm`` extension and GIN ``gin_trgm_ops`` indexes for ILIKE.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_search'
down_revision = '0003_lead_conflicts'
branch_labels = None
depends_on = None

# table -> the text columns searched by substring
FTS = {
    "company": ("name", "short_name"),
    "contact": ("name",),
    "lead": ("title",),
    "project": ("name",),
}
# PostgreSQL trigram indexes: (table, column)
TRGM = (("company", "name"), ("company", "short_name"), ("contact", "name"), ("contact", "phone"),
        ("lead", "title"), ("project", "name"))


def _sqlite_fts_up():
    for table, columns in FTS.items():
        cols = ", ".join(columns)
        new = ", ".join(f"new.{c}" for c in columns)
        old = ", ".join(f"old.{c}" for c in columns)
        fts = f"{table}_fts"
        op.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{table}', content_rowid='id', "
                   f"tokenize='trigram')")
        op.execute(f"CREATE TRIGGER {fts}_ai AFTER INSERT ON \"{table}\" BEGIN "
                   f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END")
        op.execute(f"CREATE TRIGGER {fts}_ad AFTER DELETE ON \"{table}\" BEGIN "
                   f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); END")
        op.execute(f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {cols} ON \"{table}\" BEGIN "
                   f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); "
                   f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END")
        op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def _sqlite_fts_down():
    for table in FTS:
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {table}_fts")


def _backfill_initials():
    from crm.search.pinyin import initials

    bind = op.get_bind()
    company = sa.table("company", sa.column("id", sa.Integer), sa.column("name", sa.String),
                       sa.column("name_initials", sa.String))
    rows = [{"b_id": cid, "b_initials": initials(name)}
            for cid, name in bind.execute(sa.select(company.c.id, company.c.name))]
    statement = (company.update().where(company.c.id == sa.bindparam("b_id"))
                 .values(name_initials=sa.bindparam("b_initials")))
    for start in range(0, len(rows), 1000):
        bind.execute(statement, rows[start:start + 1000])


def upgrade():
    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_initials', sa.String(length=200), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_company_name_initials'), ['name_initials'], unique=False)
    _backfill_initials()
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_fts_up()
    else:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for table, column in TRGM:
            op.execute(f"CREATE INDEX ix_{table}_{column}_trgm ON \"{table}\" USING gin ({column} gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_fts_down()
    else:
        for table, column in TRGM:
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_{column}_trgm")
        op.execute("DROP EXTENSION IF EXISTS pg_trgm")
    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_company_name_initials'))
        batch_op.drop_column('name_initials')
