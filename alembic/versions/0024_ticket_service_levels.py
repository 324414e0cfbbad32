"""Service levels on tickets: the clock, first-response and resolution targets, the pause, the next due instant.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 17:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from opsportal.models.types import UTCDateTime

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ticket') as batch:
        batch.add_column(sa.Column('sla_clock', sa.String(length=120), nullable=True))
        batch.add_column(sa.Column('first_response_due_at', UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('first_responded_at', UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('resolution_due_at', UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('sla_paused_at', UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('sla_paused_minutes', sa.Integer(), server_default='0', nullable=False))
        batch.add_column(sa.Column('sla_due_at', UTCDateTime(), nullable=True))
        batch.create_index('ix_ticket_sla_due', ['sla_due_at', 'id'])
        batch.create_index('ix_ticket_first_response_due', ['first_response_due_at'])
        batch.create_index('ix_ticket_resolution_due', ['resolution_due_at'])


def downgrade() -> None:
    with op.batch_alter_table('ticket') as batch:
        batch.drop_index('ix_ticket_resolution_due')
        batch.drop_index('ix_ticket_first_response_due')
        batch.drop_index('ix_ticket_sla_due')
        for column in ('sla_due_at', 'sla_paused_minutes', 'sla_paused_at', 'resolution_due_at',
                       'first_responded_at', 'first_response_due_at', 'sla_clock'):
            batch.drop_column(column)
