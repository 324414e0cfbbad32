"""Two-step verification: each user's TOTP enrolment and recovery codes (see ``auth.mfa_secrets``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from opsportal import clock
from opsportal.models.types import UTCDateTime


class UserMfa(SQLModel, table=True):
    """One user's authenticator: the confirmed secret (on once ``enabled_at`` is set), the secret of a set-up
    not yet confirmed, the last time step used (no replay) and the wrong codes in a row (throttled)."""

    __tablename__ = "user_mfa"

    user_id: int = Field(sa_column=Column(Integer, ForeignKey("user_account.id", ondelete="CASCADE"),
                                          primary_key=True, autoincrement=False))
    secret_encrypted: str | None = Field(default=None, sa_column=Column(String(255)))
    enabled_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    pending_secret_encrypted: str | None = Field(default=None, sa_column=Column(String(255)))
    pending_since: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    last_used_step: int | None = Field(default=None, sa_column=Column(Integer))
    failed_attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    last_failed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class MfaRecoveryCode(SQLModel, table=True):
    """A single-use recovery code, stored only as its keyed hash."""

    __tablename__ = "mfa_recovery_code"
    __table_args__ = (UniqueConstraint("user_id", "code_hash", name="uq_mfa_recovery_code_user_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(Integer, ForeignKey("user_account.id", ondelete="CASCADE"),
                                          nullable=False, index=True))
    code_hash: str = Field(sa_column=Column(String(64), nullable=False))
    created_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
