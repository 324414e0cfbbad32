"""Phone support and support terms: support phone numbers per region, versioned support terms and conditions,
and each customer's acceptance of a version when buying a plan or add-on.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-03 20:40:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from opsportal.models.types import UTCDateTime

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'support_phone',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('region_code', sa.String(length=10), nullable=False),
        sa.Column('label', sa.String(length=80), nullable=False),
        sa.Column('number', sa.String(length=16), nullable=False),
        sa.Column('position', sa.Integer(), server_default='0', nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['region_code'], ['support_region.code']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('region_code', 'number', name='uq_support_phone_region_number'),
    )
    op.create_index('ix_support_phone_region', 'support_phone', ['region_code', 'position', 'id'])
    op.create_table(
        'support_terms_version',
        sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('summary', sa.String(length=500), server_default='', nullable=False),
        sa.Column('published_at', UTCDateTime(), nullable=False),
        sa.Column('published_by_user_id', sa.Integer(), nullable=True),
        sa.Column('published_by_name', sa.String(length=200), server_default='', nullable=False),
        sa.ForeignKeyConstraint(['published_by_user_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('version'),
    )
    op.create_table(
        'support_terms_acceptance',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('user_name', sa.String(length=200), nullable=False),
        sa.Column('plan_order_id', sa.Integer(), nullable=True),
        sa.Column('purchase', sa.String(length=500), nullable=False),
        sa.Column('accepted_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['version'], ['support_terms_version.version']),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id']),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id']),
        sa.ForeignKeyConstraint(['plan_order_id'], ['plan_order.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('plan_order_id'),
    )
    op.create_index('ix_support_terms_acceptance_org', 'support_terms_acceptance', ['organization_id', 'id'])
    op.create_index('ix_support_terms_acceptance_at', 'support_terms_acceptance', ['accepted_at', 'id'])


def downgrade() -> None:
    op.drop_index('ix_support_terms_acceptance_at', table_name='support_terms_acceptance')
    op.drop_index('ix_support_terms_acceptance_org', table_name='support_terms_acceptance')
    op.drop_table('support_terms_acceptance')
    op.drop_table('support_terms_version')
    op.drop_index('ix_support_phone_region', table_name='support_phone')
    op.drop_table('support_phone')
