"""The services catalog (domain.services_catalog) and the requests customers make from it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, Index, Integer, String, Text, true
from sqlmodel import Field, SQLModel

from opsportal import clock
from opsportal.models.types import UTCDateTime


class CatalogService(SQLModel, table=True):
    """A service customers may ask for, priced in whole service credits. Retired ones stay for old requests."""

    __tablename__ = "catalog_service"
    __table_args__ = (CheckConstraint("price_credits > 0", name="ck_catalog_service_price"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(80), nullable=False, unique=True))
    description: str = Field(sa_column=Column(Text, nullable=False))
    category: str = Field(sa_column=Column(String(60), nullable=False))
    price_credits: int = Field(sa_column=Column(Integer, nullable=False))
    active: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, server_default=true()))
    updated_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))


class ServiceRequest(SQLModel, table=True):
    """One request: its task holds ``credits`` service credits (the price when asked) until it is done or cancelled."""

    __tablename__ = "service_request"
    __table_args__ = (
        CheckConstraint("credits > 0", name="ck_service_request_credits"),
        Index("ix_service_request_org", "organization_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(sa_column=Column(Integer, ForeignKey("catalog_service.id"), nullable=False, index=True))
    organization_id: int = Field(sa_column=Column(Integer, ForeignKey("organization.id"), nullable=False))
    ticket_id: int = Field(sa_column=Column(Integer, ForeignKey("ticket.id"), nullable=False, unique=True))
    credits: int = Field(sa_column=Column(Integer, nullable=False))
    requested_by_user_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("user_account.id", name="fk_service_request_requester")))
    requested_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
    cancelled_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    cancelled_by_user_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("user_account.id", name="fk_service_request_canceller")))
