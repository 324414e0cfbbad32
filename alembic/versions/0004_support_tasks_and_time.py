"""Support tasks and time: richer tickets, comments, time entries with corrections, hourly rates,
managed-service subscriptions, and the ledger entries a time entry drew.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 01:17:19.310502
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import opsportal.models.types


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def _RECREATE_ON_SQLITE() -> str:  # noqa: N802 - reads as a constant at the call site
    # SQLite changes CHECK constraints only by copying the table; PostgreSQL alters in place.
    return "always" if op.get_bind().dialect.name == "sqlite" else "auto"


def upgrade() -> None:
    op.create_table('service_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('minutes_per_period', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('rolls_over_once', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', opsportal.models.types.UTCDateTime(), nullable=False),
    sa.CheckConstraint("period IN ('monthly', 'quarterly')", name='ck_service_subscription_period'),
    sa.CheckConstraint('minutes_per_period > 0', name='ck_service_subscription_minutes'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('service_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_subscription_organization_id'), ['organization_id'], unique=False)

    op.create_table('subscription_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['lot_id'], ['credit_lot.id'], ),
    sa.ForeignKeyConstraint(['subscription_id'], ['service_subscription.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('subscription_id', 'period_start', name='uq_subscription_grant_period')
    )
    op.create_table('ticket_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('author_user_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=200), nullable=False),
    sa.Column('from_staff', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', opsportal.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_user_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ticket_comment', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_comment_ticket', ['ticket_id', 'id'], unique=False)

    op.create_table('time_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('agent_user_id', sa.Integer(), nullable=True),
    sa.Column('agent_name', sa.String(length=200), nullable=False),
    sa.Column('work_date', sa.Date(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=500), server_default='', nullable=False),
    sa.Column('after_hours', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('prepaid_minutes', sa.Integer(), server_default='0', nullable=False),
    sa.Column('payg_minutes', sa.Integer(), server_default='0', nullable=False),
    sa.Column('hourly_rate_minor', sa.Integer(), server_default='0', nullable=False),
    sa.Column('currency', sa.String(length=3), server_default='USD', nullable=False),
    sa.Column('payg_amount_minor', sa.Integer(), server_default='0', nullable=False),
    sa.Column('billed_invoice_id', sa.Integer(), nullable=True),
    sa.Column('created_at', opsportal.models.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', opsportal.models.types.UTCDateTime(), nullable=False),
    sa.CheckConstraint('minutes > 0', name='ck_time_entry_minutes_positive'),
    sa.CheckConstraint('prepaid_minutes >= 0 AND payg_minutes >= 0 AND prepaid_minutes + payg_minutes = minutes', name='ck_time_entry_split'),
    sa.ForeignKeyConstraint(['agent_user_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('time_entry', schema=None) as batch_op:
        batch_op.create_index('ix_time_entry_org_unbilled', ['organization_id', 'billed_invoice_id', 'work_date'], unique=False)
        batch_op.create_index('ix_time_entry_ticket', ['ticket_id', 'work_date'], unique=False)

    op.create_table('time_entry_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('time_entry_id', sa.Integer(), nullable=False),
    sa.Column('changed_by_user_id', sa.Integer(), nullable=True),
    sa.Column('changed_by_name', sa.String(length=200), nullable=False),
    sa.Column('changed_at', opsportal.models.types.UTCDateTime(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('old_work_date', sa.Date(), nullable=False),
    sa.Column('old_minutes', sa.Integer(), nullable=False),
    sa.Column('old_note', sa.String(length=500), nullable=False),
    sa.Column('new_work_date', sa.Date(), nullable=False),
    sa.Column('new_minutes', sa.Integer(), nullable=False),
    sa.Column('new_note', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_user_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['time_entry_id'], ['time_entry.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('time_entry_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_time_entry_revision_time_entry_id'), ['time_entry_id'], unique=False)

    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_entry_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_ledger_entry_time_entry_id'), ['time_entry_id'], unique=False)
        batch_op.create_foreign_key('fk_ledger_entry_time_entry', 'time_entry', ['time_entry_id'], ['id'])

    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hourly_rate_minor', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('currency', sa.String(length=3), server_default='USD', nullable=False))

    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('priority', sa.String(length=10), server_default='normal', nullable=False))
        batch_op.add_column(sa.Column('description', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('created_by_user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('assigned_agent_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('minutes_logged', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('updated_at', opsportal.models.types.UTCDateTime(), nullable=True))
    op.execute("UPDATE ticket SET updated_at = created_at")
    with op.batch_alter_table('ticket', schema=None, recreate=_RECREATE_ON_SQLITE()) as batch_op:
        batch_op.alter_column('updated_at', existing_type=opsportal.models.types.UTCDateTime(), nullable=False)
        batch_op.alter_column('status',
               existing_type=sa.VARCHAR(length=10),
               type_=sa.String(length=20),
               existing_nullable=False,
               existing_server_default=sa.text("'open'"))
        batch_op.drop_constraint('ck_ticket_status', type_='check')
        batch_op.create_check_constraint(
            'ck_ticket_status', "status IN ('open', 'in_progress', 'waiting_on_customer', 'resolved', 'closed')")
        batch_op.create_check_constraint('ck_ticket_priority', "priority IN ('low', 'normal', 'high', 'urgent')")
        batch_op.create_index('ix_ticket_agent_status', ['assigned_agent_id', 'status'], unique=False)
        batch_op.create_index('ix_ticket_org_updated', ['organization_id', 'updated_at'], unique=False)
        batch_op.create_index('ix_ticket_status_updated', ['status', 'updated_at'], unique=False)
        batch_op.create_foreign_key('fk_ticket_assigned_agent', 'user_account', ['assigned_agent_id'], ['id'])
        batch_op.create_foreign_key('fk_ticket_created_by', 'user_account', ['created_by_user_id'], ['id'])


def downgrade() -> None:
    op.execute("UPDATE ticket SET status = 'open' WHERE status IN ('in_progress', 'waiting_on_customer')")
    op.execute("UPDATE ticket SET status = 'closed' WHERE status = 'resolved'")
    with op.batch_alter_table('ticket', schema=None, recreate=_RECREATE_ON_SQLITE()) as batch_op:
        batch_op.drop_constraint('fk_ticket_assigned_agent', type_='foreignkey')
        batch_op.drop_constraint('fk_ticket_created_by', type_='foreignkey')
        batch_op.drop_constraint('ck_ticket_priority', type_='check')
        batch_op.drop_constraint('ck_ticket_status', type_='check')
        batch_op.create_check_constraint('ck_ticket_status', "status IN ('open', 'closed')")
        batch_op.drop_index('ix_ticket_status_updated')
        batch_op.drop_index('ix_ticket_org_updated')
        batch_op.drop_index('ix_ticket_agent_status')
        batch_op.alter_column('status',
               existing_type=sa.String(length=20),
               type_=sa.VARCHAR(length=10),
               existing_nullable=False,
               existing_server_default=sa.text("'open'"))
        batch_op.drop_column('updated_at')
        batch_op.drop_column('minutes_logged')
        batch_op.drop_column('assigned_agent_id')
        batch_op.drop_column('created_by_user_id')
        batch_op.drop_column('description')
        batch_op.drop_column('priority')

    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_column('currency')
        batch_op.drop_column('hourly_rate_minor')

    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.drop_constraint('fk_ledger_entry_time_entry', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_ledger_entry_time_entry_id'))
        batch_op.drop_column('time_entry_id')

    with op.batch_alter_table('time_entry_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_time_entry_revision_time_entry_id'))

    op.drop_table('time_entry_revision')
    with op.batch_alter_table('time_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_time_entry_ticket')
        batch_op.drop_index('ix_time_entry_org_unbilled')

    op.drop_table('time_entry')
    with op.batch_alter_table('ticket_comment', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_comment_ticket')

    op.drop_table('ticket_comment')
    op.drop_table('subscription_grant')
    with op.batch_alter_table('service_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_subscription_organization_id'))

    op.drop_table('service_subscription')
