"""Background jobs: one row per run of a long staff action (a billing run, ...), with its progress and result.

``running_key`` holds the job's key while it runs and NULL once it has finished; its unique constraint is what
makes "one run of a key at a time" hold across workers and hosts (both databases allow many NULLs).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from opsportal import clock
from opsportal.models.types import UTCDateTime


class Job(SQLModel, table=True):
    __tablename__ = "job"
    __table_args__ = (
        UniqueConstraint("running_key", name="uq_job_running_key"),
        CheckConstraint("status IN ('running', 'succeeded', 'failed')", name="ck_job_status"),
        CheckConstraint("(status = 'running') = (running_key IS NOT NULL)", name="ck_job_running_key"),
        CheckConstraint("done >= 0 AND total >= 0", name="ck_job_progress"),
        Index("ix_job_kind_started", "kind", "started_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_column=Column(String(30), nullable=False))
    key: str = Field(sa_column=Column(String(100), nullable=False))
    running_key: str | None = Field(default=None, sa_column=Column(String(100)))
    status: str = Field(default="running", sa_column=Column(String(10), nullable=False))
    # Who started it (None for the operator's command line); their name as it was, for the refusal message.
    started_by_user_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user_account.id", name="fk_job_started_by", ondelete="SET NULL")))
    started_by: str = Field(default="", sa_column=Column(String(200), nullable=False, server_default=""))
    done: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    total: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    started_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
    heartbeat_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
