"""Support plans: regions, organizations' regions, the plan catalog, entitlements, orders, incidents, audit.

The rules live in ``domain.plan_catalog``, ``domain.plan_terms``, ``domain.plan_purchase``, ``domain.incidents``,
``domain.coverage`` and ``domain.regions``; these tables hold the data staff edit (regions, offerings, bundles)
and what organizations bought (entitlements), are buying (plan orders, incident requests: both pre-service
invoices) and every staff change (the audit log).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    true,
)
from sqlmodel import Field, SQLModel

from opsportal import clock
from opsportal.models.types import UTCDateTime

OFFERING_CODES = ("gold", "business_day_after_hours", "everyday_after_hours", "multi_regional", "extended_term",
                  "ppi_scheduled_after_hours", "ppi_emergency_after_hours")


class SupportRegion(SQLModel, table=True):
    """A support region: its time zone, local business hours and business days, its public holidays."""

    __tablename__ = "support_region"
    __table_args__ = (CheckConstraint("business_start < business_end", name="ck_support_region_hours"),)

    code: str = Field(sa_column=Column(String(10), primary_key=True))
    name: str = Field(sa_column=Column(String(80), nullable=False))
    time_zone: str = Field(sa_column=Column(String(64), nullable=False))
    holiday_country: str = Field(sa_column=Column(String(3), nullable=False))
    holiday_subdivision: str | None = Field(default=None, sa_column=Column(String(10)))
    business_start: time = Field(sa_column=Column(Time, nullable=False))
    business_end: time = Field(sa_column=Column(Time, nullable=False))
    business_days: str = Field(default="0,1,2,3,4", sa_column=Column(String(13), nullable=False,
                                                                     server_default="0,1,2,3,4"))


class OrgSupportProfile(SQLModel, table=True):
    """An organization's home region: where its software was bought (Gold Support's business hours)."""

    __tablename__ = "org_support_profile"

    organization_id: int = Field(sa_column=Column(Integer, ForeignKey("organization.id"), primary_key=True,
                                                  autoincrement=False))
    home_region_code: str = Field(sa_column=Column(String(10), ForeignKey("support_region.code"), nullable=False))
    updated_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))


class OrgExtraRegion(SQLModel, table=True):
    """Another region an organization has teams in (covered in business hours with Multi-Regional)."""

    __tablename__ = "org_extra_region"

    organization_id: int = Field(sa_column=Column(Integer, ForeignKey("organization.id"), primary_key=True,
                                                  autoincrement=False))
    region_code: str = Field(sa_column=Column(String(10), ForeignKey("support_region.code"), primary_key=True))


class PlanOffering(SQLModel, table=True):
    """An offering on the catalog; its code carries the rules (domain.plan_catalog.OfferingCode), the rest is data."""

    __tablename__ = "plan_offering"
    __table_args__ = (
        CheckConstraint("code IN (" + ", ".join(f"'{c}'" for c in OFFERING_CODES) + ")",
                        name="ck_plan_offering_code"),
        CheckConstraint("kind IN ('base', 'addon', 'incident')", name="ck_plan_offering_kind"),
        CheckConstraint("price_minor >= 0 AND unit_price_minor >= 0 AND unit_minutes > 0 AND min_units > 0",
                        name="ck_plan_offering_prices"),
    )

    code: str = Field(sa_column=Column(String(40), primary_key=True))
    name: str = Field(sa_column=Column(String(120), nullable=False))
    kind: str = Field(sa_column=Column(String(10), nullable=False))
    currency: str = Field(sa_column=Column(String(3), nullable=False))
    price_minor: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    unit_price_minor: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    unit_minutes: int = Field(default=60, sa_column=Column(Integer, nullable=False, server_default="60"))
    min_units: int = Field(default=1, sa_column=Column(Integer, nullable=False, server_default="1"))
    active: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, server_default=true()))
    updated_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))


class PlanBundle(SQLModel, table=True):
    """Premier add-ons sold together at a discount (``addons``: their codes, comma separated)."""

    __tablename__ = "plan_bundle"
    __table_args__ = (CheckConstraint("discount_bp > 0 AND discount_bp <= 5000", name="ck_plan_bundle_discount"),)

    code: str = Field(sa_column=Column(String(40), primary_key=True))
    name: str = Field(sa_column=Column(String(120), nullable=False))
    addons: str = Field(sa_column=Column(String(300), nullable=False))
    discount_bp: int = Field(sa_column=Column(Integer, nullable=False))
    active: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, server_default=true()))
    updated_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))


class PlanOrder(SQLModel, table=True):
    """A purchase of plan terms waiting for its pre-service invoice to be paid; activated once it is."""

    __tablename__ = "plan_order"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'active', 'cancelled')", name="ck_plan_order_status"),
        Index("ix_plan_order_org", "organization_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(sa_column=Column(Integer, ForeignKey("organization.id"), nullable=False))
    invoice_id: int = Field(sa_column=Column(Integer, ForeignKey("invoice.id"), nullable=False, unique=True))
    status: str = Field(default="pending", sa_column=Column(String(10), nullable=False))
    region_code: str = Field(sa_column=Column(String(10), ForeignKey("support_region.code"), nullable=False))
    # Each line: {"code", "start" (ISO date), "months", "extra_regions", "versions"}.
    lines: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    bundle_code: str | None = Field(default=None, sa_column=Column(String(40)))
    currency: str = Field(sa_column=Column(String(3), nullable=False))
    total_minor: int = Field(sa_column=Column(Integer, nullable=False))
    # Set when a paid order could not be activated as bought (staff must look at it).
    problem: str = Field(default="", sa_column=Column(String(500), nullable=False, server_default=""))
    created_by_user_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user_account.id")))
    created_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
    activated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class PlanEntitlement(SQLModel, table=True):
    """An offering an organization holds on the days ``start_date`` <= day < ``end_date`` of its home region."""

    __tablename__ = "plan_entitlement"
    __table_args__ = (
        CheckConstraint("end_date > start_date", name="ck_plan_entitlement_dates"),
        Index("ix_plan_entitlement_org", "organization_id", "end_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(sa_column=Column(Integer, ForeignKey("organization.id"), nullable=False))
    offering_code: str = Field(sa_column=Column(String(40), ForeignKey("plan_offering.code"), nullable=False))
    region_code: str = Field(sa_column=Column(String(10), ForeignKey("support_region.code"), nullable=False))
    start_date: date = Field(sa_column=Column(Date, nullable=False))
    end_date: date = Field(sa_column=Column(Date, nullable=False))  # exclusive
    extra_regions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    versions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    plan_order_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("plan_order.id")))
    source_invoice_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("invoice.id")))
    note: str = Field(default="", sa_column=Column(String(300), nullable=False, server_default=""))
    granted_by_user_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user_account.id")))
    created_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    revoke_reason: str = Field(default="", sa_column=Column(String(300), nullable=False, server_default=""))


class IncidentRequest(SQLModel, table=True):
    """A pay-per-incident request: scheduled only once its pre-service invoice is paid."""

    __tablename__ = "incident_request"
    __table_args__ = (
        CheckConstraint("kind IN ('scheduled', 'emergency')", name="ck_incident_request_kind"),
        CheckConstraint("status IN ('awaiting_payment', 'scheduled', 'cancelled')", name="ck_incident_request_status"),
        CheckConstraint("window_end > window_start AND expected_units > 0 AND unit_minutes > 0",
                        name="ck_incident_request_terms"),
        Index("ix_incident_request_org", "organization_id", "id"),
        Index("ix_incident_request_org_window", "organization_id", "status", "window_end"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(sa_column=Column(Integer, ForeignKey("organization.id"), nullable=False))
    kind: str = Field(sa_column=Column(String(10), nullable=False))
    offering_code: str = Field(sa_column=Column(String(40), ForeignKey("plan_offering.code"), nullable=False))
    window_start: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    window_end: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expected_units: int = Field(sa_column=Column(Integer, nullable=False))
    unit_minutes: int = Field(sa_column=Column(Integer, nullable=False))
    unit_price_minor: int = Field(sa_column=Column(Integer, nullable=False))
    ticket_id: int = Field(sa_column=Column(Integer, ForeignKey("ticket.id"), nullable=False, unique=True))
    invoice_id: int = Field(sa_column=Column(Integer, ForeignKey("invoice.id"), nullable=False, unique=True))
    status: str = Field(default="awaiting_payment", sa_column=Column(String(20), nullable=False))
    lot_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("credit_lot.id")))
    created_by_user_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user_account.id")))
    created_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
    scheduled_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class PlanAudit(SQLModel, table=True):
    """Every staff change to the catalog, the regions and organizations' entitlements: who, when, before/after."""

    __tablename__ = "plan_audit"
    __table_args__ = (Index("ix_plan_audit_at", "at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
    actor_user_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user_account.id")))
    actor_name: str = Field(sa_column=Column(String(200), nullable=False))
    action: str = Field(sa_column=Column(String(40), nullable=False))
    subject: str = Field(sa_column=Column(String(200), nullable=False))
    organization_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("organization.id")))
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
