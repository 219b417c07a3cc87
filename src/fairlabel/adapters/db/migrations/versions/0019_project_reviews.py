"""a project's reviews tallied as they happen: the public record counts no answers

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07

The public record of a requester (a page anyone may open) counted the submitted answers of
every project of theirs by review on each view: 1.5 s on SQLite for a requester of 3,000,000
answers. Each review now adds to its project's tally in ``project_reviews`` when its
transaction commits; this migration tallies the reviews made before it.
"""

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

REVIEWS = ('approved', 'auto_approved', 'rejected', 'withheld', 'overturned')


def upgrade() -> None:
    op.create_table(
        'project_reviews',
        sa.Column('project_id', sa.Integer(), sa.ForeignKey('projects.id'), primary_key=True),
        *(sa.Column(name, sa.BigInteger(), nullable=False, server_default=sa.text('0'))
          for name in REVIEWS))
    answers = sa.table('assignments', sa.column('project_id', sa.Integer),
                       sa.column('status', sa.String), sa.column('review', sa.String))
    reviews = sa.table('project_reviews', sa.column('project_id', sa.Integer),
                       *(sa.column(name, sa.BigInteger) for name in REVIEWS))
    tallies = (sa.select(answers.c.project_id,
                         *(sa.func.sum(sa.case((answers.c.review == name, 1), else_=0))
                           for name in REVIEWS))
               .where(answers.c.status == 'submitted', answers.c.review.is_not(None))
               .group_by(answers.c.project_id))
    op.execute(reviews.insert().from_select(['project_id', *REVIEWS], tallies))


def downgrade() -> None:
    op.drop_table('project_reviews')
