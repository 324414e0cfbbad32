"""The change feed: committed changes of organizations and tasks that open pages follow.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 03:10:00
"""
from __future__ import annotations

import sqlalchemy as sa

import opsportal.models.types
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'change_event',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('topic', sa.String(length=40), nullable=False),
        sa.Column('at', opsportal.models.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_change_event_at', 'change_event', ['at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_change_event_at', table_name='change_event')
    op.drop_table('change_event')
