"""The customer audit log: who in an organization did what, when and from where (``services/audit.py`` writes a
row in the same transaction as the change it records)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, String
from sqlmodel import Field, SQLModel

from opsportal.models.types import UTCDateTime


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_org_at", "organization_id", "occurred_at"),
        Index("ix_audit_event_at", "occurred_at"),
        Index("ix_audit_event_actor_at", "actor_user_id", "occurred_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # None: an event only staff see (a staff member's sign-in).
    organization_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("organization.id", name="fk_audit_event_organization")))
    # None when no person did it (a Stripe webhook, the operator's command line).
    actor_user_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("user_account.id", name="fk_audit_event_actor")))
    # The name when it happened: a later rename or removal does not rewrite the log.
    actor_name: str = Field(sa_column=Column(String(200), nullable=False))
    action: str = Field(sa_column=Column(String(40), nullable=False))
    target: str = Field(default="", sa_column=Column(String(300), nullable=False, server_default=""))
    client_address: str = Field(default="", sa_column=Column(String(45), nullable=False, server_default=""))
