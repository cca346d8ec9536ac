"""Profiles (headline, topics, offers and needs, links, visibility); hidden RSVPs.

Revision ID: 874f518c4e76
Revises: e9a18f91d5c7
Create Date: 2026-11-21 21:53:48.619205

"""
from alembic import op
import sqlalchemy as sa

import meetup.models.base


# revision identifiers, used by Alembic.
revision = '874f518c4e76'
down_revision = 'e9a18f91d5c7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rsvp', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('headline', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('position', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('city', sa.String(length=80), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('topics', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('offers', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('needs', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('website', sa.String(length=255), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('linkedin', sa.String(length=255), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('xing', sa.String(length=255), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('bio', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('profile_visibility', sa.Enum('members', 'attendees', 'signed_in', name='profilevisibility', native_enum=False, length=20), nullable=False, server_default='members'))



def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('profile_visibility')
        batch_op.drop_column('bio')
        batch_op.drop_column('xing')
        batch_op.drop_column('linkedin')
        batch_op.drop_column('website')
        batch_op.drop_column('needs')
        batch_op.drop_column('offers')
        batch_op.drop_column('topics')
        batch_op.drop_column('city')
        batch_op.drop_column('position')
        batch_op.drop_column('headline')

    with op.batch_alter_table('rsvp', schema=None) as batch_op:
        batch_op.drop_column('hidden')

