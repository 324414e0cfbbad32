from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, Integer, String
from sqlmodel import Field, SQLModel

from opsportal import clock
from opsportal.models.types import UTCDateTime


class ChangeEvent(SQLModel, table=True):
    """One committed change of what open pages show: ``org:<id>`` or ``task:<id>``.

    Written in the transaction that made the change (so a page never hears of a change that was rolled back, and
    never misses one that committed); every backend process follows the table from its highest id and wakes the
    tabs that show the topic. Rows older than a few minutes are deleted.
    """

    __tablename__ = "change_event"
    __table_args__ = (Index("ix_change_event_at", "at"),)

    id: int | None = Field(default=None, sa_column=Column(BigInteger().with_variant(Integer, "sqlite"),
                                                          primary_key=True, autoincrement=True))
    topic: str = Field(sa_column=Column(String(40), nullable=False))
    at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
