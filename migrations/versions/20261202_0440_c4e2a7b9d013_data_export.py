"""Data exports prepared in the background: one row per person, with its file.

Revision ID: c4e2a7b9d013
Revises: 5a1f0c9e7b21
Create Date: 2026-12-02 04:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import meetup.models.base


# revision identifiers, used by Alembic.
revision = 'c4e2a7b9d013'
down_revision = '5a1f0c9e7b21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'data_export',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('requested_at', meetup.models.base.UTCDateTime(), nullable=False),
        sa.Column('started_at', meetup.models.base.UTCDateTime(), nullable=True),
        sa.Column('ready_at', meetup.models.base.UTCDateTime(), nullable=True),
        sa.Column('file_name', sa.String(length=80), nullable=True),
        sa.Column('expires_at', meetup.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_data_export_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_export')),
        sa.UniqueConstraint('user_id', name=op.f('uq_data_export_user_id')),
    )
    with op.batch_alter_table('data_export', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_export_expires_at'), ['expires_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('data_export', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_export_expires_at'))
    op.drop_table('data_export')
