"""Who follows a ticket besides the person who opened it (colleagues copied on it), and each user's
in-portal notifications (the bell in the header)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from opsportal import clock
from opsportal.models.types import UTCDateTime


class TicketFollower(SQLModel, table=True):
    """A colleague of the ticket's organization copied on it (CC): they hear of replies and status changes."""

    __tablename__ = "ticket_follower"
    __table_args__ = (
        UniqueConstraint("ticket_id", "user_id", name="uq_ticket_follower_ticket_user"),
        Index("ix_ticket_follower_user", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(sa_column=Column(Integer, ForeignKey("ticket.id", ondelete="CASCADE"), nullable=False))
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False))
    added_by_user_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user_account.id", name="fk_ticket_follower_added_by",
                                             ondelete="SET NULL")))
    created_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))


class PortalNotification(SQLModel, table=True):
    """One line in a user's notification list: what happened (``kind``), on which ticket, and whether it was read."""

    __tablename__ = "portal_notification"
    __table_args__ = (
        # The bell: a user's unread count and newest rows.
        Index("ix_portal_notification_user_read", "user_id", "read_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False))
    organization_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("organization.id", ondelete="CASCADE")))
    ticket_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("ticket.id", ondelete="CASCADE")))
    # domain.ticket_updates.UpdateKind: reply, status, dispute_answer, ...
    kind: str = Field(sa_column=Column(String(30), nullable=False))
    title: str = Field(sa_column=Column(String(200), nullable=False))
    text: str = Field(default="", sa_column=Column(String(500), nullable=False, server_default=""))
    # Where the line leads (a portal path such as /tasks/12).
    link: str = Field(default="", sa_column=Column(String(200), nullable=False, server_default=""))
    created_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
    read_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
