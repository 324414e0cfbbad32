"""Notification subscriptions, the record of each notice sent (at most once per user and period), and
one-time tokens for password resets and invitations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from opsportal import clock
from opsportal.models.types import UTCDateTime

_KINDS = ("('monthly_statement', 'weekly_expiry', 'low_balance', 'overdue_reminder', 'ticket_updates', "
          "'community_answers')")


class NotificationSubscription(SQLModel, table=True):
    """A user's explicit choice for one notification; without a row the kind's default for the role applies."""

    __tablename__ = "notification_subscription"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", name="uq_notification_subscription_user_kind"),
        CheckConstraint(f"kind IN {_KINDS}", name="ck_notification_subscription_kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False))
    kind: str = Field(sa_column=Column(String(30), nullable=False))
    subscribed: bool = Field(sa_column=Column(Boolean, nullable=False))
    updated_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
    # Who made the choice (the user, an owner or administrator, or None for the system / an e-mail link).
    changed_by_user_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user_account.id", name="fk_notification_subscription_changed_by",
                                             ondelete="SET NULL")))


class NotificationDelivery(SQLModel, table=True):
    """One notice for one user and period: the unique key is what makes "at most once" hold.

    A run claims the row (``pending`` or ``failed`` -> ``sending``), sends, then records ``sent`` or
    ``failed``. A ``failed`` row is tried again by a later run; a row left ``sending`` by a crash is not
    (the mail may have gone out) and is reported instead.
    """

    __tablename__ = "notification_delivery"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "period_key", name="uq_notification_delivery_user_kind_period"),
        CheckConstraint(f"kind IN {_KINDS}", name="ck_notification_delivery_kind"),
        CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name="ck_notification_delivery_status"),
        Index("ix_notification_delivery_status_kind", "status", "kind"),
        Index("ix_notification_delivery_org_created", "organization_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False))
    organization_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("organization.id", ondelete="CASCADE")))
    kind: str = Field(sa_column=Column(String(30), nullable=False))
    period_key: str = Field(sa_column=Column(String(40), nullable=False))
    status: str = Field(default="pending", sa_column=Column(String(10), nullable=False, server_default="pending"))
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    last_error: str = Field(default="", sa_column=Column(String(500), nullable=False, server_default=""))
    to_address: str = Field(default="", sa_column=Column(String(320), nullable=False, server_default=""))
    subject: str = Field(default="", sa_column=Column(String(300), nullable=False, server_default=""))
    message_id: str | None = Field(default=None, sa_column=Column(String(255)))
    created_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
    last_attempt_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class OneTimeToken(SQLModel, table=True):
    """A secret link's server side: only the token's SHA-256 is stored; it works once and expires.

    ``reset``: a password reset for ``user_id``. ``invite``: an invitation of ``email`` to join
    ``organization_id`` with ``role``, sent by ``created_by_user_id``.
    """

    __tablename__ = "one_time_token"
    __table_args__ = (
        CheckConstraint("purpose IN ('reset', 'invite')", name="ck_one_time_token_purpose"),
        CheckConstraint("(purpose = 'reset' AND user_id IS NOT NULL) OR "
                        "(purpose = 'invite' AND organization_id IS NOT NULL AND role IS NOT NULL)",
                        name="ck_one_time_token_target"),
        Index("ix_one_time_token_user_purpose", "user_id", "purpose", "created_at"),
        Index("ix_one_time_token_org_purpose", "organization_id", "purpose", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    purpose: str = Field(sa_column=Column(String(10), nullable=False))
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    user_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("user_account.id", ondelete="CASCADE")))
    organization_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("organization.id", ondelete="CASCADE")))
    email: str = Field(default="", sa_column=Column(String(320), nullable=False, server_default=""))
    role: str | None = Field(default=None, sa_column=Column(String(20)))
    created_by_user_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user_account.id", name="fk_one_time_token_created_by",
                                             ondelete="SET NULL")))
    created_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
