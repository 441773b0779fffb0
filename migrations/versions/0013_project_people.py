"""project people: 包联部门 (units answering for a project) and the 专班 with its roles

New tables only: ``project`` itself is not altered (a batch rebuild would drop its search triggers).

Revision ID: 0013_project_people
Revises: 0012_factors
Create Date: 2026-12-06 17:34:34
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_project_people'
down_revision = '0012_factors'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('project_dept',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_project_dept_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_project_dept_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_dept')),
    sa.UniqueConstraint('project_id', 'unit_id', name=op.f('uq_project_dept_project_id_unit_id'))
    )
    with op.batch_alter_table('project_dept', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_dept_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_dept_unit_id'), ['unit_id'], unique=False)

    op.create_table('project_team_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=64), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('org', sa.String(length=100), nullable=True),
    sa.Column('role', sa.Enum('leader', 'member', 'liaison', 'agent', name='team_role', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_project_team_member_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_project_team_member_unit_id_unit')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_project_team_member_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_team_member')),
    sa.UniqueConstraint('project_id', 'user_id', name=op.f('uq_project_team_member_project_id_user_id'))
    )
    with op.batch_alter_table('project_team_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_team_member_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_team_member_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_team_member_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('project_team_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_team_member_user_id'))
        batch_op.drop_index(batch_op.f('ix_project_team_member_unit_id'))
        batch_op.drop_index(batch_op.f('ix_project_team_member_project_id'))

    op.drop_table('project_team_member')
    with op.batch_alter_table('project_dept', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_dept_unit_id'))
        batch_op.drop_index(batch_op.f('ix_project_dept_project_id'))

    op.drop_table('project_dept')
