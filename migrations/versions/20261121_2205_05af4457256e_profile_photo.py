"""Profile photo: the file name of the cleaned, resized PNG.

Revision ID: 05af4457256e
Revises: 874f518c4e76
Create Date: 2026-11-21 22:05:25.624653

"""
from alembic import op
import sqlalchemy as sa

import meetup.models.base


# revision identifiers, used by Alembic.
revision = '05af4457256e'
down_revision = '874f518c4e76'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('photo', sa.String(length=80), nullable=True))



def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('photo')

