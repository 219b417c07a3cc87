"""commitments and ending

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice_days', sa.Integer(), server_default=sa.text('7'), nullable=False))
        batch_op.add_column(sa.Column('ends_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('ending_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('end_mode', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('end_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('paused_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('notice_liability_minor', sa.BigInteger(), server_default=sa.text('0'), nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_column('notice_liability_minor')
        batch_op.drop_column('paused_at')
        batch_op.drop_column('ended_at')
        batch_op.drop_column('end_reason')
        batch_op.drop_column('end_mode')
        batch_op.drop_column('ending_at')
        batch_op.drop_column('ends_on')
        batch_op.drop_column('notice_days')

