"""readers: each user's language, time zone and (requesters) public display name; decisions
and inbox messages kept as translatable templates

Revision ID: 0011
Revises: 0010
Create Date: 2027-01-20
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs (no table copy on SQLite: copying users would cascade-delete its
    # tokens and sessions).
    op.add_column('users', sa.Column('language', sa.String(length=8), nullable=True))
    op.add_column('users', sa.Column('time_zone', sa.String(length=64), nullable=True))
    op.add_column('users', sa.Column('display_name', sa.String(length=60), nullable=True))
    op.create_index('ix_users_display_name', 'users', ['display_name'], unique=True)
    op.add_column('decisions', sa.Column('explanation_msg', sa.JSON(), nullable=True))
    op.add_column('inbox_messages', sa.Column('subject_msg', sa.JSON(), nullable=True))
    op.add_column('inbox_messages', sa.Column('body_msg', sa.JSON(), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE … DROP COLUMN (PostgreSQL; SQLite 3.35+), not a batch: on SQLite a
    # batch rebuilds the table, and dropping `users` would delete its tokens and sessions.
    op.drop_index('ix_users_display_name', table_name='users')
    for table, column in (('inbox_messages', 'body_msg'), ('inbox_messages', 'subject_msg'),
                          ('decisions', 'explanation_msg'), ('users', 'display_name'),
                          ('users', 'time_zone'), ('users', 'language')):
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
