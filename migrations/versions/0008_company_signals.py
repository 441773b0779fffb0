"""company signals: dated expansion and financing news for the momentum part

Revision ID: 0008_company_signals
Revises: 0007_chain_targets
Create Date: 2026-11-28 14:45:07.562424

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_company_signals'
down_revision = '0007_chain_targets'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('company_signal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('expansion', 'financing', name='company_signal_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_company_signal_company_id_company'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], name=op.f('fk_company_signal_created_by_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_company_signal'))
    )
    with op.batch_alter_table('company_signal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_company_signal_company_id'), ['company_id'], unique=False)



def downgrade():
    with op.batch_alter_table('company_signal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_company_signal_company_id'))

    op.drop_table('company_signal')
