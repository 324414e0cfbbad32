"""Support plans: support regions (with the seed's Americas, EMEA and Asia Pacific), organizations' home and
other regions, the plan catalog (offerings and bundles, seeded with the default Gold, Premier and
pay-per-incident offer), entitlements, plan orders and incident requests paid by pre-service invoices, and the
audit log of staff changes.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 03:24:41.192070
"""
from __future__ import annotations

from datetime import UTC, datetime, time

import sqlalchemy as sa

import opsportal.models.types
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


SEEDED_AT = datetime(2026, 11, 22, tzinfo=UTC)
# (code, name, time zone, holiday country, subdivision): business hours 08:00-18:00, Monday to Friday.
REGIONS = [
    ("AMER", "Americas", "America/New_York", "US", None),
    ("EMEA", "Europe, Middle East and Africa", "Europe/London", "GB", "ENG"),
    ("APAC", "Asia Pacific", "Asia/Hong_Kong", "HK", None),
]
# (code, name, kind, price per 12 months, price per unit, unit minutes, minimum units), in USD.
OFFERINGS = [
    ("gold", "Gold Support", "base", 480_000, 0, 60, 1),
    ("business_day_after_hours", "Business-Day After-Hours", "addon", 240_000, 0, 60, 1),
    ("everyday_after_hours", "Everyday After-Hours", "addon", 420_000, 0, 60, 1),
    ("multi_regional", "Multi-Regional", "addon", 180_000, 0, 60, 1),
    ("extended_term", "Extended-Term", "addon", 360_000, 0, 60, 1),
    ("ppi_scheduled_after_hours", "Pay-Per-Incident Scheduled After-Hours", "incident", 0, 20_000, 60, 2),
    ("ppi_emergency_after_hours", "Pay-Per-Incident Emergency After-Hours", "incident", 0, 25_000, 60, 1),
]
BUNDLES = [
    ("everyday_global", "Everyday After-Hours + Multi-Regional", "everyday_after_hours,multi_regional", 1_000),
    ("premier_complete", "Everyday After-Hours + Multi-Regional + Extended-Term",
     "everyday_after_hours,extended_term,multi_regional", 1_500),
]


def _seed(region: sa.Table, offering: sa.Table, bundle: sa.Table) -> None:
    op.bulk_insert(region, [dict(code=c, name=n, time_zone=tz, holiday_country=hc, holiday_subdivision=hs,
                                 business_start=time(8, 0), business_end=time(18, 0), business_days="0,1,2,3,4")
                            for c, n, tz, hc, hs in REGIONS])
    op.bulk_insert(offering, [dict(code=c, name=n, kind=k, currency="USD", price_minor=p, unit_price_minor=u,
                                   unit_minutes=m, min_units=mu, active=True, updated_at=SEEDED_AT)
                              for c, n, k, p, u, m, mu in OFFERINGS])
    op.bulk_insert(bundle, [dict(code=c, name=n, addons=a, discount_bp=d, active=True, updated_at=SEEDED_AT)
                            for c, n, a, d in BUNDLES])


