"""factors: the city's input pools (要素保障) per year and kind, projects' requests against them and allocations

Revision ID: 0012_factors
Revises: 0011_approvals
Create Date: 2026-12-06 17:36:46
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_factors'
down_revision = '0011_approvals'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('factor_pool',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('land', 'energy', 'emission_cod', 'emission_nh3n', 'emission_so2', 'emission_nox', 'water', 'power', 'gas', 'funds_bond', 'funds_central', name='factor_pool_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('total', sa.Numeric(precision=16, scale=3), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_factor_pool')),
    sa.UniqueConstraint('year', 'kind', name=op.f('uq_factor_pool_year_kind'))
    )
    with op.batch_alter_table('factor_pool', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_factor_pool_year'), ['year'], unique=False)

    op.create_table('factor_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('land', 'energy', 'emission_cod', 'emission_nh3n', 'emission_so2', 'emission_nox', 'water', 'power', 'gas', 'funds_bond', 'funds_central', name='factor_request_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('amount', sa.Numeric(precision=16, scale=3), nullable=False),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=True),
    sa.Column('status', sa.Enum('requested', 'partial', 'granted', 'refused', name='factor_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('refusal_reason', sa.String(length=500), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], name=op.f('fk_factor_request_created_by_user')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_factor_request_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_factor_request'))
    )
    with op.batch_alter_table('factor_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_factor_request_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_factor_request_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_factor_request_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_factor_request_year'), ['year'], unique=False)

    op.create_table('factor_allocation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('pool_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=16, scale=3), nullable=False),
    sa.Column('allocated_on', sa.Date(), nullable=False),
    sa.Column('doc_no', sa.String(length=64), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], name=op.f('fk_factor_allocation_created_by_user')),
    sa.ForeignKeyConstraint(['pool_id'], ['factor_pool.id'], name=op.f('fk_factor_allocation_pool_id_factor_pool')),
    sa.ForeignKeyConstraint(['request_id'], ['factor_request.id'], name=op.f('fk_factor_allocation_request_id_factor_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_factor_allocation'))
    )
    with op.batch_alter_table('factor_allocation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_factor_allocation_pool_id'), ['pool_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_factor_allocation_request_id'), ['request_id'], unique=False)



def downgrade():
    with op.batch_alter_table('factor_allocation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_factor_allocation_request_id'))
        batch_op.drop_index(batch_op.f('ix_factor_allocation_pool_id'))

    op.drop_table('factor_allocation')
    with op.batch_alter_table('factor_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_factor_request_year'))
        batch_op.drop_index(batch_op.f('ix_factor_request_status'))
        batch_op.drop_index(batch_op.f('ix_factor_request_project_id'))
        batch_op.drop_index(batch_op.f('ix_factor_request_kind'))

    op.drop_table('factor_request')
    with op.batch_alter_table('factor_pool', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_factor_pool_year'))

    op.drop_table('factor_pool')
