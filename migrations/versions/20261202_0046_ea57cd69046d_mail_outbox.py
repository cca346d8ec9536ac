"""The mail outbox: messages queued in the transaction that caused them, and
their delivery attempts.

Revision ID: ea57cd69046d
Revises: b7d41c2e9a30
Create Date: 2026-12-02 00:46:43.438148

"""
from alembic import op
import sqlalchemy as sa

import meetup.models.base


# revision identifiers, used by Alembic.
revision = 'ea57cd69046d'
down_revision = 'b7d41c2e9a30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('subject_key', sa.String(length=80), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('sender_name', sa.String(length=120), nullable=True),
    sa.Column('reply_to', sa.String(length=254), nullable=True),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=True),
    sa.Column('attachment', sa.LargeBinary(), nullable=True),
    sa.Column('attachment_method', sa.String(length=16), nullable=True),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('state', sa.Enum('waiting', 'sending', 'sent', 'failed', 'cancelled', name='outboxstate', native_enum=False, length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', meetup.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_by', sa.String(length=120), nullable=True),
    sa.Column('lease_until', meetup.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', meetup.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', meetup.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_outbox_message_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message')),
    sa.UniqueConstraint('message_id', name=op.f('uq_outbox_message_message_id')),
    sa.UniqueConstraint('recipient', 'kind', 'subject_key', 'version', name=op.f('uq_outbox_message_recipient_kind_subject_key_version'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_message_due', ['state', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_user_id'), ['user_id'], unique=False)

    op.create_table('outbox_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outbox_message_id', sa.Integer(), nullable=False),
    sa.Column('attempted_at', meetup.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.Enum('sent', 'temporary', 'permanent', 'expired', name='attemptoutcome', native_enum=False, length=20), nullable=False),
    sa.Column('reply', sa.Text(), nullable=False),
    sa.Column('sender', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['outbox_message_id'], ['outbox_message.id'], name=op.f('fk_outbox_attempt_outbox_message_id_outbox_message'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_attempt'))
    )
    with op.batch_alter_table('outbox_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_attempt_outbox_message_id'), ['outbox_message_id'], unique=False)



def downgrade():
    with op.batch_alter_table('outbox_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_attempt_outbox_message_id'))

    op.drop_table('outbox_attempt')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_user_id'))
        batch_op.drop_index('ix_outbox_message_due')

    op.drop_table('outbox_message')
