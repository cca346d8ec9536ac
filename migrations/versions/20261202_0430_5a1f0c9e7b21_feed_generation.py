"""Feed generation: a counter raised after every change a calendar feed may show.

Revision ID: 5a1f0c9e7b21
Revises: b73965617b64
Create Date: 2026-12-02 04:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5a1f0c9e7b21'
down_revision = 'b73965617b64'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'feed_generation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('value', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_generation')),
    )
    op.bulk_insert(table, [{'id': 1, 'value': 0}])


def downgrade():
    op.drop_table('feed_generation')
