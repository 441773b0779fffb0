"""approvals (前期手续): a project's approval profile and its checklist items, in new tables

Revision ID: 0011_approvals
Revises: 0010_monthly
Create Date: 2026-12-06 17:35:12
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_approvals'
down_revision = '0010_monthly'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('approval_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('item_key', sa.String(length=40), nullable=False),
    sa.Column('stage', sa.Integer(), nullable=False),
    sa.Column('sort', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('applicable', sa.Boolean(), nullable=False),
    sa.Column('commitment_allowed', sa.Boolean(), nullable=False),
    sa.Column('regional_allowed', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('todo', 'doing', 'done', 'na', 'commitment', 'regional', name='approval_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('doc_number', sa.String(length=100), nullable=True),
    sa.Column('authority', sa.String(length=100), nullable=True),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('attachment_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachment.id'], name=op.f('fk_approval_item_attachment_id_attachment'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_approval_item_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_item')),
    sa.UniqueConstraint('project_id', 'item_key', name=op.f('uq_approval_item_project_id_item_key'))
    )
    with op.batch_alter_table('approval_item', schema=None) as batch_op:
        batch_op.create_index('ix_approval_item_open', ['project_id', 'applicable', 'stage', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_approval_item_attachment_id'), ['attachment_id'], unique=False)

    op.create_table('approval_profile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('approval_type', sa.Enum('approve', 'verify', 'record', name='approval_type', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('land_supply', sa.Enum('allocated', 'transfer', 'none', name='approval_land_supply', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('in_zone', sa.Boolean(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_approval_profile_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_profile')),
    sa.UniqueConstraint('project_id', name=op.f('uq_approval_profile_project_id'))
    )


def downgrade():
    op.drop_table('approval_profile')
    with op.batch_alter_table('approval_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_approval_item_attachment_id'))
        batch_op.drop_index('ix_approval_item_open')

    op.drop_table('approval_item')
