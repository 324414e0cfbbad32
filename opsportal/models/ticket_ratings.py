"""Customers' satisfaction ratings of solved tickets (domain.ticket_actions: one per ticket, Good or Bad)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from opsportal import clock
from opsportal.models.types import UTCDateTime


class TicketRating(SQLModel, table=True):
    """The answer to "How satisfied are you with the support you received?" for one ticket, with the agent who was
    assigned when it was given, and the month it counts in (``YYYY-MM`` of ``rated_at``, UTC) for staff reports."""

    __tablename__ = "ticket_rating"
    __table_args__ = (
        UniqueConstraint("ticket_id", name="uq_ticket_rating_ticket"),
        CheckConstraint("score IN ('good', 'bad')", name="ck_ticket_rating_score"),
        # The staff report: per month and agent, and a month's latest comments.
        Index("ix_ticket_rating_month_agent", "month", "agent_user_id", "score"),
        Index("ix_ticket_rating_rated_at", "rated_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(sa_column=Column(Integer, ForeignKey("ticket.id", ondelete="CASCADE"), nullable=False))
    organization_id: int = Field(
        sa_column=Column(Integer, ForeignKey("organization.id", ondelete="CASCADE"), nullable=False, index=True))
    score: str = Field(sa_column=Column(String(10), nullable=False))
    comment: str = Field(default="", sa_column=Column(String(1000), nullable=False, server_default=""))
    rated_by_user_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("user_account.id", name="fk_ticket_rating_rated_by", ondelete="SET NULL")))
    agent_user_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("user_account.id", name="fk_ticket_rating_agent", ondelete="SET NULL")))
    month: str = Field(sa_column=Column(String(7), nullable=False))
    rated_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
    created_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
