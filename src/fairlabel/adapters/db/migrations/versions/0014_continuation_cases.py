"""continuation cases: a relaunch under another requester account, held for a moderator; and
the LSH band keys of every fingerprint, so that the guard finds candidates through an index

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06

The band keys of the fingerprints already stored are filled in from their signatures (the
function below is a frozen copy of ``continuation.band_keys_of_signature``).
"""

import hashlib
import struct

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

_HEAD = "<BH3II"  # fingerprint format 1: version, task type length, 3 part sizes, signature
_BAND_BYTES = 12  # 3 slots of 4 bytes


def _band_keys(fingerprint: bytes) -> list[int]:
    version, n_kind, *sizes, n_sig = struct.unpack_from(_HEAD, fingerprint)
    if version != 1:
        return []
    start = struct.calcsize(_HEAD) + n_kind + 8 * sum(sizes)
    signature = fingerprint[start:start + n_sig]
    return [int.from_bytes(hashlib.blake2b(band.to_bytes(2, "little")
                                           + signature[band * _BAND_BYTES:(band + 1) * _BAND_BYTES],
                                           digest_size=8).digest(), "little", signed=True)
            for band in range(len(signature) // _BAND_BYTES)]


def upgrade() -> None:
    bands = op.create_table(
        'fingerprint_bands',
        sa.Column('band_key', sa.BigInteger(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'],
                                name=op.f('fk_fingerprint_bands_project_id_projects')),
        sa.PrimaryKeyConstraint('band_key', 'project_id', name=op.f('pk_fingerprint_bands')),
    )
    op.create_table(
        'continuation_cases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('earlier_id', sa.Integer(), nullable=False),
        sa.Column('requester_id', sa.Integer(), nullable=False),
        sa.Column('earlier_requester_id', sa.Integer(), nullable=False),
        sa.Column('price_minor', sa.BigInteger(), nullable=False),
        sa.Column('earlier_price_minor', sa.BigInteger(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('earlier_median_ms', sa.BigInteger(), nullable=True),
        sa.Column('score_instructions', sa.Float(), nullable=False),
        sa.Column('score_schema', sa.Float(), nullable=False),
        sa.Column('score_data', sa.Float(), nullable=False),
        sa.Column('score', sa.Float(), nullable=False),
        sa.Column('found_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('decided_by', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('back_paid_minor', sa.BigInteger(), nullable=False, server_default='0'),
        sa.Column('back_pay_owed_minor', sa.BigInteger(), nullable=False, server_default='0'),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'],
                                name=op.f('fk_continuation_cases_project_id_projects')),
        sa.ForeignKeyConstraint(['earlier_id'], ['projects.id'],
                                name=op.f('fk_continuation_cases_earlier_id_projects')),
        sa.ForeignKeyConstraint(['requester_id'], ['users.id'],
                                name=op.f('fk_continuation_cases_requester_id_users')),
        sa.ForeignKeyConstraint(['earlier_requester_id'], ['users.id'],
                                name=op.f('fk_continuation_cases_earlier_requester_id_users')),
        sa.ForeignKeyConstraint(['decided_by'], ['users.id'],
                                name=op.f('fk_continuation_cases_decided_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_continuation_cases')),
        sa.UniqueConstraint('project_id', 'earlier_id',
                            name=op.f('uq_continuation_cases_project_id')),
    )
    op.create_index('ix_continuation_cases_status', 'continuation_cases', ['status', 'id'])
    conn = op.get_bind()
    stored = sa.table('project_fingerprints', sa.column('project_id', sa.Integer()),
                      sa.column('fingerprint', sa.LargeBinary()))
    rows = [{'band_key': key, 'project_id': r.project_id}
            for r in conn.execute(sa.select(stored.c.project_id, stored.c.fingerprint))
            for key in sorted(set(_band_keys(bytes(r.fingerprint))))]
    if rows:
        op.bulk_insert(bands, rows)


def downgrade() -> None:
    op.drop_index('ix_continuation_cases_status', table_name='continuation_cases')
    op.drop_table('continuation_cases')
    op.drop_table('fingerprint_bands')
