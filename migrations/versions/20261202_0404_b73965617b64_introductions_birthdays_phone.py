"""Introductions over contacts (with the per-person switch), and a phone number
and birthday (day and month) that people share with their contacts.

Revision ID: b73965617b64
Revises: a7d3f9e2c61b
Create Date: 2026-12-02 04:04:19.072475

"""
from alembic import op
import sqlalchemy as sa

import meetup.models.base


# revision identifiers, used by Alembic.
revision = 'b73965617b64'
down_revision = 'a7d3f9e2c61b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('introduction_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('asker_id', sa.Integer(), nullable=False),
    sa.Column('via_id', sa.Integer(), nullable=False),
    sa.Column('second_id', sa.Integer(), nullable=True),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('open', 'declined', 'forwarded', 'accepted', 'refused', name='introductionstate', native_enum=False, length=16), nullable=False),
    sa.Column('created_at', meetup.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('forwarded_at', meetup.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_at', meetup.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['asker_id'], ['user.id'], name=op.f('fk_introduction_request_asker_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['second_id'], ['user.id'], name=op.f('fk_introduction_request_second_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_id'], ['user.id'], name=op.f('fk_introduction_request_target_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['via_id'], ['user.id'], name=op.f('fk_introduction_request_via_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_introduction_request')),
    sa.UniqueConstraint('asker_id', 'via_id', 'target_id', name=op.f('uq_introduction_request_asker_id_via_id_target_id'))
    )
    with op.batch_alter_table('introduction_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_introduction_request_target_id'), ['target_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_introduction_request_via_id'), ['via_id'], unique=False)

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('allow_introductions', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('phone', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('birthday_day', sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column('birthday_month', sa.SmallInteger(), nullable=True))



def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('birthday_month')
        batch_op.drop_column('birthday_day')
        batch_op.drop_column('phone')
        batch_op.drop_column('allow_introductions')

    with op.batch_alter_table('introduction_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_introduction_request_via_id'))
        batch_op.drop_index(batch_op.f('ix_introduction_request_target_id'))

    op.drop_table('introduction_request')
