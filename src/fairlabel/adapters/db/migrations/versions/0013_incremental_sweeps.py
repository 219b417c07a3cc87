"""incremental sweeps: what each periodic job last saw of a project, so that a sweep visits
only the projects where something changed, and partial indexes for the rows a sweep looks for

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06

Each marker is the project's count of submitted answers (``project_holds.answers``, which every
submission raises) when the job last ran, or the time from which the job must look again
although no answer came. NULL means "never": every project is looked at once after the
upgrade, as before it.
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

AWAITING = "status = 'submitted' AND approved_at IS NULL AND review IS NULL"


def upgrade() -> None:
    # Plain ADD COLUMNs (no table copy on SQLite).
    op.add_column('projects', sa.Column('notice_answers', sa.BigInteger(), nullable=True))
    op.add_column('projects', sa.Column('notice_due_at', sa.DateTime(timezone=True),
                                        nullable=True))
    op.add_column('projects', sa.Column('pay_recheck', sa.Boolean(), nullable=False,
                                        server_default=sa.text('false')))
    op.add_column('projects', sa.Column('proposals_answers', sa.BigInteger(), nullable=True))
    op.add_column('projects', sa.Column('proposals_due_at', sa.DateTime(timezone=True),
                                        nullable=True))
    op.add_column('projects', sa.Column('consensus_answers', sa.BigInteger(), nullable=True))
    # Answers awaiting approval, in submission order: the approval job reads only those due.
    op.drop_index('ix_assignments_unapproved', table_name='assignments')
    # `status` first, constant as it is there: SQLite, without statistics, then prefers this
    # index to ix_assignments_lease, which leads with `status` too.
    op.create_index('ix_assignments_awaiting', 'assignments', ['status', 'submitted_at', 'id'],
                    sqlite_where=sa.text(AWAITING), postgresql_where=sa.text(AWAITING))
    op.create_index('ix_price_changes_pending', 'price_changes', ['effective_at'],
                    sqlite_where=sa.text('applied_at IS NULL'),
                    postgresql_where=sa.text('applied_at IS NULL'))


def downgrade() -> None:
    op.drop_index('ix_price_changes_pending', table_name='price_changes')
    op.drop_index('ix_assignments_awaiting', table_name='assignments')
    op.create_index('ix_assignments_unapproved', 'assignments',
                    ['status', 'approved_at', 'submitted_at'])
    # Plain ALTER TABLE … DROP COLUMN (PostgreSQL; SQLite 3.35+), not a batch: on SQLite a
    # batch rebuilds the table, and dropping `projects` would break its references.
    for column in ('consensus_answers', 'proposals_due_at', 'proposals_answers', 'pay_recheck',
                   'notice_due_at', 'notice_answers'):
        op.execute(f'ALTER TABLE projects DROP COLUMN {column}')
