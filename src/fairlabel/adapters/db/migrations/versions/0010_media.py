"""media: a project's images (their bytes are kept by SHA-256 outside the database)

Revision ID: 0010
Revises: 0009
Create Date: 2027-01-10
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'media',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('content_type', sa.String(length=40), nullable=False),
        sa.Column('bytes', sa.BigInteger(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('width > 0 AND height > 0 AND bytes > 0',
                           name=op.f('ck_media_positive_sizes')),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'],
                                name=op.f('fk_media_project_id_projects')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_media')),
        sa.UniqueConstraint('project_id', 'name', name='uq_media_project_name'),
    )
    op.create_index('ix_media_sha256', 'media', ['sha256'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_media_sha256', table_name='media')
    op.drop_table('media')
