"""K2 Community: authors edit their posts (``edited_at`` on questions and answers) and full-text search covers
answers (as 0028 does for questions: FTS5 with triggers on SQLite, a generated tsvector with a GIN index on
PostgreSQL). Existing answers are indexed at once.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-04 10:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from opsportal.models.types import UTCDateTime

revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None

SQLITE_FTS = [
    """CREATE VIRTUAL TABLE forum_answer_fts USING fts5(
        body_md,
        content='forum_answer', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER forum_answer_fts_after_insert AFTER INSERT ON forum_answer BEGIN
        INSERT INTO forum_answer_fts(rowid, body_md) VALUES (new.id, new.body_md);
    END""",
    """CREATE TRIGGER forum_answer_fts_after_delete AFTER DELETE ON forum_answer BEGIN
        INSERT INTO forum_answer_fts(forum_answer_fts, rowid, body_md) VALUES ('delete', old.id, old.body_md);
    END""",
    """CREATE TRIGGER forum_answer_fts_after_update AFTER UPDATE OF body_md ON forum_answer BEGIN
        INSERT INTO forum_answer_fts(forum_answer_fts, rowid, body_md) VALUES ('delete', old.id, old.body_md);
        INSERT INTO forum_answer_fts(rowid, body_md) VALUES (new.id, new.body_md);
    END""",
    "INSERT INTO forum_answer_fts(forum_answer_fts) VALUES ('rebuild')",
]
SQLITE_FTS_DROP = [
    "DROP TRIGGER IF EXISTS forum_answer_fts_after_update",
    "DROP TRIGGER IF EXISTS forum_answer_fts_after_delete",
    "DROP TRIGGER IF EXISTS forum_answer_fts_after_insert",
    "DROP TABLE IF EXISTS forum_answer_fts",
]
POSTGRES_SEARCH = [
    """ALTER TABLE forum_answer ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        to_tsvector('english'::regconfig, body_md)
    ) STORED""",
    "CREATE INDEX ix_forum_answer_search ON forum_answer USING gin (search_vector)",
]
POSTGRES_SEARCH_DROP = [
    "DROP INDEX IF EXISTS ix_forum_answer_search",
    "ALTER TABLE forum_answer DROP COLUMN IF EXISTS search_vector",
]


def upgrade() -> None:
    for table in ('forum_question', 'forum_answer'):  # a plain ADD COLUMN: the FTS triggers stay in place
        op.add_column(table, sa.Column('edited_at', UTCDateTime(), nullable=True))
    statements = SQLITE_FTS if op.get_bind().dialect.name == 'sqlite' else POSTGRES_SEARCH
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    statements = SQLITE_FTS_DROP if op.get_bind().dialect.name == 'sqlite' else POSTGRES_SEARCH_DROP
    for statement in statements:
        op.execute(statement)
    for table in ('forum_answer', 'forum_question'):
        op.drop_column(table, 'edited_at')
