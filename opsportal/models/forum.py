"""The K2 Community forum: categories (staff-managed), questions, answers, up-votes and who follows a thread.

Full-text search over questions and answers lives next to the tables, as for the knowledge base (migrations 0028
and 0034): on SQLite FTS5 tables ``forum_question_fts`` and ``forum_answer_fts`` kept in step by triggers; on
PostgreSQL generated, stored ``tsvector`` columns ``search_vector`` with the GIN indexes ``ix_forum_question_search``
and ``ix_forum_answer_search``. Neither is in SQLModel.metadata
(``models.kb.include_in_schema_compare`` leaves them out of comparisons).
"""

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
    Text,
    UniqueConstraint,
    false,
)
from sqlmodel import Field, SQLModel

from opsportal import clock
from opsportal.models.types import UTCDateTime

SEARCH_TABLE = "forum_question_fts"
SEARCH_INDEX = "ix_forum_question_search"
SEARCH_COLUMN = "search_vector"
ANSWER_SEARCH_TABLE = "forum_answer_fts"
ANSWER_SEARCH_INDEX = "ix_forum_answer_search"


def _user_fk(name: str) -> Column:
    return Column(Integer, ForeignKey("user_account.id", name=name, ondelete="SET NULL"))


class ForumCategory(SQLModel, table=True):
    __tablename__ = "forum_category"
    __table_args__ = (UniqueConstraint("slug", name="uq_forum_category_slug"),)

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_column=Column(String(80), nullable=False))
    name: str = Field(sa_column=Column(String(60), nullable=False))
    description: str = Field(default="", sa_column=Column(String(300), nullable=False, server_default=""))
    position: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    created_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))


class ForumQuestion(SQLModel, table=True):
    __tablename__ = "forum_question"
    __table_args__ = (
        # A category's threads and the community's recent ones, most recently active first.
        Index("ix_forum_question_category_activity", "category_id", "hidden", "last_activity_at"),
        Index("ix_forum_question_activity", "hidden", "last_activity_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    category_id: int = Field(sa_column=Column(Integer, ForeignKey("forum_category.id"), nullable=False))
    author_user_id: int | None = Field(default=None, sa_column=_user_fk("fk_forum_question_author"))
    # The asker's organization when they asked (shown by name; its Gold is not what lets others read the thread).
    organization_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("organization.id", ondelete="SET NULL")))
    from_staff: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    title: str = Field(sa_column=Column(String(150), nullable=False))
    body_md: str = Field(sa_column=Column(Text, nullable=False))
    answer_count: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    votes: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    accepted_answer_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    locked: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    hidden: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    hidden_reason: str = Field(default="", sa_column=Column(String(300), nullable=False, server_default=""))
    hidden_by_user_id: int | None = Field(default=None, sa_column=_user_fk("fk_forum_question_hidden_by"))
    ticket_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("ticket.id", ondelete="SET NULL"), nullable=True))
    # When its author last edited it (shown "edited" with the time); None: never edited.
    edited_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    created_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
    last_activity_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))


class ForumAnswer(SQLModel, table=True):
    __tablename__ = "forum_answer"
    __table_args__ = (
        Index("ix_forum_answer_question", "question_id", "id"),
        CheckConstraint("staff_mark IN ('', 'staff_pick')", name="ck_forum_answer_staff_mark"),
    )

    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(sa_column=Column(Integer, ForeignKey("forum_question.id", ondelete="CASCADE"),
                                              nullable=False))
    author_user_id: int | None = Field(default=None, sa_column=_user_fk("fk_forum_answer_author"))
    organization_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("organization.id", ondelete="SET NULL")))
    from_staff: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    body_md: str = Field(sa_column=Column(Text, nullable=False))
    votes: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    staff_mark: str = Field(default="", sa_column=Column(String(20), nullable=False, server_default=""))
    hidden: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    hidden_reason: str = Field(default="", sa_column=Column(String(300), nullable=False, server_default=""))
    hidden_by_user_id: int | None = Field(default=None, sa_column=_user_fk("fk_forum_answer_hidden_by"))
    # When its author last edited it (shown "edited" with the time); None: never edited.
    edited_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    created_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))


class ForumVote(SQLModel, table=True):
    """One up-vote of one user on one post (a question or an answer): the unique key makes "one per user" hold."""

    __tablename__ = "forum_vote"
    __table_args__ = (
        UniqueConstraint("user_id", "post_kind", "post_id", name="uq_forum_vote_user_post"),
        CheckConstraint("post_kind IN ('question', 'answer')", name="ck_forum_vote_post_kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(Integer, ForeignKey("user_account.id", ondelete="CASCADE"),
                                          nullable=False))
    post_kind: str = Field(sa_column=Column(String(10), nullable=False))
    post_id: int = Field(sa_column=Column(Integer, nullable=False))
    created_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))


class ForumFollower(SQLModel, table=True):
    """A user who gets an e-mail on each new answer of a thread (the asker from the start)."""

    __tablename__ = "forum_follower"
    __table_args__ = (UniqueConstraint("question_id", "user_id", name="uq_forum_follower_question_user"),)

    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(sa_column=Column(Integer, ForeignKey("forum_question.id", ondelete="CASCADE"),
                                              nullable=False))
    user_id: int = Field(sa_column=Column(Integer, ForeignKey("user_account.id", ondelete="CASCADE"),
                                          nullable=False, index=True))
    created_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
