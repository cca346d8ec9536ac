"""Data protection: deleted accounts waiting for the purge, recorded consents, and
the current choice about being named in attendee lists.

Revision ID: d81f3b6a5c20
Revises: a7f3c9e2b184
Create Date: 2026-12-02 04:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

import meetup.models.base


# revision identifiers, used by Alembic.
revision = 'd81f3b6a5c20'
down_revision = 'a7f3c9e2b184'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('listed_as_attendee', sa.Boolean(),
                                      server_default=sa.true(), nullable=False))
    op.create_table(
        'account_deletion',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=True),
        sa.Column('email', sa.String(length=254), nullable=True),
        sa.Column('password_hash', sa.String(length=255), nullable=True),
        sa.Column('locale', sa.String(length=8), nullable=True),
        sa.Column('deleted_at', meetup.models.base.UTCDateTime(), nullable=False),
        sa.Column('restore_until', meetup.models.base.UTCDateTime(), nullable=False),
        sa.Column('purged_at', meetup.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_account_deletion_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_account_deletion')),
    )
    with op.batch_alter_table('account_deletion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_deletion_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_deletion_restore_until'),
                              ['restore_until'], unique=False)
    op.create_table(
        'consent_record',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('granted', sa.Boolean(), nullable=False),
        sa.Column('recorded_at', meetup.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_consent_record_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_record')),
    )
    with op.batch_alter_table('consent_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consent_record_user_id'), ['user_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('consent_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consent_record_user_id'))
    op.drop_table('consent_record')
    with op.batch_alter_table('account_deletion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_deletion_restore_until'))
        batch_op.drop_index(batch_op.f('ix_account_deletion_email'))
    op.drop_table('account_deletion')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('listed_as_attendee')
