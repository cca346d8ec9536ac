"""After the evening: "we met" marks, contacts with their events, private cards
with tags and follow-ups, blocks.

Revision ID: 6d4f65396ce6
Revises: ea57cd69046d
Create Date: 2026-12-02 01:19:24.280014

"""
from alembic import op
import sqlalchemy as sa

import meetup.models.base


# revision identifiers, used by Alembic.
revision = '6d4f65396ce6'
down_revision = 'ea57cd69046d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('block',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('blocker_id', sa.Integer(), nullable=False),
    sa.Column('blocked_id', sa.Integer(), nullable=False),
    sa.Column('created_at', meetup.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['blocked_id'], ['user.id'], name=op.f('fk_block_blocked_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['blocker_id'], ['user.id'], name=op.f('fk_block_blocker_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_block')),
    sa.UniqueConstraint('blocker_id', 'blocked_id', name=op.f('uq_block_blocker_id_blocked_id'))
    )
    with op.batch_alter_table('block', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_block_blocked_id'), ['blocked_id'], unique=False)

    op.create_table('contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('first_id', sa.Integer(), nullable=False),
    sa.Column('second_id', sa.Integer(), nullable=False),
    sa.Column('created_at', meetup.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('first_id < second_id', name=op.f('ck_contact_ordered_pair')),
    sa.ForeignKeyConstraint(['first_id'], ['user.id'], name=op.f('fk_contact_first_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['second_id'], ['user.id'], name=op.f('fk_contact_second_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact')),
    sa.UniqueConstraint('first_id', 'second_id', name=op.f('uq_contact_first_id_second_id'))
    )
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_second_id'), ['second_id'], unique=False)

    op.create_table('contact_card',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('other_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('follow_up_on', sa.Date(), nullable=True),
    sa.Column('reminded_at', meetup.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', meetup.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], name=op.f('fk_contact_card_contact_id_contact'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['other_id'], ['user.id'], name=op.f('fk_contact_card_other_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_contact_card_owner_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_card')),
    sa.UniqueConstraint('owner_id', 'other_id', name=op.f('uq_contact_card_owner_id_other_id'))
    )
    with op.batch_alter_table('contact_card', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_card_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_card_follow_up_on'), ['follow_up_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_card_other_id'), ['other_id'], unique=False)

    op.create_table('contact_event',
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('created_at', meetup.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], name=op.f('fk_contact_event_contact_id_contact'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_contact_event_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('contact_id', 'event_id', name=op.f('pk_contact_event'))
    )
    with op.batch_alter_table('contact_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_event_event_id'), ['event_id'], unique=False)

    op.create_table('contact_tag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['card_id'], ['contact_card.id'], name=op.f('fk_contact_tag_card_id_contact_card'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_tag')),
    sa.UniqueConstraint('card_id', 'name', name=op.f('uq_contact_tag_card_id_name'))
    )
    op.create_table('meeting_mark',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('marker_id', sa.Integer(), nullable=False),
    sa.Column('marked_id', sa.Integer(), nullable=False),
    sa.Column('dismissed_at', meetup.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', meetup.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_meeting_mark_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['marked_id'], ['user.id'], name=op.f('fk_meeting_mark_marked_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['marker_id'], ['user.id'], name=op.f('fk_meeting_mark_marker_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_mark')),
    sa.UniqueConstraint('event_id', 'marker_id', 'marked_id', name=op.f('uq_meeting_mark_event_id_marker_id_marked_id'))
    )
    with op.batch_alter_table('meeting_mark', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_mark_marked_id'), ['marked_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_mark_marker_id'), ['marker_id'], unique=False)



def downgrade():
    with op.batch_alter_table('meeting_mark', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_mark_marker_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_mark_marked_id'))

    op.drop_table('meeting_mark')
    op.drop_table('contact_tag')
    with op.batch_alter_table('contact_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_event_event_id'))

    op.drop_table('contact_event')
    with op.batch_alter_table('contact_card', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_card_other_id'))
        batch_op.drop_index(batch_op.f('ix_contact_card_follow_up_on'))
        batch_op.drop_index(batch_op.f('ix_contact_card_contact_id'))

    op.drop_table('contact_card')
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_second_id'))

    op.drop_table('contact')
    with op.batch_alter_table('block', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_block_blocked_id'))

    op.drop_table('block')
