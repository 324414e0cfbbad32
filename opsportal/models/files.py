"""Stored files: blobs kept in the database (the default storage) and ticket attachments that point at stored files.

A blob is written in chunks (``stored_blob_chunk``), so neither writing nor reading a large file holds more than a
chunk of it in memory per query, and the rows replicate like any other across PostgreSQL hosts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Index, Integer, LargeBinary, String, false
from sqlmodel import Field, SQLModel

from opsportal import clock
from opsportal.models.types import UTCDateTime


class StoredBlob(SQLModel, table=True):
    """One file in the database storage; ``key`` is what the storage interface hands out."""

    __tablename__ = "stored_blob"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    size_bytes: int = Field(sa_column=Column(BigInteger, nullable=False))
    created_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))


class StoredBlobChunk(SQLModel, table=True):
    __tablename__ = "stored_blob_chunk"

    blob_id: int = Field(sa_column=Column(Integer, ForeignKey("stored_blob.id", ondelete="CASCADE"),
                                          primary_key=True))
    seq: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class TicketAttachment(SQLModel, table=True):
    """A file attached to a ticket (``comment_id`` None: to the ticket itself) or to one of its comments."""

    __tablename__ = "ticket_attachment"
    __table_args__ = (Index("ix_ticket_attachment_ticket", "ticket_id", "comment_id"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(sa_column=Column(Integer, ForeignKey("ticket.id", ondelete="CASCADE"), nullable=False))
    comment_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("ticket_comment.id", ondelete="CASCADE")))
    organization_id: int = Field(sa_column=Column(Integer, ForeignKey("organization.id"), nullable=False))
    file_name: str = Field(sa_column=Column(String(255), nullable=False))
    content_type: str = Field(sa_column=Column(String(100), nullable=False))
    size_bytes: int = Field(sa_column=Column(BigInteger, nullable=False))
    is_image: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    storage: str = Field(sa_column=Column(String(20), nullable=False))  # "database" or "s3"
    storage_key: str = Field(sa_column=Column(String(200), nullable=False))
    uploaded_by_user_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("user_account.id", ondelete="SET NULL")))
    uploaded_by_name: str = Field(sa_column=Column(String(200), nullable=False))
    created_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
