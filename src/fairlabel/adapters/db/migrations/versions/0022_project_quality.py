"""what a project's quality summary shows, kept as its tasks change: the summary no longer
reads every task

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07

The quality summary of the requester's project page and API (tasks with a consensus, settled
tasks, answers saved by settling, mean confidence) was summed over every task of the project
on each view: 0.26 s on SQLite, 0.12 s on PostgreSQL at 1,000,000 tasks. Each change to an
ordinary task's consensus, confidence, settlement, or answers once settled now adds to its
project's row (``adapters/db/quality_totals.py``); this migration sums the tasks there are
once.
"""

import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'project_quality',
        sa.Column('project_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('with_consensus', sa.BigInteger(), nullable=False),
        sa.Column('settled', sa.BigInteger(), nullable=False),
        sa.Column('answers_saved', sa.BigInteger(), nullable=False),
        sa.Column('confidences', sa.BigInteger(), nullable=False),
        sa.Column('confidence_sum', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('project_id'),
    )
    false = 'false' if op.get_bind().dialect.name == 'postgresql' else '0'
    op.execute(
        'INSERT INTO project_quality (project_id, with_consensus, settled, answers_saved, '
        'confidences, confidence_sum) '
        'SELECT project_id, COUNT(consensus), COUNT(settled_at), COALESCE(SUM('
        'CASE WHEN settled_at IS NOT NULL THEN max_answers - answered ELSE 0 END), 0), '
        'COUNT(confidence), COALESCE(SUM(confidence), 0) '
        f'FROM tasks WHERE is_gold = {false} '
        'GROUP BY project_id '
        'HAVING COUNT(consensus) > 0 OR COUNT(settled_at) > 0 OR COUNT(confidence) > 0')


def downgrade() -> None:
    op.drop_table('project_quality')
