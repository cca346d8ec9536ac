"""Events: speaker, guests, RSVP window, cancellation, series, sequence; waitlist, check-in.

Revision ID: 9b58df8e0200
Revises: 9b32ba60509c
Create Date: 2026-11-21 21:14:29.841138

"""
from alembic import op
import sqlalchemy as sa

import meetup.models.base


# revision identifiers, used by Alembic.
revision = '9b58df8e0200'
down_revision = '9b32ba60509c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('event_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('frequency', sa.Enum('weekly', 'monthly_weekday', 'monthly_day', name='seriesfrequency', native_enum=False, length=20), nullable=False),
    sa.Column('interval', sa.Integer(), nullable=False),
    sa.Column('until', meetup.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('count', sa.Integer(), nullable=True),
    sa.Column('created_at', meetup.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['group.id'], name=op.f('fk_event_series_group_id_group'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_series'))
    )
    with op.batch_alter_table('event_series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_series_group_id'), ['group_id'], unique=False)

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('speaker', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('speaker_bio', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('guests_allowed', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('rsvp_opens_at', meetup.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('rsvp_closes_at', meetup.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('cancel_reason', sa.String(length=500), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('series_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sequence', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('updated_at', meetup.models.base.UTCDateTime(timezone=True), nullable=False, server_default=sa.func.now()))
        batch_op.create_index(batch_op.f('ix_event_series_id'), ['series_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_event_created_by_id_user'), 'user', ['created_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_event_series_id_event_series'), 'event_series', ['series_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('rsvp', schema=None) as batch_op:
        batch_op.add_column(sa.Column('waitlisted_at', meetup.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('checked_in_at', meetup.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('updated_at', meetup.models.base.UTCDateTime(timezone=True), nullable=False, server_default=sa.func.now()))



def downgrade():
    with op.batch_alter_table('rsvp', schema=None) as batch_op:
        batch_op.drop_column('updated_at')
        batch_op.drop_column('checked_in_at')
        batch_op.drop_column('waitlisted_at')

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_event_series_id_event_series'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_event_created_by_id_user'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_event_series_id'))
        batch_op.drop_column('updated_at')
        batch_op.drop_column('created_by_id')
        batch_op.drop_column('sequence')
        batch_op.drop_column('series_id')
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('rsvp_closes_at')
        batch_op.drop_column('rsvp_opens_at')
        batch_op.drop_column('guests_allowed')
        batch_op.drop_column('speaker_bio')
        batch_op.drop_column('speaker')

    with op.batch_alter_table('event_series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_series_group_id'))

    op.drop_table('event_series')
