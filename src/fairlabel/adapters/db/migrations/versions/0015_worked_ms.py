"""worked_ms: each answer's measured working time kept at submission, and an index of a
project's answers by it, so that the median is read at two offsets of the index

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06

The answers submitted before are filled in, in batches, with the time computed as the
application computes it (``round`` of the lease → submission seconds × 1000: a frozen copy of
``domain.assignment.worked_ms_between``), not by SQL, whose rounding differs between the
databases.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

MEASURED = "status = 'submitted'"
BATCH = 10_000


def _aware(moment: datetime | str) -> datetime:
    if isinstance(moment, str):  # SQLite hands back text where no type is declared
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _worked_ms(leased_at: datetime | str, submitted_at: datetime | str) -> int:
    return round((_aware(submitted_at) - _aware(leased_at)).total_seconds() * 1000)


def upgrade() -> None:
    op.add_column('assignments', sa.Column('worked_ms', sa.BigInteger(), nullable=True))
    conn = op.get_bind()
    table = sa.table('assignments', sa.column('id', sa.BigInteger()),
                     sa.column('leased_at', sa.DateTime(timezone=True)),
                     sa.column('submitted_at', sa.DateTime(timezone=True)),
                     sa.column('worked_ms', sa.BigInteger()))
    last = 0
    while True:
        rows = conn.execute(
            sa.select(table.c.id, table.c.leased_at, table.c.submitted_at)
            .where(table.c.submitted_at.is_not(None), table.c.id > last)
            .order_by(table.c.id).limit(BATCH)).all()
        if not rows:
            break
        conn.execute(sa.update(table).where(table.c.id == sa.bindparam('row_id'))
                     .values(worked_ms=sa.bindparam('ms')),
                     [{'row_id': r.id, 'ms': _worked_ms(r.leased_at, r.submitted_at)}
                      for r in rows])
        last = rows[-1].id
    op.create_index('ix_assignments_worked', 'assignments', ['project_id', 'worked_ms'],
                    sqlite_where=sa.text(MEASURED), postgresql_where=sa.text(MEASURED))


def downgrade() -> None:
    op.drop_index('ix_assignments_worked', table_name='assignments')
    # Plain ALTER TABLE … DROP COLUMN (PostgreSQL; SQLite 3.35+), not a batch (see 0013).
    op.execute('ALTER TABLE assignments DROP COLUMN worked_ms')
