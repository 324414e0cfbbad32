"""Notifications: per-user subscriptions (with each existing organization's primary contact, its first
owner, subscribed to the monthly statement and the weekly expiry notice), the record of every notice
sent (at most once per user and period), one-time tokens for password resets and invitations, and
organizations' low-balance alert threshold.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 02:58:08.736165
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import opsportal.models.types


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notification_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('period_key', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=10), server_default='pending', nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_error', sa.String(length=500), server_default='', nullable=False),
    sa.Column('to_address', sa.String(length=320), server_default='', nullable=False),
    sa.Column('subject', sa.String(length=300), server_default='', nullable=False),
    sa.Column('message_id', sa.String(length=255), nullable=True),
    sa.Column('created_at', opsportal.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_attempt_at', opsportal.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', opsportal.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('monthly_statement', 'weekly_expiry', 'low_balance', 'overdue_reminder')", name='ck_notification_delivery_kind'),
    sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name='ck_notification_delivery_status'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'kind', 'period_key', name='uq_notification_delivery_user_kind_period')
    )
    with op.batch_alter_table('notification_delivery', schema=None) as batch_op:
        batch_op.create_index('ix_notification_delivery_org_created', ['organization_id', 'created_at'], unique=False)
        batch_op.create_index('ix_notification_delivery_status_kind', ['status', 'kind'], unique=False)

    op.create_table('notification_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('subscribed', sa.Boolean(), nullable=False),
    sa.Column('updated_at', opsportal.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('changed_by_user_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('monthly_statement', 'weekly_expiry', 'low_balance', 'overdue_reminder')", name='ck_notification_subscription_kind'),
    sa.ForeignKeyConstraint(['changed_by_user_id'], ['user_account.id'], name='fk_notification_subscription_changed_by', ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'kind', name='uq_notification_subscription_user_kind')
    )
    op.create_table('one_time_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=10), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=320), server_default='', nullable=False),
    sa.Column('role', sa.String(length=20), nullable=True),
    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', opsportal.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', opsportal.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', opsportal.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(purpose = 'reset' AND user_id IS NOT NULL) OR (purpose = 'invite' AND organization_id IS NOT NULL AND role IS NOT NULL)", name='ck_one_time_token_target'),
    sa.CheckConstraint("purpose IN ('reset', 'invite')", name='ck_one_time_token_purpose'),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['user_account.id'], name='fk_one_time_token_created_by', ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('one_time_token', schema=None) as batch_op:
        batch_op.create_index('ix_one_time_token_org_purpose', ['organization_id', 'purpose', 'created_at'], unique=False)
        batch_op.create_index('ix_one_time_token_user_purpose', ['user_id', 'purpose', 'created_at'], unique=False)

    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('low_balance_threshold_minutes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('low_balance_crossing', sa.String(length=40), nullable=True))

    # New organizations subscribe their primary contact when it is created; existing ones get the same now.
    users = sa.table('user_account', sa.column('id', sa.Integer()), sa.column('organization_id', sa.Integer()),
                     sa.column('role', sa.String()), sa.column('is_active', sa.Boolean()))
    subscriptions = sa.table('notification_subscription', sa.column('user_id', sa.Integer()),
                             sa.column('kind', sa.String()), sa.column('subscribed', sa.Boolean()),
                             sa.column('updated_at', opsportal.models.types.UTCDateTime(timezone=True)))
    first_owners = (sa.select(sa.func.min(users.c.id)).where(users.c.role == 'owner', users.c.is_active == sa.true())
                    .group_by(users.c.organization_id))
    for kind in ('monthly_statement', 'weekly_expiry'):
        op.execute(subscriptions.insert().from_select(
            ['user_id', 'kind', 'subscribed', 'updated_at'],
            sa.select(users.c.id, sa.literal(kind), sa.true(), sa.func.current_timestamp())
            .where(users.c.id.in_(first_owners))))


def downgrade() -> None:
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_column('low_balance_crossing')
        batch_op.drop_column('low_balance_threshold_minutes')

    with op.batch_alter_table('one_time_token', schema=None) as batch_op:
        batch_op.drop_index('ix_one_time_token_user_purpose')
        batch_op.drop_index('ix_one_time_token_org_purpose')

    op.drop_table('one_time_token')
    op.drop_table('notification_subscription')
    with op.batch_alter_table('notification_delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_delivery_status_kind')
        batch_op.drop_index('ix_notification_delivery_org_created')

    op.drop_table('notification_delivery')