"""answers hold what can still be owed: per-project answer totals; every lease holds escrow

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

Leases made before 0007 (``escrow_hold`` false) moved their price and allowance to the
project's reserved account when served. From here on every live lease holds its reservation
in the escrow, so those leases become holds; the money they moved, and the per-answer
allowances that submitted answers kept on the reserved account until approval, go back to
the escrow at the next submission or sweep, which keep the reserved account at the answers'
hold (``domain/holds.py``). The totals of each project's submitted answers are filled in here.
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    holds = op.create_table(
        'project_holds',
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('answers', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
        sa.Column('bound_ms', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
        sa.Column('lowest_paid_minor', sa.BigInteger(), nullable=False),
        sa.Column('pivot_ms', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
        sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'],
                                name=op.f('fk_project_holds_project_id_projects')),
        sa.PrimaryKeyConstraint('project_id', name=op.f('pk_project_holds')),
    )
    conn = op.get_bind()
    projects = sa.table('projects', sa.column('id', sa.Integer),
                        sa.column('pay_amount_minor', sa.BigInteger))
    assignments = sa.table('assignments', sa.column('project_id', sa.Integer),
                           sa.column('status', sa.String), sa.column('price_minor', sa.BigInteger),
                           sa.column('topped_up_minor', sa.BigInteger),
                           sa.column('leased_at', sa.DateTime(timezone=True)),
                           sa.column('submitted_at', sa.DateTime(timezone=True)))
    rows = []
    for project in conn.execute(sa.select(projects.c.id, projects.c.pay_amount_minor)):
        answers = worked = 0
        lowest = project.pay_amount_minor
        for row in conn.execute(sa.select(assignments).where(
                assignments.c.project_id == project.id,
                assignments.c.status.in_(('submitted', 'leased')))):
            if row.status == 'leased':
                lowest = min(lowest, row.price_minor)
                continue
            answers += 1
            # max(pivot, 2·t − pivot) with the pivot 0 (the sweep raises it to the median)
            worked += 2 * round((row.submitted_at - row.leased_at).total_seconds() * 1000)
            lowest = min(lowest, row.price_minor + row.topped_up_minor)
        rows.append({'project_id': project.id, 'answers': answers, 'bound_ms': worked,
                     'lowest_paid_minor': lowest})
    if rows:
        op.bulk_insert(holds, rows)
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_column('escrow_hold')


def downgrade() -> None:
    # Every lease holds escrow in this revision, as 0007's held leases did.
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('escrow_hold', sa.Boolean(), server_default=sa.true(),
                                      nullable=False))
    op.drop_table('project_holds')
