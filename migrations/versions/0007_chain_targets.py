"""chain target lists: named selections of a chain's ranked targets

Revision ID: 0007_chain_targets
Revises: 0006_visits_attachments
Create Date: 2026-11-28 14:30:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_chain_targets'
down_revision = '0006_visits_attachments'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('target_list',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chain_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['chain_id'], ['chain.id'], name=op.f('fk_target_list_chain_id_chain'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], name=op.f('fk_target_list_created_by_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_target_list')),
    sa.UniqueConstraint('chain_id', 'name', name=op.f('uq_target_list_chain_id_name'))
    )
    with op.batch_alter_table('target_list', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_target_list_chain_id'), ['chain_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_target_list_created_by'), ['created_by'], unique=False)

    op.create_table('target_list_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('segment_id', sa.Integer(), nullable=True),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_target_list_item_company_id_company')),
    sa.ForeignKeyConstraint(['list_id'], ['target_list.id'], name=op.f('fk_target_list_item_list_id_target_list'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['segment_id'], ['segment.id'], name=op.f('fk_target_list_item_segment_id_segment'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_target_list_item')),
    sa.UniqueConstraint('list_id', 'company_id', name=op.f('uq_target_list_item_list_id_company_id'))
    )
    with op.batch_alter_table('target_list_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_target_list_item_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_target_list_item_list_id'), ['list_id'], unique=False)


def downgrade():
    with op.batch_alter_table('target_list_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_target_list_item_list_id'))
        batch_op.drop_index(batch_op.f('ix_target_list_item_company_id'))
    op.drop_table('target_list_item')
    with op.batch_alter_table('target_list', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_target_list_created_by'))
        batch_op.drop_index(batch_op.f('ix_target_list_chain_id'))
    op.drop_table('target_list')
