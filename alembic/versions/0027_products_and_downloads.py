"""Software assurance: products, versions and their lifecycle, release files, licences, the download log.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03 21:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from opsportal.models.types import UTCDateTime

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'software_product',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('name_key', sa.String(length=120), nullable=False),
        sa.Column('description', sa.String(length=500), server_default='', nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name_key'),
    )
    op.create_table(
        'product_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=40), nullable=False),
        sa.Column('number_key', sa.String(length=40), nullable=False),
        sa.Column('ga_date', sa.Date(), nullable=False),
        sa.Column('sunset_date', sa.Date(), nullable=True),
        sa.Column('eol_date', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['product_id'], ['software_product.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('product_id', 'number_key', name='uq_product_version_number'),
    )
    op.create_table(
        'product_release',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('notes', sa.Text(), server_default='', nullable=False),
        sa.Column('released_on', sa.Date(), nullable=False),
        sa.Column('file_name', sa.String(length=255), nullable=False),
        sa.Column('size_bytes', sa.BigInteger(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('storage', sa.String(length=20), nullable=False),
        sa.Column('storage_key', sa.String(length=200), nullable=False),
        sa.Column('uploaded_by_name', sa.String(length=200), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['version_id'], ['product_version.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_product_release_version', 'product_release', ['version_id', 'released_on'])
    op.create_table(
        'product_licence',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('region_code', sa.String(length=10), nullable=False),
        sa.Column('quantity', sa.Integer(), nullable=False),
        sa.Column('purchased_on', sa.Date(), nullable=False),
        sa.Column('note', sa.String(length=300), server_default='', nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id']),
        sa.ForeignKeyConstraint(['product_id'], ['software_product.id']),
        sa.ForeignKeyConstraint(['version_id'], ['product_version.id']),
        sa.ForeignKeyConstraint(['region_code'], ['support_region.code']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_product_licence_org', 'product_licence', ['organization_id', 'product_id'])
    op.create_table(
        'release_download',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('release_id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('user_name', sa.String(length=200), nullable=False),
        sa.Column('user_email', sa.String(length=320), nullable=False),
        sa.Column('downloaded_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['release_id'], ['product_release.id']),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id']),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_release_download_at', 'release_download', ['downloaded_at'])
    op.create_index('ix_release_download_org', 'release_download', ['organization_id', 'downloaded_at'])


def downgrade() -> None:
    op.drop_index('ix_release_download_org', table_name='release_download')
    op.drop_index('ix_release_download_at', table_name='release_download')
    op.drop_table('release_download')
    op.drop_index('ix_product_licence_org', table_name='product_licence')
    op.drop_table('product_licence')
    op.drop_index('ix_product_release_version', table_name='product_release')
    op.drop_table('product_release')
    op.drop_table('product_version')
    op.drop_table('software_product')
