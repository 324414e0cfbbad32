"""Background jobs: one row per run of a long staff action (the billing run), its progress and result; a unique
running key keeps one run of a key at a time.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 02:50:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa

import opsportal.models.types
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('running_key', sa.String(length=100), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('started_by_user_id', sa.Integer(), nullable=True),
    sa.Column('started_by', sa.String(length=200), server_default='', nullable=False),
    sa.Column('done', sa.Integer(), server_default='0', nullable=False),
    sa.Column('total', sa.Integer(), server_default='0', nullable=False),
    sa.Column('summary', sa.Text(), server_default='', nullable=False),
    sa.Column('started_at', opsportal.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('heartbeat_at', opsportal.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', opsportal.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('running', 'succeeded', 'failed')", name='ck_job_status'),
    sa.CheckConstraint("(status = 'running') = (running_key IS NOT NULL)", name='ck_job_running_key'),
    sa.CheckConstraint('done >= 0 AND total >= 0', name='ck_job_progress'),
    sa.ForeignKeyConstraint(['started_by_user_id'], ['user_account.id'], name='fk_job_started_by',
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('running_key', name='uq_job_running_key')
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index('ix_job_kind_started', ['kind', 'started_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index('ix_job_kind_started')
    op.drop_table('job')
