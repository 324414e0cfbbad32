"""Sessions remember the address they were opened from (the Account page lists a user's sessions).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 13:15:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_address', sa.String(length=64), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.drop_column('client_address')
