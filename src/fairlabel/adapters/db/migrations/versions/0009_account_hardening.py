"""accounts hardened: server-side sessions, expiring and revocable API tokens, e-mail skeletons

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-20

Sessions made before this revision carried only a user id in the signed cookie; they are no
longer accepted, so everyone signs in once more. Existing tokens keep working (no expiry).
Every existing address gets its skeleton (``domain.accounts.email_skeleton``), so that
look-alikes of existing accounts are refused; existing accounts are left as they are.
"""

import sqlalchemy as sa
from alembic import op

from fairlabel.domain.accounts import email_skeleton

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE',
                                name=op.f('fk_sessions_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sessions')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_sessions_token_hash')),
    )
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sessions_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_used_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_skeleton', sa.String(length=320), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_email_skeleton'), ['email_skeleton'],
                              unique=False)
    conn = op.get_bind()
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('email', sa.String),
                     sa.column('email_skeleton', sa.String))
    rows = conn.execute(sa.select(users.c.id, users.c.email)).all()
    if rows:
        conn.execute(users.update().where(users.c.id == sa.bindparam('uid'))
                     .values(email_skeleton=sa.bindparam('skeleton')),
                     [{'uid': r.id, 'skeleton': email_skeleton(r.email)} for r in rows])


def downgrade() -> None:
    # Plain ALTER TABLE … DROP COLUMN (PostgreSQL; SQLite 3.35+), not a batch: on SQLite a
    # batch rebuilds the table, and dropping `users` with foreign keys on would delete the
    # rows that refer to it (its tokens) or fail.
    op.drop_index(op.f('ix_users_email_skeleton'), table_name='users')
    for table, column in (('users', 'email_skeleton'), ('api_tokens', 'revoked_at'),
                          ('api_tokens', 'last_used_at'), ('api_tokens', 'expires_at')):
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
    op.drop_index(op.f('ix_sessions_user_id'), table_name='sessions')
    op.drop_table('sessions')
