"""The outbox's recipients one row each (``outbox_recipient``, lower-cased, indexed by address) for the staff Mail
page's search by address; existing messages' recipients are copied in.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 13:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def _addresses(recipients: str) -> list[str]:
    # As opsportal.models.outbox.recipient_addresses was when this migration was written.
    found: list[str] = []
    for part in (recipients or "").replace(";", ",").split(","):
        address = part.strip().lower()[:320]
        if address and address not in found:
            found.append(address)
    return found


def upgrade() -> None:
    op.create_table('outbox_recipient',
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['outbox_message.id'], name='fk_outbox_recipient_message',
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('message_id', 'address')
    )
    with op.batch_alter_table('outbox_recipient', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_recipient_address', ['address'], unique=False)

    conn = op.get_bind()
    recipient = sa.table('outbox_recipient', sa.column('message_id', sa.Integer()), sa.column('address', sa.String()))
    last_id = 0
    while True:  # a thousand messages at a time
        rows = conn.execute(sa.text("SELECT id, recipients FROM outbox_message WHERE id > :after "
                                    "ORDER BY id LIMIT 1000"), {"after": last_id}).all()
        if not rows:
            break
        values = [{"message_id": i, "address": a} for i, recipients in rows for a in _addresses(recipients)]
        if values:
            conn.execute(recipient.insert(), values)
        last_id = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table('outbox_recipient', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_recipient_address')
    op.drop_table('outbox_recipient')
