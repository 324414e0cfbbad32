"""Organizations (a tree), user accounts and login sessions.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-22 00:22:29.085797
"""
from __future__ import annotations

import sqlalchemy as sa

import opsportal.models.types
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('organization',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('name_key', sa.String(length=120), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('created_at', opsportal.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['organization.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name_key')
    )
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_parent_id'), ['parent_id'], unique=False)

    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('email_key', sa.String(length=320), nullable=False),
    sa.Column('full_name', sa.String(length=200), server_default='', nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_failed_login_at', opsportal.models.types.UTCDateTime(), nullable=True),
    sa.Column('last_login_at', opsportal.models.types.UTCDateTime(), nullable=True),
    sa.Column('password_changed_at', opsportal.models.types.UTCDateTime(), nullable=True),
    sa.Column('created_at', opsportal.models.types.UTCDateTime(), nullable=False),
    sa.CheckConstraint("(role IN ('agent', 'staff_admin') AND organization_id IS NULL) OR (role NOT IN ('agent', 'staff_admin') AND organization_id IS NOT NULL)", name='ck_user_account_org_matches_role'),
    sa.CheckConstraint("role IN ('owner', 'admin', 'billing', 'member', 'agent', 'staff_admin')", name='ck_user_account_role'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email_key')
    )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_account_organization_id'), ['organization_id'], unique=False)

    op.create_table('login_session',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', opsportal.models.types.UTCDateTime(), nullable=False),
    sa.Column('expires_at', opsportal.models.types.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', opsportal.models.types.UTCDateTime(), nullable=True),
    sa.Column('revoked_reason', sa.String(length=40), nullable=True),
    sa.Column('user_agent', sa.String(length=300), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_session_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_session_user_id'))

    op.drop_table('login_session')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_account_organization_id'))

    op.drop_table('user_account')
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_parent_id'))

    op.drop_table('organization')
