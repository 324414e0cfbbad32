"""Kaizen credit details and reopened time reviews.

- ``product.tokens_per_credit``: the offers (tokens) one credit carries ("w/ 7 Tokens" offers: 7; 0: none shown);
  ``product.shows_usage_period``: whether the credit list shows a lot's service usage period (not for
  Kaizen Platform Jumpstart, seed 002).
- ``time_review.reopened_on``: the UTC day a staff correction returned an approved entry to "awaiting review"; its
  sign-off deadline runs from then (``domain.time_signoff.review_deadline``).
- Written-off entries drew nothing and cost nothing, but were stored as pay-as-you-go minutes: nothing to change in
  the rows (their split is what it was), the reads leave them out.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-03 20:40:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None

TOKENS = {"network_offer_7_tokens": 7, "targeting_offer_7_tokens": 7}
NO_USAGE_PERIOD = ("kaizen_jumpstart",)


def upgrade() -> None:
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tokens_per_credit', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('shows_usage_period', sa.Boolean(), server_default=sa.true(), nullable=False))
    product = sa.table('product', sa.column('code', sa.String), sa.column('tokens_per_credit', sa.Integer),
                       sa.column('shows_usage_period', sa.Boolean))
    for code, tokens in TOKENS.items():
        op.execute(product.update().where(product.c.code == code).values(tokens_per_credit=tokens))
    op.execute(product.update().where(product.c.code.in_(NO_USAGE_PERIOD)).values(shows_usage_period=False))
    with op.batch_alter_table('time_review', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reopened_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('time_review', schema=None) as batch_op:
        batch_op.drop_column('reopened_on')
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_column('shows_usage_period')
        batch_op.drop_column('tokens_per_credit')
