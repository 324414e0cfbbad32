"""The credit ledger's tables: products, lots, append-only entries, and open holds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlmodel import Field, SQLModel

from opsportal import clock
from opsportal.models.types import UTCDateTime


class ProductRow(SQLModel, table=True):
    __tablename__ = "product"

    code: str = Field(sa_column=Column(String(40), primary_key=True))
    name: str = Field(sa_column=Column(String(120), nullable=False))
    unit: str = Field(sa_column=Column(String(10), nullable=False))
    allocatable: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, server_default=true()))
    active: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, server_default=true()))
    # The offers (tokens) one credit carries (the "w/ 7 Tokens" offers: 7); 0: the credit list shows none.
    tokens_per_credit: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    # Whether the credit list shows a lot's service usage period (Kaizen Platform Jumpstart: no).
    shows_usage_period: bool = Field(default=True, sa_column=Column(Boolean, nullable=False,
                                                                    server_default=true()))


class CreditLot(SQLModel, table=True):
    __tablename__ = "credit_lot"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="ck_credit_lot_quantity_positive"),
        CheckConstraint("held >= 0 AND remaining >= held", name="ck_credit_lot_balance"),
        CheckConstraint("kind IN ('purchased', 'complimentary')", name="ck_credit_lot_kind"),
        CheckConstraint("scope IN ('shared', 'org')", name="ck_credit_lot_scope"),
        Index("ix_credit_lot_holder_product", "holder_org_id", "product_code"),
        Index("ix_credit_lot_assigned_product", "assigned_org_id", "product_code"),
    )

    id: int | None = Field(default=None, primary_key=True)
    product_code: str = Field(sa_column=Column(String(40), ForeignKey("product.code"), nullable=False))
    holder_org_id: int = Field(sa_column=Column(Integer, ForeignKey("organization.id"), nullable=False))
    kind: str = Field(sa_column=Column(String(20), nullable=False))
    origin: str = Field(sa_column=Column(String(30), nullable=False))
    quantity: int = Field(sa_column=Column(Integer, nullable=False))
    granted_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    scope: str = Field(sa_column=Column(String(10), nullable=False))
    assigned_org_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("organization.id")))
    # Cached sums of the lot's entries (tested to match): see domain.ledger.entries.
    remaining: int = Field(sa_column=Column(Integer, nullable=False))
    held: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    note: str = Field(default="", sa_column=Column(String(300), nullable=False, server_default=""))
    created_by: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user_account.id")))
    created_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))


class Ticket(SQLModel, table=True):
    """A support task (see domain.tasks for statuses, priorities and categories)."""

    __tablename__ = "ticket"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'in_progress', 'waiting_on_customer', 'resolved', 'closed')",
                        name="ck_ticket_status"),
        CheckConstraint("priority IN ('low', 'normal', 'high', 'urgent')", name="ck_ticket_priority"),
        Index("ix_ticket_org_status", "organization_id", "status"),
        # The task list's default order with the status after it: a page (even a late one) is found
        # and counted from the index alone, the table read only for the rows shown (bench/tasks.py).
        Index("ix_ticket_org_updated_id_status", "organization_id", "updated_at", "id", "status"),
        # Counting a category filter without reading the table.
        Index("ix_ticket_org_category_status", "organization_id", "category", "status"),
        # Searching titles for a word (ILIKE '%word%'): a trigram index on PostgreSQL (extension pg_trgm,
        # created by migration 0006). SQLite has no such index; there it is a plain index on the title.
        Index("ix_ticket_title_search", "title", postgresql_using="gin", postgresql_ops={"title": "gin_trgm_ops"}),
        Index("ix_ticket_status_updated", "status", "updated_at"),
        Index("ix_ticket_agent_status", "assigned_agent_id", "status"),
        # Service levels (domain.sla): the queue's "time to breach" order, and the breach report's months.
        Index("ix_ticket_sla_due", "sla_due_at", "id"),
        Index("ix_ticket_first_response_due", "first_response_due_at"),
        Index("ix_ticket_resolution_due", "resolution_due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(sa_column=Column(Integer, ForeignKey("organization.id"), nullable=False))
    title: str = Field(sa_column=Column(String(200), nullable=False))
    category: str = Field(sa_column=Column(String(60), nullable=False))
    status: str = Field(default="open", sa_column=Column(String(20), nullable=False, server_default="open"))
    priority: str = Field(default="normal", sa_column=Column(String(10), nullable=False, server_default="normal"))
    description: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_by_user_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("user_account.id", name="fk_ticket_created_by")))
    assigned_agent_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("user_account.id", name="fk_ticket_assigned_agent")))
    # Cached sum of the task's time entries (for lists sorted by time logged).
    minutes_logged: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    created_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # Service levels (domain.sla, services.sla). No clock: best effort, no targets.
    sla_clock: str | None = Field(default=None, sa_column=Column(String(120)))
    first_response_due_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    first_responded_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    resolution_due_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    sla_paused_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))  # the resolution clock
    sla_paused_minutes: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    sla_due_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))  # the next running target
    # A follow-up ticket continues a solved or closed one (domain.ticket_actions); the old one lists its follow-ups.
    follow_up_of_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("ticket.id", name="fk_ticket_follow_up_of"), index=True))


class LedgerEntry(SQLModel, table=True):
    __tablename__ = "ledger_entry"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="ck_ledger_entry_quantity_positive"),
        CheckConstraint(
            "kind IN ('grant', 'allocate', 'release', 'consume', 'expire', 'adjust', 'refund')",
            name="ck_ledger_entry_kind",
        ),
        # Serves every per-organization read by kind and time; with product and quantity in it,
        # "used in the last 30 days per product" (the summary) never reads the table.
        Index("ix_ledger_entry_org_kind_at_product_qty", "org_id", "kind", "at", "product_code", "quantity"),
        Index("ix_ledger_entry_lot", "lot_id"),
        Index("ix_ledger_entry_ticket", "ticket_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    lot_id: int = Field(sa_column=Column(Integer, ForeignKey("credit_lot.id"), nullable=False))
    org_id: int = Field(sa_column=Column(Integer, ForeignKey("organization.id"), nullable=False))
    product_code: str = Field(sa_column=Column(String(40), nullable=False))
    kind: str = Field(sa_column=Column(String(10), nullable=False))
    quantity: int = Field(sa_column=Column(Integer, nullable=False))
    delta_remaining: int = Field(sa_column=Column(Integer, nullable=False))
    delta_held: int = Field(sa_column=Column(Integer, nullable=False))
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    ticket_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("ticket.id")))
    # The time entry a consume or return belongs to (so a correction can give the minutes back).
    time_entry_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("time_entry.id", name="fk_ledger_entry_time_entry"), index=True))
    category: str | None = Field(default=None, sa_column=Column(String(60)))
    reason: str = Field(default="", sa_column=Column(String(300), nullable=False, server_default=""))
    actor_user_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user_account.id")))
    created_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))


class CreditHold(SQLModel, table=True):
    """What one open ticket holds on one lot: the running sum of that pair's delta_held."""

    __tablename__ = "credit_hold"
    __table_args__ = (
        UniqueConstraint("lot_id", "ticket_id", name="uq_credit_hold_lot_ticket"),
        CheckConstraint("quantity >= 0", name="ck_credit_hold_quantity"),
        Index("ix_credit_hold_org_product", "org_id", "product_code"),
    )

    id: int | None = Field(default=None, primary_key=True)
    lot_id: int = Field(sa_column=Column(Integer, ForeignKey("credit_lot.id"), nullable=False))
    ticket_id: int = Field(sa_column=Column(Integer, ForeignKey("ticket.id"), nullable=False, index=True))
    org_id: int = Field(sa_column=Column(Integer, ForeignKey("organization.id"), nullable=False))
    product_code: str = Field(sa_column=Column(String(40), nullable=False))
    category: str = Field(sa_column=Column(String(60), nullable=False))
    quantity: int = Field(sa_column=Column(Integer, nullable=False))
