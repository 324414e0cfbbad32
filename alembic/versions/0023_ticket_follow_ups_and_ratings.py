"""Follow-up tickets (ticket.follow_up_of_id) and customers' satisfaction ratings (ticket_rating).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 16:40:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from opsportal.models.types import UTCDateTime

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ticket') as batch:
        batch.add_column(sa.Column('follow_up_of_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_ticket_follow_up_of', 'ticket', ['follow_up_of_id'], ['id'])
        batch.create_index('ix_ticket_follow_up_of_id', ['follow_up_of_id'])
    op.create_table(
        'ticket_rating',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('score', sa.String(length=10), nullable=False),
        sa.Column('comment', sa.String(length=1000), server_default='', nullable=False),
        sa.Column('rated_by_user_id', sa.Integer(), nullable=True),
        sa.Column('agent_user_id', sa.Integer(), nullable=True),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('rated_at', UTCDateTime(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.CheckConstraint("score IN ('good', 'bad')", name='ck_ticket_rating_score'),
        sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['rated_by_user_id'], ['user_account.id'], name='fk_ticket_rating_rated_by',
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['agent_user_id'], ['user_account.id'], name='fk_ticket_rating_agent',
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('ticket_id', name='uq_ticket_rating_ticket'),
    )
    op.create_index('ix_ticket_rating_organization_id', 'ticket_rating', ['organization_id'])
    op.create_index('ix_ticket_rating_month_agent', 'ticket_rating', ['month', 'agent_user_id', 'score'])
    op.create_index('ix_ticket_rating_rated_at', 'ticket_rating', ['rated_at', 'id'])


def downgrade() -> None:
    op.drop_index('ix_ticket_rating_rated_at', table_name='ticket_rating')
    op.drop_index('ix_ticket_rating_month_agent', table_name='ticket_rating')
    op.drop_index('ix_ticket_rating_organization_id', table_name='ticket_rating')
    op.drop_table('ticket_rating')
    with op.batch_alter_table('ticket') as batch:
        batch.drop_index('ix_ticket_follow_up_of_id')
        batch.drop_constraint('fk_ticket_follow_up_of', type_='foreignkey')
        batch.drop_column('follow_up_of_id')
