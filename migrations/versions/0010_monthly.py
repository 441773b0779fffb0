"""monthly figures: a project's completed investment, 到位资金 by source, 入统 and 形象进度 per month

Revision ID: 0010_monthly
Revises: 0009_projects
Create Date: 2026-11-28 15:15:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_monthly'
down_revision = '0009_projects'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('project_month',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('completed', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('funds_own', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('funds_loan', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('funds_fiscal', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('funds_bond', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('funds_other', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('stats_status', sa.Enum('none', 'pending', 'entered', name='stats_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('stats_on', sa.Date(), nullable=True),
    sa.Column('progress', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_project_month_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_month')),
    sa.UniqueConstraint('project_id', 'year', 'month', name=op.f('uq_project_month_project_id_year_month'))
    )
    with op.batch_alter_table('project_month', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_month_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_month_year'), ['year'], unique=False)


def downgrade():
    with op.batch_alter_table('project_month', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_month_year'))
        batch_op.drop_index(batch_op.f('ix_project_month_project_id'))
    op.drop_table('project_month')
