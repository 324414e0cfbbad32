"""Each user's own time zone (None: their organization's home region's zone), and the organization's billing
details a finance team needs on an invoice: bill-to address, tax ID and the address invoices are sent to.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 06:45:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))
    with op.batch_alter_table('organization') as batch:
        batch.add_column(sa.Column('billing_address', sa.String(length=500), server_default='', nullable=False))
        batch.add_column(sa.Column('tax_id', sa.String(length=64), server_default='', nullable=False))
        batch.add_column(sa.Column('invoice_email', sa.String(length=320), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('organization') as batch:
        batch.drop_column('invoice_email')
        batch.drop_column('tax_id')
        batch.drop_column('billing_address')
    with op.batch_alter_table('user_account') as batch:
        batch.drop_column('time_zone')
