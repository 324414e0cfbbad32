from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, String
from sqlmodel import Field, SQLModel

from opsportal.models.types import UTCDateTime, utcnow


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
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
