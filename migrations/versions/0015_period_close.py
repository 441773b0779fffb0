"""monthly close: closed periods with unit and project snapshots

Revision ID: 0015_period_close
Revises: 0014_reporting
Create Date: 2026-12-06 18:11:50.939918

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_period_close'
down_revision = '0014_reporting'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('period_close',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_by', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['closed_by'], ['user.id'], name=op.f('fk_period_close_closed_by_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_period_close')),
    sa.UniqueConstraint('year', 'month', name=op.f('uq_period_close_year_month'))
    )
    with op.batch_alter_table('period_close', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_period_close_year'), ['year'], unique=False)

    op.create_table('unit_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('close_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('plan', 'contract', name='snapshot_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('plan_list', sa.Enum('new', 'continuing', 'preparing', name='snapshot_plan_list', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('sums', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['close_id'], ['period_close.id'], name=op.f('fk_unit_snapshot_close_id_period_close'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_unit_snapshot_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_snapshot')),
    sa.UniqueConstraint('close_id', 'kind', 'unit_id', 'plan_list', name=op.f('uq_unit_snapshot_close_id_kind_unit_id_plan_list'))
    )
    with op.batch_alter_table('unit_snapshot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_snapshot_close_id'), ['close_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_snapshot_unit_id'), ['unit_id'], unique=False)

    op.create_table('project_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('close_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('resp_unit_id', sa.Integer(), nullable=False),
    sa.Column('plan_list', sa.Enum('new', 'continuing', 'preparing', name='snapshot_project_list', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('stage', sa.Enum('signed', 'registered', 'started', 'completed', 'producing', 'effective', 'paused', 'ended', name='snapshot_stage', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('total_investment', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('planned', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('completed_month', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('completed_ytd', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('completed_total', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('funds_ytd', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('started_confirmed_on', sa.Date(), nullable=True),
    sa.Column('resumed', sa.Boolean(), nullable=False),
    sa.Column('entered', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['close_id'], ['period_close.id'], name=op.f('fk_project_snapshot_close_id_period_close'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_project_snapshot_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resp_unit_id'], ['unit.id'], name=op.f('fk_project_snapshot_resp_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_snapshot')),
    sa.UniqueConstraint('close_id', 'project_id', name=op.f('uq_project_snapshot_close_id_project_id'))
    )
    with op.batch_alter_table('project_snapshot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_snapshot_close_id'), ['close_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_snapshot_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_snapshot_resp_unit_id'), ['resp_unit_id'], unique=False)



def downgrade():
    with op.batch_alter_table('project_snapshot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_snapshot_resp_unit_id'))
        batch_op.drop_index(batch_op.f('ix_project_snapshot_project_id'))
        batch_op.drop_index(batch_op.f('ix_project_snapshot_close_id'))

    op.drop_table('project_snapshot')
    with op.batch_alter_table('unit_snapshot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_snapshot_unit_id'))
        batch_op.drop_index(batch_op.f('ix_unit_snapshot_close_id'))

    op.drop_table('unit_snapshot')
    with op.batch_alter_table('period_close', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_period_close_year'))

    op.drop_table('period_close')
