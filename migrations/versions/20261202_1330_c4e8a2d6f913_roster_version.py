"""Roster version: each event's attendee-list version, raised with every change to it.

Revision ID: c4e8a2d6f913
Revises: c4e2a7b9d013
Create Date: 2026-12-02 13:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e8a2d6f913'
down_revision = 'c4e2a7b9d013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('roster_version', sa.Integer(), server_default='0',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('roster_version')
