"""Ledger indexes found by bench/ledger.py: a covering index for the summary's usage sums.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 01:00:00

``credit_views.summary`` sums each product's consumption over the last 30 days. Through
``ix_ledger_entry_org_kind_at`` that reads one table row per entry (about 14,000 scattered rows
for an organization with 100,000 entries a year); with product and quantity in the index it is
an index-only scan on both SQLite and PostgreSQL. The old index is a prefix of the new one and
is dropped.
"""
from __future__ import annotations

from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_ledger_entry_org_kind_at_product_qty', 'ledger_entry',
                    ['org_id', 'kind', 'at', 'product_code', 'quantity'], unique=False)
    op.drop_index('ix_ledger_entry_org_kind_at', table_name='ledger_entry')


def downgrade() -> None:
    op.create_index('ix_ledger_entry_org_kind_at', 'ledger_entry', ['org_id', 'kind', 'at'], unique=False)
    op.drop_index('ix_ledger_entry_org_kind_at_product_qty', table_name='ledger_entry')
