"""Mail preferences: a switch for the contact follow-up reminder (on for everyone).

Revision ID: c3d8e5a1f702
Revises: c4e8a2d6f913
Create Date: 2026-12-02 13:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3d8e5a1f702'
down_revision = 'c4e8a2d6f913'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('mail_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('follow_ups', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))


def downgrade():
    with op.batch_alter_table('mail_settings', schema=None) as batch_op:
        batch_op.drop_column('follow_ups')
