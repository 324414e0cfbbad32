"""Stored files (database storage: blobs in chunks) and ticket attachments.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 16:45:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from opsportal.models.types import UTCDateTime

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'stored_blob',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('size_bytes', sa.BigInteger(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key'),
    )
    op.create_table(
        'stored_blob_chunk',
        sa.Column('blob_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['blob_id'], ['stored_blob.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('blob_id', 'seq'),
    )
    op.create_table(
        'ticket_attachment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('comment_id', sa.Integer(), nullable=True),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('file_name', sa.String(length=255), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size_bytes', sa.BigInteger(), nullable=False),
        sa.Column('is_image', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('storage', sa.String(length=20), nullable=False),
        sa.Column('storage_key', sa.String(length=200), nullable=False),
        sa.Column('uploaded_by_user_id', sa.Integer(), nullable=True),
        sa.Column('uploaded_by_name', sa.String(length=200), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['comment_id'], ['ticket_comment.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id']),
        sa.ForeignKeyConstraint(['uploaded_by_user_id'], ['user_account.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_ticket_attachment_ticket', 'ticket_attachment', ['ticket_id', 'comment_id'])


def downgrade() -> None:
    op.drop_index('ix_ticket_attachment_ticket', table_name='ticket_attachment')
    op.drop_table('ticket_attachment')
    op.drop_table('stored_blob_chunk')
    op.drop_table('stored_blob')
