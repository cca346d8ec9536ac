"""RSVP: the status before a check-in, so an undo restores it exactly.

Revision ID: c4e2a8f1d7b3
Revises: 6d4f65396ce6
Create Date: 2026-12-02 01:46:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e2a8f1d7b3'
down_revision = '6d4f65396ce6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rsvp', schema=None) as batch_op:
        batch_op.add_column(sa.Column('before_check_in', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('rsvp', schema=None) as batch_op:
        batch_op.drop_column('before_check_in')
