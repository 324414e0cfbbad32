"""Services catalog: services priced in service credits, and the requests customers make from it.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-03 20:40:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from opsportal.models.types import UTCDateTime

revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'catalog_service',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('category', sa.String(length=60), nullable=False),
        sa.Column('price_credits', sa.Integer(), nullable=False),
        sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.CheckConstraint('price_credits > 0', name='ck_catalog_service_price'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )
    op.create_table(
        'service_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('service_id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('credits', sa.Integer(), nullable=False),
        sa.Column('requested_by_user_id', sa.Integer(), nullable=True),
        sa.Column('requested_at', UTCDateTime(), nullable=False),
        sa.Column('cancelled_at', UTCDateTime(), nullable=True),
        sa.Column('cancelled_by_user_id', sa.Integer(), nullable=True),
        sa.CheckConstraint('credits > 0', name='ck_service_request_credits'),
        sa.ForeignKeyConstraint(['service_id'], ['catalog_service.id']),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id']),
        sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id']),
        sa.ForeignKeyConstraint(['requested_by_user_id'], ['user_account.id'], name='fk_service_request_requester'),
        sa.ForeignKeyConstraint(['cancelled_by_user_id'], ['user_account.id'], name='fk_service_request_canceller'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('ticket_id'),
    )
    op.create_index('ix_service_request_org', 'service_request', ['organization_id', 'id'])
    op.create_index('ix_service_request_service_id', 'service_request', ['service_id'])


def downgrade() -> None:
    op.drop_index('ix_service_request_service_id', table_name='service_request')
    op.drop_index('ix_service_request_org', table_name='service_request')
    op.drop_table('service_request')
    op.drop_table('catalog_service')
