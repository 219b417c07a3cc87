"""what each worker's paid answers on each project add up to, by hour: notice pay and a
worker's totals are summed from these, not from every answer

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07

The notice pay that ending a project now would owe (rule 4) was summed from the answers of its
last 14 days, grouped by worker, on every funding view, withdrawal and refresh of the figure
leases check: 1.7 s on SQLite with 3,000,000 answers in the window; a worker's totals in a
project from all their answers there. Each change to an answer whose pay stands now adds to
its project's, worker's and hour's row (``adapters/db/earnings.py``); this migration sums the
answers there are once.
"""

import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'hourly_earnings',
        sa.Column('project_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('hour', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('worker_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('answers', sa.BigInteger(), nullable=False),
        sa.Column('earned_minor', sa.BigInteger(), nullable=False),
        sa.Column('worked_ms', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('project_id', 'hour', 'worker_id'),
    )
    op.create_index('ix_hourly_earnings_worker', 'hourly_earnings', ['worker_id', 'project_id'])
    if op.get_bind().dialect.name == 'postgresql':
        hour = 'floor(extract(epoch from submitted_at) / 3600)::bigint'
    else:  # SQLite keeps UTC as text: strftime reads it
        hour = "CAST(strftime('%s', submitted_at) AS INTEGER) / 3600"
    op.execute(
        'INSERT INTO hourly_earnings (project_id, hour, worker_id, answers, earned_minor, '
        'worked_ms) '
        f'SELECT project_id, {hour}, worker_id, COUNT(*), SUM(price_minor + topped_up_minor), '
        'COALESCE(SUM(worked_ms), 0) '
        "FROM assignments WHERE status = 'submitted' "
        "AND (review IS NULL OR review != 'withheld') "
        f'GROUP BY project_id, {hour}, worker_id')


def downgrade() -> None:
    op.drop_index('ix_hourly_earnings_worker', table_name='hourly_earnings')
    op.drop_table('hourly_earnings')