def upgrade() -> None:
    bundle = op.create_table('plan_bundle',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('addons', sa.String(length=300), nullable=False),
    sa.Column('discount_bp', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('updated_at', opsportal.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('discount_bp > 0 AND discount_bp <= 5000', name='ck_plan_bundle_discount'),
    sa.PrimaryKeyConstraint('code')
    )
    offering = op.create_table('plan_offering',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('price_minor', sa.Integer(), server_default='0', nullable=False),
    sa.Column('unit_price_minor', sa.Integer(), server_default='0', nullable=False),
    sa.Column('unit_minutes', sa.Integer(), server_default='60', nullable=False),
    sa.Column('min_units', sa.Integer(), server_default='1', nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('updated_at', opsportal.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("code IN ('gold', 'business_day_after_hours', 'everyday_after_hours', 'multi_regional', "
                       "'extended_term', 'ppi_scheduled_after_hours', 'ppi_emergency_after_hours')",
                       name='ck_plan_offering_code'),
    sa.CheckConstraint("kind IN ('base', 'addon', 'incident')", name='ck_plan_offering_kind'),
    sa.CheckConstraint('price_minor >= 0 AND unit_price_minor >= 0 AND unit_minutes > 0 AND min_units > 0',
                       name='ck_plan_offering_prices'),
    sa.PrimaryKeyConstraint('code')
    )
    region = op.create_table('support_region',
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('holiday_country', sa.String(length=3), nullable=False),
    sa.Column('holiday_subdivision', sa.String(length=10), nullable=True),
    sa.Column('business_start', sa.Time(), nullable=False),
    sa.Column('business_end', sa.Time(), nullable=False),
    sa.Column('business_days', sa.String(length=13), server_default='0,1,2,3,4', nullable=False),
    sa.CheckConstraint('business_start < business_end', name='ck_support_region_hours'),
    sa.PrimaryKeyConstraint('code')
    )
    _seed(region, offering, bundle)
    op.create_table('org_extra_region',
    sa.Column('organization_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('region_code', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ),
    sa.ForeignKeyConstraint(['region_code'], ['support_region.code'], ),
    sa.PrimaryKeyConstraint('organization_id', 'region_code')
    )
    op.create_table('org_support_profile',
    sa.Column('organization_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('home_region_code', sa.String(length=10), nullable=False),
    sa.Column('updated_at', opsportal.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['home_region_code'], ['support_region.code'], ),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ),
    sa.PrimaryKeyConstraint('organization_id')
    )
    op.create_table('plan_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', opsportal.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['actor_user_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('plan_audit', schema=None) as batch_op:
        batch_op.create_index('ix_plan_audit_at', ['at', 'id'], unique=False)

    op.create_table('incident_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('offering_code', sa.String(length=40), nullable=False),
    sa.Column('window_start', opsportal.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('window_end', opsportal.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expected_units', sa.Integer(), nullable=False),
    sa.Column('unit_minutes', sa.Integer(), nullable=False),
    sa.Column('unit_price_minor', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=True),
    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', opsportal.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('scheduled_at', opsportal.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('scheduled', 'emergency')", name='ck_incident_request_kind'),
    sa.CheckConstraint("status IN ('awaiting_payment', 'scheduled', 'cancelled')", name='ck_incident_request_status'),
    sa.CheckConstraint('window_end > window_start AND expected_units > 0 AND unit_minutes > 0',
                       name='ck_incident_request_terms'),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], ),
    sa.ForeignKeyConstraint(['lot_id'], ['credit_lot.id'], ),
    sa.ForeignKeyConstraint(['offering_code'], ['plan_offering.code'], ),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('invoice_id'),
    sa.UniqueConstraint('ticket_id')
    )
    with op.batch_alter_table('incident_request', schema=None) as batch_op:
        batch_op.create_index('ix_incident_request_org', ['organization_id', 'id'], unique=False)
        batch_op.create_index('ix_incident_request_org_window', ['organization_id', 'status', 'window_end'],
                              unique=False)

    op.create_table('plan_order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('region_code', sa.String(length=10), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('bundle_code', sa.String(length=40), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('total_minor', sa.Integer(), nullable=False),
    sa.Column('problem', sa.String(length=500), server_default='', nullable=False),
    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', opsportal.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('activated_at', opsportal.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'active', 'cancelled')", name='ck_plan_order_status'),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], ),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ),
    sa.ForeignKeyConstraint(['region_code'], ['support_region.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('invoice_id')
    )
    with op.batch_alter_table('plan_order', schema=None) as batch_op:
        batch_op.create_index('ix_plan_order_org', ['organization_id', 'id'], unique=False)

    op.create_table('plan_entitlement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('offering_code', sa.String(length=40), nullable=False),
    sa.Column('region_code', sa.String(length=10), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('extra_regions', sa.JSON(), nullable=False),
    sa.Column('versions', sa.JSON(), nullable=False),
    sa.Column('plan_order_id', sa.Integer(), nullable=True),
    sa.Column('source_invoice_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=300), server_default='', nullable=False),
    sa.Column('granted_by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', opsportal.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', opsportal.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoke_reason', sa.String(length=300), server_default='', nullable=False),
    sa.CheckConstraint('end_date > start_date', name='ck_plan_entitlement_dates'),
    sa.ForeignKeyConstraint(['granted_by_user_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['offering_code'], ['plan_offering.code'], ),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ),
    sa.ForeignKeyConstraint(['plan_order_id'], ['plan_order.id'], ),
    sa.ForeignKeyConstraint(['region_code'], ['support_region.code'], ),
    sa.ForeignKeyConstraint(['source_invoice_id'], ['invoice.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('plan_entitlement', schema=None) as batch_op:
        batch_op.create_index('ix_plan_entitlement_org', ['organization_id', 'end_date'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('plan_entitlement', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_entitlement_org')

    op.drop_table('plan_entitlement')
    with op.batch_alter_table('plan_order', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_order_org')

    op.drop_table('plan_order')
    with op.batch_alter_table('incident_request', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_request_org_window')
        batch_op.drop_index('ix_incident_request_org')

    op.drop_table('incident_request')
    with op.batch_alter_table('plan_audit', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_audit_at')

    op.drop_table('plan_audit')
    op.drop_table('org_support_profile')
    op.drop_table('org_extra_region')
    op.drop_table('support_region')
    op.drop_table('plan_offering')
    op.drop_table('plan_bundle')
