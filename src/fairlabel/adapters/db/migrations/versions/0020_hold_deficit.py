"""the answers' hold keeps a deficit, so that a live lease at an older price no longer keeps
its lowest pay down

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07

The answers' hold (``domain/holds.py``) counted every answer at the least any answer or live
lease had received. After top-ups, a lease served at the older, lower price kept that least
down, so the hold of every other answer stayed as if none had been topped up; with the free
escrow withdrawn meanwhile, the reserved account fell below the hold, and the lease's answer
then took more from the escrow than its lease held. The bound now adds the *deficit* of the
answers paid less than its lowest pay. Every answer so far was paid at least that (the lowest
pay was the least of them all), so every deficit starts at 0.
"""

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('project_holds') as batch:
        batch.add_column(sa.Column('deficit_minor', sa.BigInteger(), nullable=False,
                                   server_default=sa.text('0')))


def downgrade() -> None:
    with op.batch_alter_table('project_holds') as batch:
        batch.drop_column('deficit_minor')
