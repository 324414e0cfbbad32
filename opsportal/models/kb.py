"""Knowledge-base articles, written by staff in Markdown.

Full-text search lives next to the table and is not part of SQLModel.metadata (migration 0005
creates it per database): on SQLite an FTS5 table ``kb_article_fts`` that triggers keep in step
with ``kb_article``; on PostgreSQL a generated, stored ``tsvector`` column ``search_vector``
(weighted title, category, body) with the GIN index ``ix_kb_article_search``. Alembic must
ignore these objects (``include_in_schema_compare``).

On SQLite a later batch migration that recreates ``kb_article`` drops its triggers: such a
migration must create them again and rebuild the index (see 0005).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from opsportal import clock
from opsportal.models.types import UTCDateTime

SEARCH_TABLE = "kb_article_fts"
SEARCH_INDEX = "ix_kb_article_search"
SEARCH_COLUMN = "search_vector"
# The community forum's questions are searched the same way (models.forum, migration 0028).
FORUM_SEARCH = ("forum_question_fts", "ix_forum_question_search")
FORUM_ANSWER_SEARCH = ("forum_answer_fts", "ix_forum_answer_search")  # and answers (migration 0034)


def is_search_object(name: str | None) -> bool:
    """True for the full-text tables and index the migrations manage outside the metadata (and FTS5's shadow tables)."""
    return bool(name) and any(name == index or name == table or name.startswith(table + "_")
                              for table, index in ((SEARCH_TABLE, SEARCH_INDEX), FORUM_SEARCH, FORUM_ANSWER_SEARCH))


def include_in_schema_compare(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic's ``include_name`` hook: leave the full-text search objects out of autogenerate and comparisons."""
    if type_ in ("table", "index"):
        return not is_search_object(name)
    if type_ == "column":
        return not (name == SEARCH_COLUMN and parent_names.get("table_name") in ("kb_article", "forum_question",
                                                                                "forum_answer"))
    return True


class KbArticle(SQLModel, table=True):
    __tablename__ = "kb_article"
    __table_args__ = (
        UniqueConstraint("slug", name="uq_kb_article_slug"),
        # The listing without a search: visible articles, most recently updated first.
        Index("ix_kb_article_published_updated", "published", "updated_at"),
        Index("ix_kb_article_category_updated", "category", "updated_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_column=Column(String(80), nullable=False))
    title: str = Field(sa_column=Column(String(200), nullable=False))
    category: str = Field(sa_column=Column(String(60), nullable=False))
    body_md: str = Field(sa_column=Column(Text, nullable=False))
    published: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    author_user_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user_account.id")))
    created_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))
