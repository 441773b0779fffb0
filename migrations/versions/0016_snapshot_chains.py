"""closed periods per chain: unit snapshot rows and project snapshots carry the chain

Revision ID: 0016_snapshot_chains
Revises: 0015_period_close
Create Date: 2026-12-06 21:56:57.943121

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_snapshot_chains'
down_revision = '0015_period_close'
branch_labels = None
depends_on = None


def upgrade():
    # Closes taken before this revision kept no figures per chain (the default); new ones do.
    with op.batch_alter_table('period_close', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chains_kept', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('project_snapshot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_project_snapshot_chain_id'), ['chain_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_project_snapshot_chain_id_chain'), 'chain', ['chain_id'], ['id'])

    with op.batch_alter_table('unit_snapshot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain_id', sa.Integer(), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_unit_snapshot_close_id_kind_unit_id_plan_list'), type_='unique')
        batch_op.create_index(batch_op.f('ix_unit_snapshot_chain_id'), ['chain_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_unit_snapshot_close_id_kind_unit_id_plan_list_chain_id'), ['close_id', 'kind', 'unit_id', 'plan_list', 'chain_id'])
        batch_op.create_foreign_key(batch_op.f('fk_unit_snapshot_chain_id_chain'), 'chain', ['chain_id'], ['id'])


def downgrade():
    # Per-chain rows would break the old (close, kind, unit, list) uniqueness: they go first.
    op.execute(sa.text("DELETE FROM unit_snapshot WHERE chain_id IS NOT NULL"))
    with op.batch_alter_table('unit_snapshot', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_unit_snapshot_chain_id_chain'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_unit_snapshot_close_id_kind_unit_id_plan_list_chain_id'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_unit_snapshot_chain_id'))
        batch_op.create_unique_constraint(batch_op.f('uq_unit_snapshot_close_id_kind_unit_id_plan_list'), ['close_id', 'kind', 'unit_id', 'plan_list'])
        batch_op.drop_column('chain_id')

    with op.batch_alter_table('project_snapshot', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_project_snapshot_chain_id_chain'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_project_snapshot_chain_id'))
        batch_op.drop_column('chain_id')

    with op.batch_alter_table('period_close', schema=None) as batch_op:
        batch_op.drop_column('chains_kept')

