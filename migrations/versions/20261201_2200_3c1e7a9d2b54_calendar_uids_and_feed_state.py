"""Calendar: stored event UIDs (existing events keep theirs) and feed states.

Revision ID: 3c1e7a9d2b54
Revises: 05af4457256e
Create Date: 2026-12-01 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import meetup.models.base


# revision identifiers, used by Alembic.
revision = '3c1e7a9d2b54'
down_revision = '05af4457256e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'calendar_feed_state',
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('etag', sa.String(length=64), nullable=False),
        sa.Column('modified_at', meetup.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_calendar_feed_state')),
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ical_uid', sa.String(length=255), nullable=True))
    # Events calendars already know keep the UID this installation gave them.
    op.execute("UPDATE event SET ical_uid = 'event-' || CAST(id AS VARCHAR(20)) || '@treffpunkt'")
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.alter_column('ical_uid', existing_type=sa.String(length=255), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_event_ical_uid'), ['ical_uid'])


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_event_ical_uid'), type_='unique')
        batch_op.drop_column('ical_uid')
    op.drop_table('calendar_feed_state')
