from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, false
from sqlmodel import Field, SQLModel

from opsportal import clock
from opsportal.models.types import UTCDateTime


class Organization(SQLModel, table=True):
    __tablename__ = "organization"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(120), nullable=False))
    # Case-folded name: organizations are named uniquely regardless of case.
    name_key: str = Field(sa_column=Column(String(120), nullable=False, unique=True))
    parent_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("organization.id", ondelete="RESTRICT"), index=True),
    )
    # Pay-as-you-go rate for time no prepaid hours cover, in minor units of ``currency``.
    hourly_rate_minor: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    currency: str = Field(default="USD", sa_column=Column(String(3), nullable=False, server_default="USD"))
    # Tax on invoices, in basis points (2000 = 20 %); zero is allowed.
    tax_rate_bp: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    # Days between an invoice's issue and due dates.
    payment_terms_days: int = Field(default=30, sa_column=Column(Integer, nullable=False, server_default="30"))
    # Alert the organization when its available support hours fall below this (minutes); None: no alert.
    low_balance_threshold_minutes: int | None = Field(default=None, sa_column=Column(Integer))
    # The current low-balance crossing (domain.notifications.low_balance_key) while below the threshold.
    low_balance_crossing: str | None = Field(default=None, sa_column=Column(String(40)))
    # Billing details printed on invoices (bill-to address lines, tax/VAT ID) and where invoices are e-mailed
    # (None: the billing contacts' own addresses).
    billing_address: str = Field(default="", sa_column=Column(String(500), nullable=False, server_default=""))
    tax_id: str = Field(default="", sa_column=Column(String(64), nullable=False, server_default=""))
    invoice_email: str | None = Field(default=None, sa_column=Column(String(320)))
    # Set by its owners: everyone in the organization must use two-step verification (domain.mfa).
    require_mfa: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    created_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
