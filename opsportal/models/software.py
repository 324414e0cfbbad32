"""Software assurance: the vendor's products, their versions (lifecycle dates), release files, organizations'
licences and the download log. The rules are in ``domain.software``."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from opsportal import clock
from opsportal.models.types import UTCDateTime


class SoftwareProduct(SQLModel, table=True):
    __tablename__ = "software_product"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(120), nullable=False))
    name_key: str = Field(sa_column=Column(String(120), nullable=False, unique=True))
    description: str = Field(default="", sa_column=Column(String(500), nullable=False, server_default=""))
    created_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))


class ProductVersion(SQLModel, table=True):
    """A version of a product and its lifecycle days (GA, sunset, end of life; the first day of each state)."""

    __tablename__ = "product_version"
    __table_args__ = (UniqueConstraint("product_id", "number_key", name="uq_product_version_number"),)

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(sa_column=Column(Integer, ForeignKey("software_product.id"), nullable=False))
    number: str = Field(sa_column=Column(String(40), nullable=False))
    number_key: str = Field(sa_column=Column(String(40), nullable=False))
    ga_date: date = Field(sa_column=Column(Date, nullable=False))
    sunset_date: date | None = Field(default=None, sa_column=Column(Date))
    eol_date: date | None = Field(default=None, sa_column=Column(Date))


class ProductRelease(SQLModel, table=True):
    """A downloadable file of a version: its major release, an update or a hotfix."""

    __tablename__ = "product_release"
    __table_args__ = (Index("ix_product_release_version", "version_id", "released_on"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(sa_column=Column(Integer, ForeignKey("product_version.id"), nullable=False))
    kind: str = Field(sa_column=Column(String(20), nullable=False))  # domain.software.ReleaseKind
    title: str = Field(sa_column=Column(String(200), nullable=False))
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    released_on: date = Field(sa_column=Column(Date, nullable=False))
    file_name: str = Field(sa_column=Column(String(255), nullable=False))
    size_bytes: int = Field(sa_column=Column(BigInteger, nullable=False))
    sha256: str = Field(sa_column=Column(String(64), nullable=False))
    storage: str = Field(sa_column=Column(String(20), nullable=False))  # "database" or "s3"
    storage_key: str = Field(sa_column=Column(String(200), nullable=False))
    uploaded_by_name: str = Field(sa_column=Column(String(200), nullable=False))
    created_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))


class ProductLicence(SQLModel, table=True):
    """Licences an organization bought of a product, in a region, and the version it runs."""

    __tablename__ = "product_licence"
    __table_args__ = (Index("ix_product_licence_org", "organization_id", "product_id"),)

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(sa_column=Column(Integer, ForeignKey("organization.id"), nullable=False))
    product_id: int = Field(sa_column=Column(Integer, ForeignKey("software_product.id"), nullable=False))
    version_id: int = Field(sa_column=Column(Integer, ForeignKey("product_version.id"), nullable=False))
    region_code: str = Field(sa_column=Column(String(10), ForeignKey("support_region.code"), nullable=False))
    quantity: int = Field(sa_column=Column(Integer, nullable=False))
    purchased_on: date = Field(sa_column=Column(Date, nullable=False))
    note: str = Field(default="", sa_column=Column(String(300), nullable=False, server_default=""))
    created_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))


class ReleaseDownload(SQLModel, table=True):
    """Who downloaded which release file, when (append-only)."""

    __tablename__ = "release_download"
    __table_args__ = (Index("ix_release_download_at", "downloaded_at"),
                      Index("ix_release_download_org", "organization_id", "downloaded_at"))

    id: int | None = Field(default=None, primary_key=True)
    release_id: int = Field(sa_column=Column(Integer, ForeignKey("product_release.id"), nullable=False))
    organization_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("organization.id")))
    user_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("user_account.id", ondelete="SET NULL")))
    user_name: str = Field(sa_column=Column(String(200), nullable=False))
    user_email: str = Field(sa_column=Column(String(320), nullable=False))
    downloaded_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
