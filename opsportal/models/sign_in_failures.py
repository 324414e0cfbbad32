from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, Index, Integer, String
from sqlmodel import Field, SQLModel

from opsportal.models.types import UTCDateTime


class SignInFailures(SQLModel, table=True):
    """Failed sign-ins counted per e-mail key (whether or not an account has it) and per client address, shared by
    every worker and host (``domain.login_throttle`` holds the rules, ``services.sign_in_throttle`` the counting)."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (
        CheckConstraint("scope IN ('email', 'address')", name="ck_sign_in_failures_scope"),
        Index("ix_sign_in_failures_last", "last_failure_at"),
    )

    scope: str = Field(sa_column=Column(String(10), primary_key=True))
    key: str = Field(sa_column=Column(String(320), primary_key=True))
    failures: int = Field(sa_column=Column(Integer, nullable=False))
    # address scope: when the current counting window began; e-mail scope: the first failure counted.
    window_started_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_failure_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
