"""consensus upkeep: the count of answers at a project's last whole refit, and a project's
submitted answers indexed by submission time, so that an update of its consensus reads only
the tasks that changed since its watermark

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07

``ix_assignments_project`` (project, status) gains the submission time as its third column:
the same index serves what it served, and the upkeep's counts and reads by submission time.
A project refit before this migration has no count of its last refit, so its next upkeep is a
refit (``domain/consensus_upkeep.py``).
"""

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('projects', sa.Column('consensus_fit_answers', sa.BigInteger(), nullable=True))
    op.drop_index('ix_assignments_project', table_name='assignments')
    op.create_index('ix_assignments_project', 'assignments',
                    ['project_id', 'status', 'submitted_at'])


def downgrade() -> None:
    op.drop_index('ix_assignments_project', table_name='assignments')
    op.create_index('ix_assignments_project', 'assignments', ['project_id', 'status'])
    # Plain ALTER TABLE … DROP COLUMN (PostgreSQL; SQLite 3.35+), not a batch (see 0013).
    op.execute('ALTER TABLE projects DROP COLUMN consensus_fit_answers')
