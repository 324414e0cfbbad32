from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, String
from sqlmodel import Field, SQLModel

from opsportal import clock
from opsportal.models.types import UTCDateTime


class LoginSession(SQLModel, table=True):
    """The server side of a JWT: its ``jti`` is this row's id, so revoking the row revokes the token."""

    __tablename__ = "login_session"

    id: str = Field(sa_column=Column(String(64), primary_key=True))
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    created_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    revoked_reason: str | None = Field(default=None, sa_column=Column(String(40)))
    user_agent: str = Field(default="", sa_column=Column(String(300), nullable=False, server_default=""))
    # The address the sign-in came from (the socket peer, or X-Forwarded-For behind trusted proxies); shown to
    # the user in their list of sessions.
    client_address: str = Field(default="", sa_column=Column(String(64), nullable=False, server_default=""))
