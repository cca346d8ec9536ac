"""Audit trail of organiser actions.

Revision ID: a7d3f9e2c61b
Revises: d81f3b6a5c20
Create Date: 2026-12-02 04:10:00.000000

"""
from alembic import op
import sqlalchemy as sa

import meetup.models.base


# revision identifiers, used by Alembic.
revision = 'a7d3f9e2c61b'
down_revision = 'd81f3b6a5c20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'audit_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('created_at', meetup.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('subject_type', sa.String(length=40), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=True),
        sa.Column('person_id', sa.Integer(), nullable=True),
        sa.Column('before', sa.JSON(), nullable=True),
        sa.Column('after', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['actor_id'], ['user.id'],
                                name=op.f('fk_audit_entry_actor_id_user'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['group_id'], ['group.id'],
                                name=op.f('fk_audit_entry_group_id_group'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['person_id'], ['user.id'],
                                name=op.f('fk_audit_entry_person_id_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry')),
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entry_group_created', ['group_id', 'created_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_created_at'), ['created_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_person_id'), ['person_id'],
                              unique=False)


def downgrade():
    op.drop_table('audit_entry')
