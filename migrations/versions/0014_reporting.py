"""reporting rounds per unit and month, corrections after the lock

Revision ID: 0014_reporting
Revises: 0013_project_people
Create Date: 2026-12-06 17:36:22.549919

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_reporting'
down_revision = '0013_project_people'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reporting_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'returned', 'approved', 'locked', name='round_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_by', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by', sa.Integer(), nullable=True),
    sa.Column('return_reason', sa.String(length=200), nullable=True),
    sa.Column('locked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('locked_by', sa.Integer(), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['locked_by'], ['user.id'], name=op.f('fk_reporting_round_locked_by_user')),
    sa.ForeignKeyConstraint(['reviewed_by'], ['user.id'], name=op.f('fk_reporting_round_reviewed_by_user')),
    sa.ForeignKeyConstraint(['submitted_by'], ['user.id'], name=op.f('fk_reporting_round_submitted_by_user')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_reporting_round_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reporting_round')),
    sa.UniqueConstraint('unit_id', 'year', 'month', name=op.f('uq_reporting_round_unit_id_year_month'))
    )
    with op.batch_alter_table('reporting_round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reporting_round_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reporting_round_year'), ['year'], unique=False)

    op.create_table('report_correction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'rejected', name='correction_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('requested_by', sa.Integer(), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['decided_by'], ['user.id'], name=op.f('fk_report_correction_decided_by_user')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_report_correction_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by'], ['user.id'], name=op.f('fk_report_correction_requested_by_user')),
    sa.ForeignKeyConstraint(['round_id'], ['reporting_round.id'], name=op.f('fk_report_correction_round_id_reporting_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_correction'))
    )
    with op.batch_alter_table('report_correction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_correction_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_correction_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_correction_status'), ['status'], unique=False)



def downgrade():
    with op.batch_alter_table('report_correction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_correction_status'))
        batch_op.drop_index(batch_op.f('ix_report_correction_round_id'))
        batch_op.drop_index(batch_op.f('ix_report_correction_project_id'))

    op.drop_table('report_correction')
    with op.batch_alter_table('reporting_round', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reporting_round_year'))
        batch_op.drop_index(batch_op.f('ix_reporting_round_unit_id'))

    op.drop_table('reporting_round')
