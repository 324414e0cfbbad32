"""An issued invoice keeps the bill-to details it was issued with (organization name, billing address, tax ID):
a later edit of the organization's billing details changes the next invoices, never an issued one. NULL: not
issued yet (a draft), or issued before this revision (shown with the organization's current details).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 08:25:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('invoice') as batch:
        batch.add_column(sa.Column('bill_to_name', sa.String(length=120), nullable=True))
        batch.add_column(sa.Column('bill_to_address', sa.String(length=500), nullable=True))
        batch.add_column(sa.Column('bill_to_tax_id', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('invoice') as batch:
        batch.drop_column('bill_to_tax_id')
        batch.drop_column('bill_to_address')
        batch.drop_column('bill_to_name')
