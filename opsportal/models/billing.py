"""Invoices and their lines, Stripe payments and their attempts, processed Stripe events, hour blocks."""

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
    true,
)
from sqlmodel import Field, SQLModel

from opsportal import clock
from opsportal.models.types import UTCDateTime


class InvoiceCounter(SQLModel, table=True):
    """The last invoice number given out in a year; incremented under the row's lock, so numbers have no gaps."""

    __tablename__ = "invoice_counter"

    year: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    last_number: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))


class Invoice(SQLModel, table=True):
    __tablename__ = "invoice"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'open', 'paid', 'void')", name="ck_invoice_status"),
        CheckConstraint("kind IN ('post_service', 'pre_service', 'hour_block')", name="ck_invoice_kind"),
        CheckConstraint("subtotal_minor >= 0 AND tax_minor >= 0 AND total_minor = subtotal_minor + tax_minor",
                        name="ck_invoice_totals"),
        CheckConstraint("amount_paid_minor >= 0", name="ck_invoice_paid"),
        CheckConstraint("status = 'draft' OR number IS NOT NULL", name="ck_invoice_numbered"),
        Index("ix_invoice_org_issued", "organization_id", "issue_date", "id"),
        Index("ix_invoice_org_status_due", "organization_id", "status", "due_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Given when the invoice is issued (drafts have none); never reused, voided invoices keep theirs.
    number: str | None = Field(default=None, sa_column=Column(String(20), unique=True))
    organization_id: int = Field(sa_column=Column(Integer, ForeignKey("organization.id"), nullable=False))
    kind: str = Field(sa_column=Column(String(20), nullable=False))
    status: str = Field(sa_column=Column(String(10), nullable=False))
    currency: str = Field(sa_column=Column(String(3), nullable=False))
    period: str | None = Field(default=None, sa_column=Column(String(7)))  # "YYYY-MM" for post-service
    issue_date: date | None = Field(default=None, sa_column=Column(Date))
    due_date: date | None = Field(default=None, sa_column=Column(Date))
    subtotal_minor: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    tax_rate_bp: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    tax_minor: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    total_minor: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    amount_paid_minor: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    memo: str = Field(default="", sa_column=Column(String(500), nullable=False, server_default=""))
    paid_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    voided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    void_reason: str = Field(default="", sa_column=Column(String(300), nullable=False, server_default=""))
    # Who it was billed to, fixed when it is issued (None: a draft, or issued before these were kept).
    bill_to_name: str | None = Field(default=None, sa_column=Column(String(120)))
    bill_to_address: str | None = Field(default=None, sa_column=Column(String(500)))
    bill_to_tax_id: str | None = Field(default=None, sa_column=Column(String(64)))
    created_by_user_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user_account.id")))
    created_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))


class InvoiceLine(SQLModel, table=True):
    __tablename__ = "invoice_line"
    __table_args__ = (
        CheckConstraint("unit IN ('minute', 'each')", name="ck_invoice_line_unit"),
        CheckConstraint("quantity > 0 AND unit_price_minor >= 0 AND amount_minor >= 0",
                        name="ck_invoice_line_amounts"),
        Index("ix_invoice_line_invoice", "invoice_id", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(sa_column=Column(Integer, ForeignKey("invoice.id"), nullable=False))
    position: int = Field(sa_column=Column(Integer, nullable=False))
    description: str = Field(sa_column=Column(String(300), nullable=False))
    quantity: int = Field(sa_column=Column(Integer, nullable=False))
    unit: str = Field(sa_column=Column(String(10), nullable=False))
    unit_price_minor: int = Field(sa_column=Column(Integer, nullable=False))
    amount_minor: int = Field(sa_column=Column(Integer, nullable=False))
    ticket_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("ticket.id")))


class HourBlock(SQLModel, table=True):
    """A prepaid block on sale (staff edit the catalog): hours of support, or a pack of service credits."""

    __tablename__ = "hour_block"
    __table_args__ = (
        CheckConstraint("quantity > 0 AND price_minor > 0 AND validity_days > 0", name="ck_hour_block_terms"),
        CheckConstraint("product_code IN ('support_hours', 'service_credits')", name="ck_hour_block_product"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(80), nullable=False))
    product_code: str = Field(default="support_hours", sa_column=Column(
        String(40), ForeignKey("product.code", name="fk_hour_block_product"), nullable=False,
        server_default="support_hours"))
    quantity: int = Field(sa_column=Column(Integer, nullable=False))  # in the product's unit: minutes, or credits
    price_minor: int = Field(sa_column=Column(Integer, nullable=False))
    currency: str = Field(sa_column=Column(String(3), nullable=False))
    validity_days: int = Field(sa_column=Column(Integer, nullable=False))
    active: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, server_default=true()))
    updated_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))


