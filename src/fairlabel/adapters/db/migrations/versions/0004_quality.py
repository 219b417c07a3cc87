"""quality: gold tasks, qualification, consensus

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

OPEN_TASK = 'taken < max_answers AND is_gold = {false} AND settled_at IS NULL'


def upgrade() -> None:
    op.create_table('qualification_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('correct', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_qualification_attempts_project_id_projects')),
    sa.ForeignKeyConstraint(['worker_id'], ['users.id'], name=op.f('fk_qualification_attempts_worker_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qualification_attempts'))
    )
    with op.batch_alter_table('qualification_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_qualification_attempts_worker', ['project_id', 'worker_id', 'id'], unique=False)
    op.create_index('uq_qualification_attempts_open', 'qualification_attempts',
                    ['project_id', 'worker_id'], unique=True,
                    sqlite_where=sa.text('finished_at IS NULL'),
                    postgresql_where=sa.text('finished_at IS NULL'))

    op.create_table('worker_skills',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('accuracy', sa.Float(), nullable=False),
    sa.Column('agreed', sa.Integer(), nullable=False),
    sa.Column('answers', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_worker_skills_project_id_projects')),
    sa.ForeignKeyConstraint(['worker_id'], ['users.id'], name=op.f('fk_worker_skills_worker_id_users')),
    sa.PrimaryKeyConstraint('project_id', 'worker_id', name=op.f('pk_worker_skills'))
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.String(length=14), server_default=sa.text("'work'"), nullable=False))
        batch_op.add_column(sa.Column('attempt_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('correct', sa.Boolean(), nullable=True))

    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gold_rate', sa.Float(), server_default=sa.text('0'), nullable=False))
        batch_op.add_column(sa.Column('gold_min_accuracy', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('gold_min_items', sa.Integer(), server_default=sa.text('5'), nullable=False))
        batch_op.add_column(sa.Column('qualification_size', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('qualification_pass_mark', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('qualification_retry_hours', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('consensus_method', sa.String(length=10), server_default=sa.text("'ds'"), nullable=False))
        batch_op.add_column(sa.Column('confidence_target', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('min_answers', sa.Integer(), server_default=sa.text('2'), nullable=False))
        batch_op.add_column(sa.Column('consensus_until', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_gold', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('gold_answer', sa.JSON(none_as_null=True), nullable=True))
        batch_op.add_column(sa.Column('consensus', sa.JSON(none_as_null=True), nullable=True))
        batch_op.add_column(sa.Column('confidence', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index('ix_tasks_gold', 'tasks', ['project_id', 'id'], unique=False,
                    sqlite_where=sa.text('is_gold = 1'),
                    postgresql_where=sa.text('is_gold = true'))
    # Open tasks are ordinary ones with room left that adaptive redundancy has not settled.
    op.drop_index('ix_tasks_open', table_name='tasks')
    op.create_index('ix_tasks_open', 'tasks', ['project_id', 'id'], unique=False,
                    sqlite_where=sa.text(OPEN_TASK.format(false=0)),
                    postgresql_where=sa.text(OPEN_TASK.format(false='false')))



def downgrade() -> None:
    op.drop_index('ix_tasks_open', table_name='tasks')
    op.create_index('ix_tasks_open', 'tasks', ['project_id', 'id'], unique=False,
                    sqlite_where=sa.text('taken < max_answers'),
                    postgresql_where=sa.text('taken < max_answers'))
    op.drop_index('ix_tasks_gold', table_name='tasks')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_column('settled_at')
        batch_op.drop_column('confidence')
        batch_op.drop_column('consensus')
        batch_op.drop_column('gold_answer')
        batch_op.drop_column('is_gold')

    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_column('consensus_until')
        batch_op.drop_column('min_answers')
        batch_op.drop_column('confidence_target')
        batch_op.drop_column('consensus_method')
        batch_op.drop_column('qualification_retry_hours')
        batch_op.drop_column('qualification_pass_mark')
        batch_op.drop_column('qualification_size')
        batch_op.drop_column('gold_min_items')
        batch_op.drop_column('gold_min_accuracy')
        batch_op.drop_column('gold_rate')

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_column('correct')
        batch_op.drop_column('attempt_id')
        batch_op.drop_column('purpose')

    op.drop_table('worker_skills')
    op.drop_index('uq_qualification_attempts_open', table_name='qualification_attempts')
    with op.batch_alter_table('qualification_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_qualification_attempts_worker')

    op.drop_table('qualification_attempts')
