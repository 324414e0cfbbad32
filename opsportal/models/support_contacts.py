"""Support phone lines per region, and the versioned support terms customers accept when they buy.

The rules are in ``domain.support_phone`` (when a line is open: the coverage rules) and ``domain.support_terms``
(what a number and a terms text must look like); ``services.support_phones`` and ``services.support_terms`` use them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from opsportal import clock
from opsportal.models.types import UTCDateTime


class SupportPhone(SQLModel, table=True):
    """A support phone number of a region (E.164, e.g. +442071234567), with a label ("Main line")."""

    __tablename__ = "support_phone"
    __table_args__ = (
        UniqueConstraint("region_code", "number", name="uq_support_phone_region_number"),
        Index("ix_support_phone_region", "region_code", "position", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    region_code: str = Field(sa_column=Column(String(10), ForeignKey("support_region.code"), nullable=False))
    label: str = Field(sa_column=Column(String(80), nullable=False))
    number: str = Field(sa_column=Column(String(16), nullable=False))
    position: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    updated_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))


class SupportTermsVersion(SQLModel, table=True):
    """One published version of the support terms and conditions (markdown); the highest version is current."""

    __tablename__ = "support_terms_version"

    version: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    title: str = Field(sa_column=Column(String(200), nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    summary: str = Field(default="", sa_column=Column(String(500), nullable=False, server_default=""))
    published_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
    published_by_user_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user_account.id")))
    published_by_name: str = Field(default="", sa_column=Column(String(200), nullable=False, server_default=""))


class SupportTermsAcceptance(SQLModel, table=True):
    """A customer accepted a version of the terms when buying (written in the transaction of the order: a plan
    order, or a pay-per-incident request)."""

    __tablename__ = "support_terms_acceptance"
    __table_args__ = (Index("ix_support_terms_acceptance_org", "organization_id", "id"),
                      Index("ix_support_terms_acceptance_at", "accepted_at", "id"),
                      UniqueConstraint("incident_request_id", name="uq_support_terms_acceptance_incident_request"))

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(sa_column=Column(Integer, ForeignKey("support_terms_version.version"), nullable=False))
    organization_id: int = Field(sa_column=Column(Integer, ForeignKey("organization.id"), nullable=False))
    user_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user_account.id")))
    user_name: str = Field(sa_column=Column(String(200), nullable=False))
    plan_order_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("plan_order.id"),
                                                                     unique=True))
    incident_request_id: int | None = Field(default=None, sa_column=Column(Integer,
                                                                           ForeignKey("incident_request.id")))
    purchase: str = Field(sa_column=Column(String(500), nullable=False))  # what was bought, in words
    accepted_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
