"""Join policies: applications, invitations, bans; group logo; company and industry.

Revision ID: 9b32ba60509c
Revises: fb363ecd09c4
Create Date: 2026-11-21 20:39:07.080974

"""
from alembic import op
import sqlalchemy as sa

import meetup.models.base


# revision identifiers, used by Alembic.
revision = '9b32ba60509c'
down_revision = 'fb363ecd09c4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'declined', name='applicationstatus', native_enum=False, length=20), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', meetup.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', meetup.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_application_decided_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['group_id'], ['group.id'], name=op.f('fk_application_group_id_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_application_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application')),
    sa.UniqueConstraint('group_id', 'user_id', name=op.f('uq_application_group_id_user_id'))
    )
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_user_id'), ['user_id'], unique=False)

    op.create_table('ban',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('banned_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', meetup.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['banned_by_id'], ['user.id'], name=op.f('fk_ban_banned_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['group_id'], ['group.id'], name=op.f('fk_ban_group_id_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_ban_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ban')),
    sa.UniqueConstraint('group_id', 'user_id', name=op.f('uq_ban_group_id_user_id'))
    )
    with op.batch_alter_table('ban', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ban_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ban_user_id'), ['user_id'], unique=False)

    op.create_table('invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('max_uses', sa.Integer(), nullable=True),
    sa.Column('uses', sa.Integer(), nullable=False),
    sa.Column('expires_at', meetup.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', meetup.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', meetup.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_invitation_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['group_id'], ['group.id'], name=op.f('fk_invitation_group_id_group'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation')),
    sa.UniqueConstraint('token', name=op.f('uq_invitation_token'))
    )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_group_id'), ['group_id'], unique=False)

    with op.batch_alter_table('group', schema=None) as batch_op:
        batch_op.add_column(sa.Column('logo', sa.String(length=80), nullable=True))

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('company', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('industry', sa.String(length=80), nullable=False, server_default=''))



def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('industry')
        batch_op.drop_column('company')

    with op.batch_alter_table('group', schema=None) as batch_op:
        batch_op.drop_column('logo')

    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_group_id'))

    op.drop_table('invitation')
    with op.batch_alter_table('ban', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ban_user_id'))
        batch_op.drop_index(batch_op.f('ix_ban_group_id'))

    op.drop_table('ban')
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_user_id'))
        batch_op.drop_index(batch_op.f('ix_application_group_id'))

    op.drop_table('application')
