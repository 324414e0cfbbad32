"""Support tasks: comments, time entries and their corrections, managed-service subscriptions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlmodel import Field, SQLModel

from opsportal import clock
from opsportal.models.types import UTCDateTime


class TicketComment(SQLModel, table=True):
    __tablename__ = "ticket_comment"
    __table_args__ = (Index("ix_ticket_comment_ticket", "ticket_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(sa_column=Column(Integer, ForeignKey("ticket.id"), nullable=False))
    author_user_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user_account.id")))
    author_name: str = Field(sa_column=Column(String(200), nullable=False))
    from_staff: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))


class TimeEntry(SQLModel, table=True):
    """Time an agent logged on a task, and what paid for it (frozen when logged or corrected)."""

    __tablename__ = "time_entry"
    __table_args__ = (
        CheckConstraint("minutes > 0", name="ck_time_entry_minutes_positive"),
        CheckConstraint("prepaid_minutes >= 0 AND payg_minutes >= 0 AND prepaid_minutes + payg_minutes = minutes",
                        name="ck_time_entry_split"),
        Index("ix_time_entry_ticket", "ticket_id", "work_date"),
        Index("ix_time_entry_org_unbilled", "organization_id", "billed_invoice_id", "work_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(sa_column=Column(Integer, ForeignKey("ticket.id"), nullable=False))
    organization_id: int = Field(sa_column=Column(Integer, ForeignKey("organization.id"), nullable=False))
    agent_user_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user_account.id")))
    agent_name: str = Field(sa_column=Column(String(200), nullable=False))
    work_date: date = Field(sa_column=Column(Date, nullable=False))
    minutes: int = Field(sa_column=Column(Integer, nullable=False))
    note: str = Field(default="", sa_column=Column(String(500), nullable=False, server_default=""))
    after_hours: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    prepaid_minutes: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    payg_minutes: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    hourly_rate_minor: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    currency: str = Field(default="USD", sa_column=Column(String(3), nullable=False, server_default="USD"))
    payg_amount_minor: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    # Set when an invoice bills the pay-as-you-go part; a billed entry can no longer change.
    billed_invoice_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("invoice.id", name="fk_time_entry_billed_invoice")))
    created_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))


class TimeEntryRevision(SQLModel, table=True):
    """The audit trail of a corrected time entry: what it was, who changed it, when and why."""

    __tablename__ = "time_entry_revision"

    id: int | None = Field(default=None, primary_key=True)
    time_entry_id: int = Field(sa_column=Column(Integer, ForeignKey("time_entry.id"), nullable=False, index=True))
    changed_by_user_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user_account.id")))
    changed_by_name: str = Field(sa_column=Column(String(200), nullable=False))
    changed_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
    reason: str = Field(sa_column=Column(String(500), nullable=False))
    old_work_date: date = Field(sa_column=Column(Date, nullable=False))
    old_minutes: int = Field(sa_column=Column(Integer, nullable=False))
    old_note: str = Field(sa_column=Column(String(500), nullable=False))
    new_work_date: date = Field(sa_column=Column(Date, nullable=False))
    new_minutes: int = Field(sa_column=Column(Integer, nullable=False))
    new_note: str = Field(sa_column=Column(String(500), nullable=False))


class ServiceSubscription(SQLModel, table=True):
    """A managed-service subscription: ``minutes_per_period`` of support hours each period."""

    __tablename__ = "service_subscription"
    __table_args__ = (
        CheckConstraint("minutes_per_period > 0", name="ck_service_subscription_minutes"),
        CheckConstraint("period IN ('monthly', 'quarterly')", name="ck_service_subscription_period"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(sa_column=Column(Integer, ForeignKey("organization.id"), nullable=False, index=True))
    name: str = Field(sa_column=Column(String(120), nullable=False))
    minutes_per_period: int = Field(sa_column=Column(Integer, nullable=False))
    period: str = Field(sa_column=Column(String(10), nullable=False))
    rolls_over_once: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    starts_on: date = Field(sa_column=Column(Date, nullable=False))
    ends_on: date | None = Field(default=None, sa_column=Column(Date))
    active: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, server_default=true()))
    created_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))


class SubscriptionGrant(SQLModel, table=True):
    """One period's lot of a subscription: the unique pair makes the period job idempotent."""

    __tablename__ = "subscription_grant"
    __table_args__ = (UniqueConstraint("subscription_id", "period_start", name="uq_subscription_grant_period"),)

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(sa_column=Column(Integer, ForeignKey("service_subscription.id"), nullable=False))
    period_start: date = Field(sa_column=Column(Date, nullable=False))
    period_end: date = Field(sa_column=Column(Date, nullable=False))
    lot_id: int = Field(sa_column=Column(Integer, ForeignKey("credit_lot.id"), nullable=False))
