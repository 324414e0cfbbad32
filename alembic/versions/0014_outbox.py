"""The outbox: every message the mailer sent or failed to send (recipients, subject, kind, organization, when,
status with the error, and the text and HTML bodies), for the staff Mail page.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 10:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa

import opsportal.models.types
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', opsportal.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('sender', sa.String(length=320), server_default='', nullable=False),
    sa.Column('recipients', sa.String(length=1000), nullable=False),
    sa.Column('subject', sa.String(length=300), server_default='', nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('error', sa.String(length=500), server_default='', nullable=False),
    sa.Column('message_id', sa.String(length=255), nullable=True),
    sa.Column('text', sa.Text(), server_default='', nullable=False),
    sa.Column('html', sa.Text(), server_default='', nullable=False),
    sa.CheckConstraint("status IN ('sent', 'failed')", name='ck_outbox_message_status'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name='fk_outbox_message_organization',
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_message_created', ['created_at'], unique=False)
        batch_op.create_index('ix_outbox_message_status_created', ['status', 'created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_message_status_created')
        batch_op.drop_index('ix_outbox_message_created')
    op.drop_table('outbox_message')
