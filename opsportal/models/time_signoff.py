"""Time sign-off: one review record per time entry (``domain.time_signoff``), with who approved or disputed it,
the reason, and staff's resolution and answer. No row means "pending"; the record is kept as the audit of the
review (the corrections themselves are in ``time_entry_revision``)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from opsportal.models.types import UTCDateTime


class TimeReview(SQLModel, table=True):
    __tablename__ = "time_review"
    __table_args__ = (
        UniqueConstraint("time_entry_id", name="uq_time_review_entry"),
        # The staff queue (open disputes, oldest first) and an organization's entries by state.
        Index("ix_time_review_state", "state", "disputed_at"),
        Index("ix_time_review_org_state", "organization_id", "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    time_entry_id: int = Field(
        sa_column=Column(Integer, ForeignKey("time_entry.id"), nullable=False))
    organization_id: int = Field(sa_column=Column(Integer, ForeignKey("organization.id"), nullable=False))
    state: str = Field(sa_column=Column(String(30), nullable=False))
    # Approved (by a person) or auto-approved (no user: the deadline passed).
    reviewed_by_user_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("user_account.id", name="fk_time_review_reviewer")))
    reviewed_by_name: str = Field(default="", sa_column=Column(String(200), nullable=False, server_default=""))
    reviewed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    disputed_by_user_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("user_account.id", name="fk_time_review_disputer")))
    disputed_by_name: str = Field(default="", sa_column=Column(String(200), nullable=False, server_default=""))
    disputed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    dispute_reason: str = Field(default="", sa_column=Column(String(500), nullable=False, server_default=""))
    resolution: str | None = Field(default=None, sa_column=Column(String(20)))
    answer: str = Field(default="", sa_column=Column(String(1000), nullable=False, server_default=""))
    resolved_by_user_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("user_account.id", name="fk_time_review_resolver")))
    resolved_by_name: str = Field(default="", sa_column=Column(String(200), nullable=False, server_default=""))
    resolved_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # A staff correction returned the approved entry to "awaiting review" on this UTC day: its sign-off deadline
    # runs from then (``domain.time_signoff.review_deadline``).
    reopened_on: date | None = Field(default=None, sa_column=Column(Date))
