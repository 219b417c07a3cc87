"""leases hold their reservation in escrow instead of posting it to the reserved account

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Leases made before this revision moved their reservation to the reserved account when
    # served; they keep the old accounting (False) until they are submitted or returned.
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('escrow_hold', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade() -> None:
    # Downgrade only with no live leases: the older code would earn a held lease's price from
    # the reserved account, where it never was.
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_column('escrow_hold')
