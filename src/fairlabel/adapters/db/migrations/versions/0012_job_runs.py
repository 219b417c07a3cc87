"""job runs: each periodic job's next due time and its last claim, so that the app servers
sharing one database run each period of a job once

Revision ID: 0012
Revises: 0011
Create Date: 2027-02-01
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # No rows here: the first claim of a job inserts its row (adapters/db/job_runs_repository).
    op.create_table(
        'job_runs',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('claimed_by', sa.String(length=200), nullable=True),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('runs', sa.BigInteger(), nullable=False, server_default='0'),
        sa.Column('report', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_job_runs')),
    )


def downgrade() -> None:
    op.drop_table('job_runs')
