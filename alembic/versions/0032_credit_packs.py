"""Service-credit packs sold like hour blocks.

- ``hour_block.product_code``: what a block sells, ``support_hours`` (existing blocks) or ``service_credits``;
  ``hour_block.minutes`` becomes ``quantity``, in the product's unit (minutes, or credits).
- ``payment.block_product`` (the product bought, ``support_hours`` for the blocks already bought) and
  ``payment.block_minutes`` becomes ``block_quantity``.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-04 00:40:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def _recreate() -> str:
    # SQLite changes CHECK constraints only by copying the table; PostgreSQL alters in place.
    return "always" if op.get_bind().dialect.name == "sqlite" else "auto"


def upgrade() -> None:
    with op.batch_alter_table('hour_block', schema=None, recreate=_recreate()) as batch_op:
        batch_op.drop_constraint('ck_hour_block_terms', type_='check')
        batch_op.alter_column('minutes', new_column_name='quantity', existing_type=sa.Integer(),
                              existing_nullable=False)
        batch_op.add_column(sa.Column('product_code', sa.String(length=40), server_default='support_hours',
                                      nullable=False))
        batch_op.create_foreign_key('fk_hour_block_product', 'product', ['product_code'], ['code'])
        batch_op.create_check_constraint('ck_hour_block_terms',
                                         "quantity > 0 AND price_minor > 0 AND validity_days > 0")
        batch_op.create_check_constraint('ck_hour_block_product',
                                         "product_code IN ('support_hours', 'service_credits')")
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.alter_column('block_minutes', new_column_name='block_quantity', existing_type=sa.Integer(),
                              existing_nullable=True)
        batch_op.add_column(sa.Column('block_product', sa.String(length=40), nullable=True))
    payment = sa.table('payment', sa.column('purpose', sa.String), sa.column('block_product', sa.String))
    op.execute(payment.update().where(payment.c.purpose == 'hour_block').values(block_product='support_hours'))


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM hour_block WHERE product_code <> 'support_hours'"))
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_column('block_product')
        batch_op.alter_column('block_quantity', new_column_name='block_minutes', existing_type=sa.Integer(),
                              existing_nullable=True)
    with op.batch_alter_table('hour_block', schema=None, recreate=_recreate()) as batch_op:
        batch_op.drop_constraint('ck_hour_block_product', type_='check')
        batch_op.drop_constraint('ck_hour_block_terms', type_='check')
        batch_op.drop_constraint('fk_hour_block_product', type_='foreignkey')
        batch_op.drop_column('product_code')
        batch_op.alter_column('quantity', new_column_name='minutes', existing_type=sa.Integer(),
                              existing_nullable=False)
        batch_op.create_check_constraint('ck_hour_block_terms', "minutes > 0 AND price_minor > 0 AND validity_days > 0")
