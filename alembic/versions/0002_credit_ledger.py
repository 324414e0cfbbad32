"""The credit ledger: products (seeded), lots, entries, holds, and minimal tickets.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 00:32:24.854382
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import opsportal.models.types


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


PRODUCTS = [
    # code, name, unit, allocatable (False: always shared with all organizations)
    ("support_hours", "Support hours", "minute", True),
    ("service_credits", "Service credits", "credit", True),
    ("kaizen_enterprise", "Kaizen Platform Enterprise", "credit", False),
    ("kaizen_demo", "Kaizen Platform (Demo)", "credit", False),
    ("kaizen_jumpstart", "Kaizen Platform Jumpstart", "credit", False),
    ("network_offer", "Network Offer", "credit", True),
    ("network_offer_7_tokens", "Network Offer (w/ 7 Tokens)", "credit", True),
    ("targeting_offer", "Targeting Offer", "credit", True),
    ("targeting_offer_7_tokens", "Targeting Offer (w/ 7 Tokens)", "credit", True),
]


def upgrade() -> None:
    op.create_table('product',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('unit', sa.String(length=10), nullable=False),
    sa.Column('allocatable', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('ticket',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=60), nullable=False),
    sa.Column('status', sa.String(length=10), server_default='open', nullable=False),
    sa.Column('created_at', opsportal.models.types.UTCDateTime(), nullable=False),
    sa.Column('closed_at', opsportal.models.types.UTCDateTime(), nullable=True),
    sa.CheckConstraint("status IN ('open', 'closed')", name='ck_ticket_status'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_org_status', ['organization_id', 'status'], unique=False)

    op.create_table('credit_lot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_code', sa.String(length=40), nullable=False),
    sa.Column('holder_org_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('origin', sa.String(length=30), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('granted_at', opsportal.models.types.UTCDateTime(), nullable=False),
    sa.Column('expires_at', opsportal.models.types.UTCDateTime(), nullable=True),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('assigned_org_id', sa.Integer(), nullable=True),
    sa.Column('remaining', sa.Integer(), nullable=False),
    sa.Column('held', sa.Integer(), server_default='0', nullable=False),
    sa.Column('note', sa.String(length=300), server_default='', nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', opsportal.models.types.UTCDateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('purchased', 'complimentary')", name='ck_credit_lot_kind'),
    sa.CheckConstraint("scope IN ('shared', 'org')", name='ck_credit_lot_scope'),
    sa.CheckConstraint('held >= 0 AND remaining >= held', name='ck_credit_lot_balance'),
    sa.CheckConstraint('quantity > 0', name='ck_credit_lot_quantity_positive'),
    sa.ForeignKeyConstraint(['assigned_org_id'], ['organization.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['holder_org_id'], ['organization.id'], ),
    sa.ForeignKeyConstraint(['product_code'], ['product.code'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('credit_lot', schema=None) as batch_op:
        batch_op.create_index('ix_credit_lot_assigned_product', ['assigned_org_id', 'product_code'], unique=False)
        batch_op.create_index('ix_credit_lot_holder_product', ['holder_org_id', 'product_code'], unique=False)

    op.create_table('credit_hold',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('product_code', sa.String(length=40), nullable=False),
    sa.Column('category', sa.String(length=60), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity >= 0', name='ck_credit_hold_quantity'),
    sa.ForeignKeyConstraint(['lot_id'], ['credit_lot.id'], ),
    sa.ForeignKeyConstraint(['org_id'], ['organization.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('lot_id', 'ticket_id', name='uq_credit_hold_lot_ticket')
    )
    with op.batch_alter_table('credit_hold', schema=None) as batch_op:
        batch_op.create_index('ix_credit_hold_org_product', ['org_id', 'product_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_hold_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('ledger_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('product_code', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('delta_remaining', sa.Integer(), nullable=False),
    sa.Column('delta_held', sa.Integer(), nullable=False),
    sa.Column('at', opsportal.models.types.UTCDateTime(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=60), nullable=True),
    sa.Column('reason', sa.String(length=300), server_default='', nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', opsportal.models.types.UTCDateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('grant', 'allocate', 'release', 'consume', 'expire', 'adjust', 'refund')", name='ck_ledger_entry_kind'),
    sa.CheckConstraint('quantity > 0', name='ck_ledger_entry_quantity_positive'),
    sa.ForeignKeyConstraint(['actor_user_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['lot_id'], ['credit_lot.id'], ),
    sa.ForeignKeyConstraint(['org_id'], ['organization.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_entry_lot', ['lot_id'], unique=False)
        batch_op.create_index('ix_ledger_entry_org_kind_at', ['org_id', 'kind', 'at'], unique=False)
        batch_op.create_index('ix_ledger_entry_ticket', ['ticket_id'], unique=False)
    product = sa.table("product", sa.column("code", sa.String), sa.column("name", sa.String),
                       sa.column("unit", sa.String), sa.column("allocatable", sa.Boolean),
                       sa.column("active", sa.Boolean))
    op.bulk_insert(product, [dict(code=c, name=n, unit=u, allocatable=a, active=True) for c, n, u, a in PRODUCTS])


def downgrade() -> None:
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_entry_ticket')
        batch_op.drop_index('ix_ledger_entry_org_kind_at')
        batch_op.drop_index('ix_ledger_entry_lot')

    op.drop_table('ledger_entry')
    with op.batch_alter_table('credit_hold', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_hold_ticket_id'))
        batch_op.drop_index('ix_credit_hold_org_product')

    op.drop_table('credit_hold')
    with op.batch_alter_table('credit_lot', schema=None) as batch_op:
        batch_op.drop_index('ix_credit_lot_holder_product')
        batch_op.drop_index('ix_credit_lot_assigned_product')

    op.drop_table('credit_lot')
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_org_status')

    op.drop_table('ticket')
    op.drop_table('product')
