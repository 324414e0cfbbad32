"""Ticket conversation by e-mail: what an update's e-mail says (written with the update, sent after commit, one
``notification_delivery`` row per recipient), and the log of every e-mail received at the support address."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, Index, Integer, String, Text, false
from sqlmodel import Field, SQLModel

from opsportal import clock
from opsportal.models.types import UTCDateTime


class TicketMailUpdate(SQLModel, table=True):
    """One update on a ticket as its e-mail tells it; the deliveries (``ticket-<id>-update-<id>``) say who gets it."""

    __tablename__ = "ticket_mail_update"
    __table_args__ = (Index("ix_ticket_mail_update_ticket", "ticket_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(sa_column=Column(Integer, ForeignKey("ticket.id", ondelete="CASCADE"), nullable=False))
    organization_id: int = Field(
        sa_column=Column(Integer, ForeignKey("organization.id", ondelete="CASCADE"), nullable=False))
    kind: str = Field(sa_column=Column(String(20), nullable=False))
    # The whole reply (a comment's body) or the one-line update (a status, a dispute answer).
    text: str = Field(sa_column=Column(Text, nullable=False))
    actor_name: str = Field(sa_column=Column(String(200), nullable=False))
    from_staff: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    comment_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("ticket_comment.id", ondelete="SET NULL")))
    created_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))


INBOUND_OUTCOMES = ("comment_added", "ticket_opened", "refused", "duplicate")


class InboundMail(SQLModel, table=True):
    """One message the support mailbox received, and what the portal did with it (and why, when it refused it).

    ``ticket_id`` is the ticket the message named or changed, kept as written even when no such ticket exists (so
    no foreign key); the message itself is not kept.
    """

    __tablename__ = "inbound_mail"
    __table_args__ = (
        CheckConstraint("outcome IN ('comment_added', 'ticket_opened', 'refused', 'duplicate')",
                        name="ck_inbound_mail_outcome"),
        Index("ix_inbound_mail_received", "received_at", "id"),
        Index("ix_inbound_mail_message_id", "message_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    received_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
    envelope_from: str = Field(default="", sa_column=Column(String(320), nullable=False, server_default=""))
    from_address: str = Field(default="", sa_column=Column(String(320), nullable=False, server_default=""))
    to_address: str = Field(default="", sa_column=Column(String(320), nullable=False, server_default=""))
    subject: str = Field(default="", sa_column=Column(String(300), nullable=False, server_default=""))
    message_id: str | None = Field(default=None, sa_column=Column(String(255)))
    size_bytes: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    outcome: str = Field(sa_column=Column(String(20), nullable=False))
    reason: str = Field(default="", sa_column=Column(String(500), nullable=False, server_default=""))
    ticket_id: int | None = Field(default=None, sa_column=Column(Integer))
    user_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("user_account.id", ondelete="SET NULL")))
    organization_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("organization.id", ondelete="SET NULL")))
    comment_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("ticket_comment.id", ondelete="SET NULL")))
