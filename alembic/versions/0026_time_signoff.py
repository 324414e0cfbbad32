"""Time sign-off: one review record per time entry (approved, disputed, resolved, written off).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03 17:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from opsportal.models.types import UTCDateTime

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'time_review',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('time_entry_id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=30), nullable=False),
        sa.Column('reviewed_by_user_id', sa.Integer(), nullable=True),
        sa.Column('reviewed_by_name', sa.String(length=200), server_default='', nullable=False),
        sa.Column('reviewed_at', UTCDateTime(), nullable=True),
        sa.Column('disputed_by_user_id', sa.Integer(), nullable=True),
        sa.Column('disputed_by_name', sa.String(length=200), server_default='', nullable=False),
        sa.Column('disputed_at', UTCDateTime(), nullable=True),
        sa.Column('dispute_reason', sa.String(length=500), server_default='', nullable=False),
        sa.Column('resolution', sa.String(length=20), nullable=True),
        sa.Column('answer', sa.String(length=1000), server_default='', nullable=False),
        sa.Column('resolved_by_user_id', sa.Integer(), nullable=True),
        sa.Column('resolved_by_name', sa.String(length=200), server_default='', nullable=False),
        sa.Column('resolved_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['time_entry_id'], ['time_entry.id']),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id']),
        sa.ForeignKeyConstraint(['reviewed_by_user_id'], ['user_account.id'], name='fk_time_review_reviewer'),
        sa.ForeignKeyConstraint(['disputed_by_user_id'], ['user_account.id'], name='fk_time_review_disputer'),
        sa.ForeignKeyConstraint(['resolved_by_user_id'], ['user_account.id'], name='fk_time_review_resolver'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('time_entry_id', name='uq_time_review_entry'),
    )
    op.create_index('ix_time_review_state', 'time_review', ['state', 'disputed_at'])
    op.create_index('ix_time_review_org_state', 'time_review', ['organization_id', 'state'])


def downgrade() -> None:
    op.drop_index('ix_time_review_org_state', table_name='time_review')
    op.drop_index('ix_time_review_state', table_name='time_review')
    op.drop_table('time_review')
