"""The K2 Community forum: categories, questions, answers, votes, followers; full-text search over questions (as
0005 does for articles: FTS5 with triggers on SQLite, a generated tsvector with a GIN index on PostgreSQL); and the
community_answers notification kind.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-03 21:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from opsportal.models.types import UTCDateTime

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None

_OLD_KINDS = "('monthly_statement', 'weekly_expiry', 'low_balance', 'overdue_reminder', 'ticket_updates')"
_NEW_KINDS = ("('monthly_statement', 'weekly_expiry', 'low_balance', 'overdue_reminder', 'ticket_updates', "
              "'community_answers')")

SQLITE_FTS = [
    """CREATE VIRTUAL TABLE forum_question_fts USING fts5(
        title, body_md,
        content='forum_question', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER forum_question_fts_after_insert AFTER INSERT ON forum_question BEGIN
        INSERT INTO forum_question_fts(rowid, title, body_md) VALUES (new.id, new.title, new.body_md);
    END""",
    """CREATE TRIGGER forum_question_fts_after_delete AFTER DELETE ON forum_question BEGIN
        INSERT INTO forum_question_fts(forum_question_fts, rowid, title, body_md)
        VALUES ('delete', old.id, old.title, old.body_md);
    END""",
    """CREATE TRIGGER forum_question_fts_after_update AFTER UPDATE OF title, body_md ON forum_question BEGIN
        INSERT INTO forum_question_fts(forum_question_fts, rowid, title, body_md)
        VALUES ('delete', old.id, old.title, old.body_md);
        INSERT INTO forum_question_fts(rowid, title, body_md) VALUES (new.id, new.title, new.body_md);
    END""",
]
SQLITE_FTS_DROP = [
    "DROP TRIGGER IF EXISTS forum_question_fts_after_update",
    "DROP TRIGGER IF EXISTS forum_question_fts_after_delete",
    "DROP TRIGGER IF EXISTS forum_question_fts_after_insert",
    "DROP TABLE IF EXISTS forum_question_fts",
]
POSTGRES_SEARCH = [
    """ALTER TABLE forum_question ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, title), 'A')
        || setweight(to_tsvector('english'::regconfig, body_md), 'C')
    ) STORED""",
    "CREATE INDEX ix_forum_question_search ON forum_question USING gin (search_vector)",
]


def _kinds(kinds: str) -> None:
    for table in ('notification_subscription', 'notification_delivery'):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(f'ck_{table}_kind', type_='check')
            batch_op.create_check_constraint(f'ck_{table}_kind', f"kind IN {kinds}")


def upgrade() -> None:
    _kinds(_NEW_KINDS)
    op.create_table(
        'forum_category',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=80), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('description', sa.String(length=300), server_default='', nullable=False),
        sa.Column('position', sa.Integer(), server_default='0', nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('slug', name='uq_forum_category_slug'),
    )
    op.create_table(
        'forum_question',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.Column('author_user_id', sa.Integer(), nullable=True),
        sa.Column('organization_id', sa.Integer(), nullable=True),
        sa.Column('from_staff', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('title', sa.String(length=150), nullable=False),
        sa.Column('body_md', sa.Text(), nullable=False),
        sa.Column('answer_count', sa.Integer(), server_default='0', nullable=False),
        sa.Column('votes', sa.Integer(), server_default='0', nullable=False),
        sa.Column('accepted_answer_id', sa.Integer(), nullable=True),
        sa.Column('locked', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('hidden', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('hidden_reason', sa.String(length=300), server_default='', nullable=False),
        sa.Column('hidden_by_user_id', sa.Integer(), nullable=True),
        sa.Column('ticket_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('last_activity_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['category_id'], ['forum_category.id']),
        sa.ForeignKeyConstraint(['author_user_id'], ['user_account.id'], name='fk_forum_question_author',
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['hidden_by_user_id'], ['user_account.id'], name='fk_forum_question_hidden_by',
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_forum_question_category_activity', 'forum_question',
                    ['category_id', 'hidden', 'last_activity_at'])
    op.create_index('ix_forum_question_activity', 'forum_question', ['hidden', 'last_activity_at'])
    op.create_table(
        'forum_answer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('author_user_id', sa.Integer(), nullable=True),
        sa.Column('organization_id', sa.Integer(), nullable=True),
        sa.Column('from_staff', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('body_md', sa.Text(), nullable=False),
        sa.Column('votes', sa.Integer(), server_default='0', nullable=False),
        sa.Column('staff_mark', sa.String(length=20), server_default='', nullable=False),
        sa.Column('hidden', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('hidden_reason', sa.String(length=300), server_default='', nullable=False),
        sa.Column('hidden_by_user_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.CheckConstraint("staff_mark IN ('', 'staff_pick')", name='ck_forum_answer_staff_mark'),
        sa.ForeignKeyConstraint(['question_id'], ['forum_question.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['author_user_id'], ['user_account.id'], name='fk_forum_answer_author',
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['hidden_by_user_id'], ['user_account.id'], name='fk_forum_answer_hidden_by',
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_forum_answer_question', 'forum_answer', ['question_id', 'id'])
    op.create_table(
        'forum_vote',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('post_kind', sa.String(length=10), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.CheckConstraint("post_kind IN ('question', 'answer')", name='ck_forum_vote_post_kind'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', 'post_kind', 'post_id', name='uq_forum_vote_user_post'),
    )
    op.create_table(
        'forum_follower',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['question_id'], ['forum_question.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('question_id', 'user_id', name='uq_forum_follower_question_user'),
    )
    op.create_index(op.f('ix_forum_follower_user_id'), 'forum_follower', ['user_id'])

    dialect = op.get_bind().dialect.name
    statements = SQLITE_FTS if dialect == 'sqlite' else POSTGRES_SEARCH
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for statement in SQLITE_FTS_DROP:
            op.execute(statement)
    op.drop_index(op.f('ix_forum_follower_user_id'), table_name='forum_follower')
    op.drop_table('forum_follower')
    op.drop_table('forum_vote')
    op.drop_index('ix_forum_answer_question', table_name='forum_answer')
    op.drop_table('forum_answer')
    op.drop_index('ix_forum_question_activity', table_name='forum_question')
    op.drop_index('ix_forum_question_category_activity', table_name='forum_question')
    op.drop_table('forum_question')  # the PostgreSQL search column and index go with it
    op.drop_table('forum_category')
    op.execute("DELETE FROM notification_delivery WHERE kind = 'community_answers'")
    op.execute("DELETE FROM notification_subscription WHERE kind = 'community_answers'")
    _kinds(_OLD_KINDS)