class Payment(SQLModel, table=True):
    """One Stripe Checkout Session: paying an invoice or buying a block (hours of support or service credits).

    ``creating`` until Stripe has answered the create call, then ``open`` until Stripe confirms it
    (``succeeded``) or the session ends unpaid (``expired``). ``succeeded`` is final.
    """

    __tablename__ = "payment"
    __table_args__ = (
        CheckConstraint("purpose IN ('invoice', 'hour_block')", name="ck_payment_purpose"),
        CheckConstraint("status IN ('creating', 'open', 'succeeded', 'expired')", name="ck_payment_status"),
        CheckConstraint("amount_minor > 0", name="ck_payment_amount"),
        Index("ix_payment_org_created", "organization_id", "created_at"),
        Index("ix_payment_invoice", "invoice_id"),
        Index("ix_payment_status", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(sa_column=Column(Integer, ForeignKey("organization.id"), nullable=False))
    purpose: str = Field(sa_column=Column(String(12), nullable=False))
    status: str = Field(sa_column=Column(String(10), nullable=False))
    # The invoice paid; for an hour block, the receipt issued when the payment succeeds.
    invoice_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("invoice.id")))
    amount_minor: int = Field(sa_column=Column(Integer, nullable=False))
    currency: str = Field(sa_column=Column(String(3), nullable=False))
    description: str = Field(sa_column=Column(String(200), nullable=False))
    # Hour blocks and credit packs: the terms as bought (the catalog may change afterwards) and the lot granted.
    hour_block_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("hour_block.id")))
    block_product: str | None = Field(default=None, sa_column=Column(String(40)))
    block_quantity: int | None = Field(default=None, sa_column=Column(Integer))  # minutes, or credits
    block_price_minor: int | None = Field(default=None, sa_column=Column(Integer))
    block_validity_days: int | None = Field(default=None, sa_column=Column(Integer))
    # The tax rate the amount was computed with (the organization's may change before Stripe confirms).
    tax_rate_bp: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    lot_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("credit_lot.id")))
    idempotency_key: str = Field(sa_column=Column(String(80), nullable=False, unique=True))
    stripe_session_id: str | None = Field(default=None, sa_column=Column(String(255), unique=True))
    checkout_url: str | None = Field(default=None, sa_column=Column(Text))
    stripe_payment_intent_id: str | None = Field(default=None, sa_column=Column(String(255)))
    last_error: str = Field(default="", sa_column=Column(String(500), nullable=False, server_default=""))
    # Set when Stripe confirmed money we could not apply as asked (amount differs, invoice voided or
    # already paid): staff must look at it, e.g. refund it.
    problem: str = Field(default="", sa_column=Column(String(500), nullable=False, server_default=""))
    created_by_user_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user_account.id")))
    created_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
    completed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class PaymentAttempt(SQLModel, table=True):
    """One outcome Stripe reported for a payment: a card declined, or the payment confirmed."""

    __tablename__ = "payment_attempt"
    __table_args__ = (
        CheckConstraint("outcome IN ('succeeded', 'declined')", name="ck_payment_attempt_outcome"),
        Index("ix_payment_attempt_payment", "payment_id", "occurred_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    payment_id: int = Field(sa_column=Column(Integer, ForeignKey("payment.id"), nullable=False))
    outcome: str = Field(sa_column=Column(String(10), nullable=False))
    message: str = Field(default="", sa_column=Column(String(500), nullable=False, server_default=""))
    source: str = Field(sa_column=Column(String(20), nullable=False))  # webhook | reconcile | return
    stripe_event_id: str | None = Field(default=None, sa_column=Column(String(255)))
    occurred_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))


class StripeEvent(SQLModel, table=True):
    """Every Stripe event processed, by id: a redelivered event finds its row and changes nothing."""

    __tablename__ = "stripe_event"

    id: str = Field(sa_column=Column(String(255), primary_key=True))
    type: str = Field(sa_column=Column(String(100), nullable=False))
    outcome: str = Field(sa_column=Column(String(300), nullable=False))
    received_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
