"""Knowledge base: articles in Markdown, with full-text search per database.

SQLite: an external-content FTS5 table ``kb_article_fts`` (porter stemming, accents folded)
over title, category and body, kept in step by three triggers. PostgreSQL: a generated,
stored tsvector column (title weight A, category B, body C) with a GIN index; stored so that
ranking reads it instead of parsing every matching article again. Neither object is in
SQLModel.metadata: alembic/env.py ignores them (``opsportal.models.kb.include_in_schema_compare``).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 02:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa

import opsportal.models.types
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

SQLITE_FTS = [
    """CREATE VIRTUAL TABLE kb_article_fts USING fts5(
        title, category, body_md,
        content='kb_article', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER kb_article_fts_after_insert AFTER INSERT ON kb_article BEGIN
        INSERT INTO kb_article_fts(rowid, title, category, body_md)
        VALUES (new.id, new.title, new.category, new.body_md);
    END""",
    """CREATE TRIGGER kb_article_fts_after_delete AFTER DELETE ON kb_article BEGIN
        INSERT INTO kb_article_fts(kb_article_fts, rowid, title, category, body_md)
        VALUES ('delete', old.id, old.title, old.category, old.body_md);
    END""",
    # Publishing or unpublishing changes no indexed text: only these columns re-index.
    """CREATE TRIGGER kb_article_fts_after_update AFTER UPDATE OF title, category, body_md ON kb_article BEGIN
        INSERT INTO kb_article_fts(kb_article_fts, rowid, title, category, body_md)
        VALUES ('delete', old.id, old.title, old.category, old.body_md);
        INSERT INTO kb_article_fts(rowid, title, category, body_md)
        VALUES (new.id, new.title, new.category, new.body_md);
    END""",
    "INSERT INTO kb_article_fts(kb_article_fts) VALUES ('rebuild')",
]
SQLITE_FTS_DROP = [
    "DROP TRIGGER IF EXISTS kb_article_fts_after_update",
    "DROP TRIGGER IF EXISTS kb_article_fts_after_delete",
    "DROP TRIGGER IF EXISTS kb_article_fts_after_insert",
    "DROP TABLE IF EXISTS kb_article_fts",
]
POSTGRES_SEARCH = [
    """ALTER TABLE kb_article ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, title), 'A')
        || setweight(to_tsvector('english'::regconfig, category), 'B')
        || setweight(to_tsvector('english'::regconfig, body_md), 'C')
    ) STORED""",
    "CREATE INDEX ix_kb_article_search ON kb_article USING gin (search_vector)",
]


def upgrade() -> None:
    op.create_table('kb_article',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=60), nullable=False),
    sa.Column('body_md', sa.Text(), nullable=False),
    sa.Column('published', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('author_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', opsportal.models.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', opsportal.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('slug', name='uq_kb_article_slug')
    )
    with op.batch_alter_table('kb_article', schema=None) as batch_op:
        batch_op.create_index('ix_kb_article_category_updated', ['category', 'updated_at'], unique=False)
        batch_op.create_index('ix_kb_article_published_updated', ['published', 'updated_at'], unique=False)

    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for statement in SQLITE_FTS:
            op.execute(statement)
    elif dialect == 'postgresql':
        for statement in POSTGRES_SEARCH:
            op.execute(statement)
    else:  # pragma: no cover - the portal supports these two databases only
        raise NotImplementedError(f"no full-text search for {dialect}")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for statement in SQLITE_FTS_DROP:
            op.execute(statement)
    elif dialect == 'postgresql':
        op.execute("DROP INDEX IF EXISTS ix_kb_article_search")
        op.execute("ALTER TABLE kb_article DROP COLUMN IF EXISTS search_vector")
    with op.batch_alter_table('kb_article', schema=None) as batch_op:
        batch_op.drop_index('ix_kb_article_published_updated')
        batch_op.drop_index('ix_kb_article_category_updated')

    op.drop_table('kb_article')
