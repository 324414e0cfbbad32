"""Ticket conversation by e-mail: the ticket_updates notification kind, what each update's e-mail says, and the log
of e-mail received at the support address.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 17:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from opsportal.models.types import UTCDateTime

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

_OLD_KINDS = "('monthly_statement', 'weekly_expiry', 'low_balance', 'overdue_reminder')"
_NEW_KINDS = "('monthly_statement', 'weekly_expiry', 'low_balance', 'overdue_reminder', 'ticket_updates')"


def _kinds(kinds: str) -> None:
    for table in ('notification_subscription', 'notification_delivery'):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(f'ck_{table}_kind', type_='check')
            batch_op.create_check_constraint(f'ck_{table}_kind', f"kind IN {kinds}")


def upgrade() -> None:
    _kinds(_NEW_KINDS)
    op.create_table(
        'ticket_mail_update',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('actor_name', sa.String(length=200), nullable=False),
        sa.Column('from_staff', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('comment_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['comment_id'], ['ticket_comment.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_ticket_mail_update_ticket', 'ticket_mail_update', ['ticket_id', 'id'])
    op.create_table(
        'inbound_mail',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('received_at', UTCDateTime(), nullable=False),
        sa.Column('envelope_from', sa.String(length=320), server_default='', nullable=False),
        sa.Column('from_address', sa.String(length=320), server_default='', nullable=False),
        sa.Column('to_address', sa.String(length=320), server_default='', nullable=False),
        sa.Column('subject', sa.String(length=300), server_default='', nullable=False),
        sa.Column('message_id', sa.String(length=255), nullable=True),
        sa.Column('size_bytes', sa.Integer(), server_default='0', nullable=False),
        sa.Column('outcome', sa.String(length=20), nullable=False),
        sa.Column('reason', sa.String(length=500), server_default='', nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('organization_id', sa.Integer(), nullable=True),
        sa.Column('comment_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("outcome IN ('comment_added', 'ticket_opened', 'refused', 'duplicate')",
                           name='ck_inbound_mail_outcome'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['comment_id'], ['ticket_comment.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_inbound_mail_received', 'inbound_mail', ['received_at', 'id'])
    op.create_index('ix_inbound_mail_message_id', 'inbound_mail', ['message_id'])


def downgrade() -> None:
    op.drop_index('ix_inbound_mail_message_id', table_name='inbound_mail')
    op.drop_index('ix_inbound_mail_received', table_name='inbound_mail')
    op.drop_table('inbound_mail')
    op.drop_index('ix_ticket_mail_update_ticket', table_name='ticket_mail_update')
    op.drop_table('ticket_mail_update')
    op.execute("DELETE FROM notification_delivery WHERE kind = 'ticket_updates'")
    op.execute("DELETE FROM notification_subscription WHERE kind = 'ticket_updates'")
    _kinds(_OLD_KINDS)
