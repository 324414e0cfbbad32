from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    true,
)
from sqlmodel import Field, SQLModel

from opsportal import clock
from opsportal.models.types import UTCDateTime

_STAFF = "('agent', 'staff_admin')"


class User(SQLModel, table=True):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(
            "role IN ('owner', 'admin', 'billing', 'member', 'agent', 'staff_admin')",
            name="ck_user_account_role",
        ),
        # Staff belong to the vendor, customers to exactly one organization.
        CheckConstraint(
            f"(role IN {_STAFF} AND organization_id IS NULL)"
            f" OR (role NOT IN {_STAFF} AND organization_id IS NOT NULL)",
            name="ck_user_account_org_matches_role",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_column=Column(String(320), nullable=False))
    email_key: str = Field(sa_column=Column(String(320), nullable=False, unique=True))
    full_name: str = Field(default="", sa_column=Column(String(200), nullable=False, server_default=""))
    password_hash: str | None = Field(default=None, sa_column=Column(String(255)))
    role: str = Field(sa_column=Column(String(20), nullable=False))
    organization_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("organization.id", ondelete="RESTRICT"), index=True),
    )
    # IANA zone the user reads times in; None: their organization's home region's zone (domain.formats).
    time_zone: str | None = Field(default=None, sa_column=Column(String(64)))
    is_active: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, server_default=true()))
    failed_logins: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    last_failed_login_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    last_login_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    password_changed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
