"""decisions, appeals, access blocks, ratings and testimonies

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

APPEND_ONLY_FUNCTION = """
CREATE FUNCTION decisions_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'decisions are append-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql
"""
APPEND_ONLY_TRIGGER = """
CREATE TRIGGER decisions_append_only BEFORE UPDATE OR DELETE ON decisions
FOR EACH ROW EXECUTE FUNCTION decisions_refuse_change()
"""


def upgrade() -> None:
    op.create_table('ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('pay', sa.Integer(), nullable=False),
    sa.Column('communication', sa.Integer(), nullable=False),
    sa.Column('fairness', sa.Integer(), nullable=False),
    sa.Column('promptness', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('pay BETWEEN 1 AND 5 AND communication BETWEEN 1 AND 5 AND fairness BETWEEN 1 AND 5 AND promptness BETWEEN 1 AND 5', name=op.f('ck_ratings_scores_1_to_5')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_ratings_project_id_projects')),
    sa.ForeignKeyConstraint(['requester_id'], ['users.id'], name=op.f('fk_ratings_requester_id_users')),
    sa.ForeignKeyConstraint(['worker_id'], ['users.id'], name=op.f('fk_ratings_worker_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ratings')),
    sa.UniqueConstraint('project_id', 'worker_id', name='uq_ratings_project_worker')
    )
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ratings_requester_id'), ['requester_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ratings_worker_id'), ['worker_id'], unique=False)

    op.create_table('testimonies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('moderated_by', sa.Integer(), nullable=True),
    sa.Column('moderated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('moderation_reason', sa.Text(), nullable=True),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.Column('replied_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['moderated_by'], ['users.id'], name=op.f('fk_testimonies_moderated_by_users')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_testimonies_project_id_projects')),
    sa.ForeignKeyConstraint(['requester_id'], ['users.id'], name=op.f('fk_testimonies_requester_id_users')),
    sa.ForeignKeyConstraint(['worker_id'], ['users.id'], name=op.f('fk_testimonies_worker_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_testimonies'))
    )
    with op.batch_alter_table('testimonies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_testimonies_requester_id'), ['requester_id'], unique=False)
        batch_op.create_index('ix_testimonies_status', ['status', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_testimonies_worker_id'), ['worker_id'], unique=False)

    op.create_table('decisions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('assignment_id', sa.BigInteger(), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('rule', sa.String(length=80), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('inputs', sa.JSON(), nullable=False),
    sa.Column('outcome', sa.String(length=200), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('follows_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_decisions_assignment_id_assignments')),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_decisions_decided_by_users')),
    sa.ForeignKeyConstraint(['follows_id'], ['decisions.id'], name=op.f('fk_decisions_follows_id_decisions')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_decisions_project_id_projects')),
    sa.ForeignKeyConstraint(['worker_id'], ['users.id'], name=op.f('fk_decisions_worker_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decisions')),
    sa.UniqueConstraint('follows_id', name=op.f('uq_decisions_follows_id'))
    )
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.create_index('ix_decisions_project', ['project_id', 'kind'], unique=False)
        batch_op.create_index('ix_decisions_status', ['status', 'id'], unique=False)
        batch_op.create_index('ix_decisions_worker', ['worker_id', 'id'], unique=False)

    op.create_table('access_blocks',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], name=op.f('fk_access_blocks_decision_id_decisions')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_access_blocks_project_id_projects')),
    sa.ForeignKeyConstraint(['worker_id'], ['users.id'], name=op.f('fk_access_blocks_worker_id_users')),
    sa.PrimaryKeyConstraint('project_id', 'worker_id', name=op.f('pk_access_blocks'))
    )
    op.create_table('appeals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.BigInteger(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deadline_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('resolved_by', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], name=op.f('fk_appeals_decision_id_decisions')),
    sa.ForeignKeyConstraint(['resolved_by'], ['users.id'], name=op.f('fk_appeals_resolved_by_users')),
    sa.ForeignKeyConstraint(['worker_id'], ['users.id'], name=op.f('fk_appeals_worker_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appeals')),
    sa.UniqueConstraint('decision_id', name=op.f('uq_appeals_decision_id'))
    )
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.create_index('ix_appeals_deadline', ['status', 'deadline_at'], unique=False)
        batch_op.create_index('ix_appeals_queue', ['status', 'created_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appeals_worker_id'), ['worker_id'], unique=False)

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review', sa.String(length=20), nullable=True))

    if op.get_context().dialect.name == "postgresql":
        op.execute(APPEND_ONLY_FUNCTION)
        op.execute(APPEND_ONLY_TRIGGER)


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS decisions_append_only ON decisions")
        op.execute("DROP FUNCTION IF EXISTS decisions_refuse_change()")
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_column('review')

    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appeals_worker_id'))
        batch_op.drop_index('ix_appeals_queue')
        batch_op.drop_index('ix_appeals_deadline')

    op.drop_table('appeals')
    op.drop_table('access_blocks')
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_index('ix_decisions_worker')
        batch_op.drop_index('ix_decisions_status')
        batch_op.drop_index('ix_decisions_project')

    op.drop_table('decisions')
    with op.batch_alter_table('testimonies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_testimonies_worker_id'))
        batch_op.drop_index('ix_testimonies_status')
        batch_op.drop_index(batch_op.f('ix_testimonies_requester_id'))

    op.drop_table('testimonies')
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ratings_worker_id'))
        batch_op.drop_index(batch_op.f('ix_ratings_requester_id'))

    op.drop_table('ratings')
