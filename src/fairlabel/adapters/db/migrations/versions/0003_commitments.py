"""commitments, ending and the continuation guard

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice_days', sa.Integer(), server_default=sa.text('7'), nullable=False))
        batch_op.add_column(sa.Column('ends_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('ending_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('end_mode', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('end_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('paused_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('notice_liability_minor', sa.BigInteger(), server_default=sa.text('0'), nullable=False))
        batch_op.add_column(sa.Column('continuation_of', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('first_access_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_projects_continuation_of_projects'), 'projects', ['continuation_of'], ['id'])

    op.create_table('project_fingerprints',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.LargeBinary(), nullable=False),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_fingerprints_project_id_projects')),
    sa.PrimaryKeyConstraint('project_id', name=op.f('pk_project_fingerprints'))
    )



def downgrade() -> None:
    op.drop_table('project_fingerprints')
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_projects_continuation_of_projects'), type_='foreignkey')
        batch_op.drop_column('first_access_until')
        batch_op.drop_column('continuation_of')
        batch_op.drop_column('notice_liability_minor')
        batch_op.drop_column('paused_at')
        batch_op.drop_column('ended_at')
        batch_op.drop_column('end_reason')
        batch_op.drop_column('end_mode')
        batch_op.drop_column('ending_at')
        batch_op.drop_column('ends_on')
        batch_op.drop_column('notice_days')

