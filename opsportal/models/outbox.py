"""The outbox: one row for every message the mailer sent or failed to send (``services/mailer.py`` writes it), so
staff can see what the portal e-mailed, to whom, when, and whether the mail server took it. Each recipient also has
a row of its own (``outbox_recipient``, lower-cased): the index the Mail page's search for an address uses. Old rows
are deleted by the scheduler's retention job (``services/outbox.py``, ``prune_outbox``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer, String, Text
from sqlmodel import Field, SQLModel

from opsportal import clock
from opsportal.models.types import UTCDateTime

OUTBOX_STATUSES = ("sent", "failed")


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"
    __table_args__ = (
        CheckConstraint("status IN ('sent', 'failed')", name="ck_outbox_message_status"),
        Index("ix_outbox_message_created", "created_at"),
        Index("ix_outbox_message_status_created", "status", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
    # What the message is: a notification kind or a template's name ("password_reset", "invitation").
    kind: str = Field(sa_column=Column(String(40), nullable=False))
    organization_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("organization.id", name="fk_outbox_message_organization",
                                                           ondelete="SET NULL")))
    sender: str = Field(default="", sa_column=Column(String(320), nullable=False, server_default=""))
    # Every envelope recipient, comma separated, as given to the mail server.
    recipients: str = Field(sa_column=Column(String(1000), nullable=False))
    subject: str = Field(default="", sa_column=Column(String(300), nullable=False, server_default=""))
    status: str = Field(sa_column=Column(String(10), nullable=False))
    # Why the server did not take it (empty when sent).
    error: str = Field(default="", sa_column=Column(String(500), nullable=False, server_default=""))
    message_id: str | None = Field(default=None, sa_column=Column(String(255)))
    text: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    html: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class OutboxRecipient(SQLModel, table=True):
    """One envelope recipient of an outbox message, lower-cased, so that a search for an address is an index look-up
    rather than a scan of every message's ``recipients``. Deleted with its message."""

    __tablename__ = "outbox_recipient"
    __table_args__ = (Index("ix_outbox_recipient_address", "address"),)

    message_id: int = Field(sa_column=Column(
        Integer, ForeignKey("outbox_message.id", name="fk_outbox_recipient_message", ondelete="CASCADE"),
        primary_key=True))
    address: str = Field(sa_column=Column(String(320), primary_key=True))


def recipient_addresses(recipients: str) -> list[str]:
    """The distinct addresses of a ``recipients`` list (comma or semicolon separated), lower-cased, in order."""
    found: list[str] = []
    for part in recipients.replace(";", ",").split(","):
        address = part.strip().lower()[:320]
        if address and address not in found:
            found.append(address)
    return found
