"""The customer audit log: who in an organization did what (sign-ins, credit allocations, notification choices,
invitations, payments, roles, passwords, two-step sign-in), when and from which address.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 13:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa

import opsportal.models.types
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', opsportal.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target', sa.String(length=300), server_default='', nullable=False),
    sa.Column('client_address', sa.String(length=45), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name='fk_audit_event_organization'),
    sa.ForeignKeyConstraint(['actor_user_id'], ['user_account.id'], name='fk_audit_event_actor'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_org_at', ['organization_id', 'occurred_at'], unique=False)
        batch_op.create_index('ix_audit_event_at', ['occurred_at'], unique=False)
        batch_op.create_index('ix_audit_event_actor_at', ['actor_user_id', 'occurred_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_actor_at')
        batch_op.drop_index('ix_audit_event_at')
        batch_op.drop_index('ix_audit_event_org_at')
    op.drop_table('audit_event')
