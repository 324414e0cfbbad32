"""Billing and payments: invoices with gapless numbers and lines, Stripe payments, their attempts and
processed events, the hour-block catalog, organizations' tax rate and payment terms, and the link from
a billed time entry to its invoice.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 02:39:01.943786
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import opsportal.models.types


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('hour_block',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('price_minor', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('validity_days', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('updated_at', opsportal.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('minutes > 0 AND price_minor > 0 AND validity_days > 0', name='ck_hour_block_terms'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('invoice_counter',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_number', sa.Integer(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('year')
    )
    op.create_table('stripe_event',
    sa.Column('id', sa.String(length=255), nullable=False),
    sa.Column('type', sa.String(length=100), nullable=False),
    sa.Column('outcome', sa.String(length=300), nullable=False),
    sa.Column('received_at', opsportal.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('invoice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=True),
    sa.Column('issue_date', sa.Date(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('subtotal_minor', sa.Integer(), nullable=False),
    sa.Column('tax_rate_bp', sa.Integer(), nullable=False),
    sa.Column('tax_minor', sa.Integer(), nullable=False),
    sa.Column('total_minor', sa.Integer(), nullable=False),
    sa.Column('amount_paid_minor', sa.Integer(), server_default='0', nullable=False),
    sa.Column('memo', sa.String(length=500), server_default='', nullable=False),
    sa.Column('paid_at', opsportal.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('voided_at', opsportal.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('void_reason', sa.String(length=300), server_default='', nullable=False),
    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', opsportal.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('post_service', 'pre_service', 'hour_block')", name='ck_invoice_kind'),
    sa.CheckConstraint("status = 'draft' OR number IS NOT NULL", name='ck_invoice_numbered'),
    sa.CheckConstraint("status IN ('draft', 'open', 'paid', 'void')", name='ck_invoice_status'),
    sa.CheckConstraint('amount_paid_minor >= 0', name='ck_invoice_paid'),
    sa.CheckConstraint('subtotal_minor >= 0 AND tax_minor >= 0 AND total_minor = subtotal_minor + tax_minor', name='ck_invoice_totals'),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.create_index('ix_invoice_org_issued', ['organization_id', 'issue_date', 'id'], unique=False)
        batch_op.create_index('ix_invoice_org_status_due', ['organization_id', 'status', 'due_date'], unique=False)

    op.create_table('invoice_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=10), nullable=False),
    sa.Column('unit_price_minor', sa.Integer(), nullable=False),
    sa.Column('amount_minor', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("unit IN ('minute', 'each')", name='ck_invoice_line_unit'),
    sa.CheckConstraint('quantity > 0 AND unit_price_minor >= 0 AND amount_minor >= 0', name='ck_invoice_line_amounts'),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('invoice_line', schema=None) as batch_op:
        batch_op.create_index('ix_invoice_line_invoice', ['invoice_id', 'position'], unique=False)

    op.create_table('payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=True),
    sa.Column('amount_minor', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('hour_block_id', sa.Integer(), nullable=True),
    sa.Column('block_minutes', sa.Integer(), nullable=True),
    sa.Column('block_price_minor', sa.Integer(), nullable=True),
    sa.Column('block_validity_days', sa.Integer(), nullable=True),
    sa.Column('tax_rate_bp', sa.Integer(), server_default='0', nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=80), nullable=False),
    sa.Column('stripe_session_id', sa.String(length=255), nullable=True),
    sa.Column('checkout_url', sa.Text(), nullable=True),
    sa.Column('stripe_payment_intent_id', sa.String(length=255), nullable=True),
    sa.Column('last_error', sa.String(length=500), server_default='', nullable=False),
    sa.Column('problem', sa.String(length=500), server_default='', nullable=False),
    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', opsportal.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', opsportal.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('completed_at', opsportal.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("purpose IN ('invoice', 'hour_block')", name='ck_payment_purpose'),
    sa.CheckConstraint("status IN ('creating', 'open', 'succeeded', 'expired')", name='ck_payment_status'),
    sa.CheckConstraint('amount_minor > 0', name='ck_payment_amount'),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['hour_block_id'], ['hour_block.id'], ),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], ),
    sa.ForeignKeyConstraint(['lot_id'], ['credit_lot.id'], ),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key'),
    sa.UniqueConstraint('stripe_session_id')
    )
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index('ix_payment_invoice', ['invoice_id'], unique=False)
        batch_op.create_index('ix_payment_org_created', ['organization_id', 'created_at'], unique=False)
        batch_op.create_index('ix_payment_status', ['status'], unique=False)

    op.create_table('payment_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('message', sa.String(length=500), server_default='', nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('stripe_event_id', sa.String(length=255), nullable=True),
    sa.Column('occurred_at', opsportal.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("outcome IN ('succeeded', 'declined')", name='ck_payment_attempt_outcome'),
    sa.ForeignKeyConstraint(['payment_id'], ['payment.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('payment_attempt', schema=None) as batch_op:
        batch_op.create_index('ix_payment_attempt_payment', ['payment_id', 'occurred_at'], unique=False)

    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tax_rate_bp', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('payment_terms_days', sa.Integer(), server_default='30', nullable=False))

    with op.batch_alter_table('time_entry', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_time_entry_billed_invoice', 'invoice', ['billed_invoice_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('time_entry', schema=None) as batch_op:
        batch_op.drop_constraint('fk_time_entry_billed_invoice', type_='foreignkey')

    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_column('payment_terms_days')
        batch_op.drop_column('tax_rate_bp')

    with op.batch_alter_table('payment_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_payment_attempt_payment')

    op.drop_table('payment_attempt')
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index('ix_payment_status')
        batch_op.drop_index('ix_payment_org_created')
        batch_op.drop_index('ix_payment_invoice')

    op.drop_table('payment')
    with op.batch_alter_table('invoice_line', schema=None) as batch_op:
        batch_op.drop_index('ix_invoice_line_invoice')

    op.drop_table('invoice_line')
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.drop_index('ix_invoice_org_status_due')
        batch_op.drop_index('ix_invoice_org_issued')

    op.drop_table('invoice')
    op.drop_table('stripe_event')
    op.drop_table('invoice_counter')
    op.drop_table('hour_block')
