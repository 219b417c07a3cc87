"""graded answers indexed by project: a project's gold scores read its graded answers alone

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07

A project's gold scores (each worker's graded answers and how many were right: the quality
view and every refit of its consensus) were read by scanning every answer of the project for
the few that were graded: 0.8 s on SQLite for a project of 3,000,000 answers. The partial index
holds only the graded ones (``correct`` is set on gold answers alone), with what the count
reads, so that the scores are read from it alone.
"""

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

GRADED = 'correct IS NOT NULL'


def upgrade() -> None:
    op.create_index('ix_assignments_graded', 'assignments',
                    ['project_id', 'worker_id', 'status', 'correct'],
                    sqlite_where=sa.text(GRADED), postgresql_where=sa.text(GRADED))


def downgrade() -> None:
    op.drop_index('ix_assignments_graded', table_name='assignments')
