"""Organiser alerts: which events' organisers were told "full" or "waitlist forming"
(before, the outbox's rows were the record).

Revision ID: e61b4f2d9a83
Revises: c3d8e5a1f702
Create Date: 2026-12-02 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import meetup.models.base


# revision identifiers, used by Alembic.
revision = 'e61b4f2d9a83'
down_revision = 'c3d8e5a1f702'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'organiser_alert',
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('alerted_at', meetup.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_organiser_alert_event_id_event'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('event_id', 'kind', name=op.f('pk_organiser_alert')))
    # Alerts queued before this change are not sent again.
    op.execute("INSERT INTO organiser_alert (event_id, kind, alerted_at) "
               "SELECT event.id, outbox_message.kind, MIN(outbox_message.created_at) "
               "FROM outbox_message JOIN event "
               "ON outbox_message.subject_key = 'event:' || CAST(event.id AS VARCHAR(20)) "
               "WHERE outbox_message.kind IN ('event_full', 'waitlist_forming') "
               "GROUP BY event.id, outbox_message.kind")


def downgrade():
    op.drop_table('organiser_alert')
