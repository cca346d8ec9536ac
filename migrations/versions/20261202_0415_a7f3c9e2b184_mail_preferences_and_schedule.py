"""Mail preferences per person and club, a club's reminder time, the one use of a
"Still coming?" mail, and which events were announced.

Revision ID: a7f3c9e2b184
Revises: 7e9437c68e59
Create Date: 2026-12-02 04:15:00.000000

"""
from alembic import op
import sqlalchemy as sa

import meetup.models.base


# revision identifiers, used by Alembic.
revision = 'a7f3c9e2b184'
down_revision = '7e9437c68e59'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'mail_settings',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('reminders', sa.Boolean(), nullable=False),
        sa.Column('still_coming', sa.Boolean(), nullable=False),
        sa.Column('organiser_alerts', sa.Boolean(), nullable=False),
        sa.Column('organiser_summary', sa.Boolean(), nullable=False),
        sa.Column('announcements', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_mail_settings_user_id_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_mail_settings')))
    op.create_table(
        'club_mail_settings',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('new_events', sa.Enum('immediately', 'weekly', 'off', name='newevents', native_enum=False, length=20), nullable=False),
        sa.Column('announcements', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['group_id'], ['group.id'], name=op.f('fk_club_mail_settings_group_id_group'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_club_mail_settings_user_id_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'group_id', name=op.f('pk_club_mail_settings')))
    with op.batch_alter_table('club_mail_settings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_club_mail_settings_group_id'), ['group_id'], unique=False)
    op.create_table(
        'group_reminder',
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('hours', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['group_id'], ['group.id'], name=op.f('fk_group_reminder_group_id_group'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('group_id', name=op.f('pk_group_reminder')))
    op.create_table(
        'still_coming_answer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('answer', sa.String(length=16), nullable=False),
        sa.Column('answered_at', meetup.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_still_coming_answer_event_id_event'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_still_coming_answer_user_id_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_still_coming_answer')),
        sa.UniqueConstraint('user_id', 'event_id', 'version', name=op.f('uq_still_coming_answer_user_id_event_id_version')))
    with op.batch_alter_table('still_coming_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_still_coming_answer_event_id'), ['event_id'], unique=False)
    op.create_table(
        'event_announcement',
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('announced_at', meetup.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_announcement_event_id_event'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('event_id', name=op.f('pk_event_announcement')))
    with op.batch_alter_table('event_announcement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_announcement_announced_at'), ['announced_at'], unique=False)
    # Events published before this change are not news: nobody is told of them now.
    op.execute("INSERT INTO event_announcement (event_id, announced_at) "
               "SELECT id, created_at FROM event")


def downgrade():
    with op.batch_alter_table('event_announcement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_announcement_announced_at'))
    op.drop_table('event_announcement')
    with op.batch_alter_table('still_coming_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_still_coming_answer_event_id'))
    op.drop_table('still_coming_answer')
    op.drop_table('group_reminder')
    with op.batch_alter_table('club_mail_settings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_club_mail_settings_group_id'))
    op.drop_table('club_mail_settings')
    op.drop_table('mail_settings')
