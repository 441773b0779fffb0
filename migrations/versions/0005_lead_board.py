"""lead board: indexes for the list's default order and the board

Revision ID: 0005_lead_board
Revises: 0004_search
Create Date: 2026-11-28 14:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0005_lead_board'
down_revision = '0004_search'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lead_first_reported_at'), ['first_reported_at'], unique=False)
        batch_op.create_index('ix_lead_stage_board', ['stage', 'first_reported_at', 'amount'], unique=False)


def downgrade():
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_index('ix_lead_stage_board')
        batch_op.drop_index(batch_op.f('ix_lead_first_reported_at'))
