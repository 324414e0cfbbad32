"""Failed sign-ins counted per e-mail key (whether or not an account has that address) and per client address,
in the database so every worker and host shares them (OpsPortal issue 14, point 7).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 13:10:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa

import opsportal.models.types
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sign_in_failures',
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('key', sa.String(length=320), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_started_at', opsportal.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_failure_at', opsportal.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("scope IN ('email', 'address')", name='ck_sign_in_failures_scope'),
    sa.PrimaryKeyConstraint('scope', 'key')
    )
    with op.batch_alter_table('sign_in_failures', schema=None) as batch_op:
        batch_op.create_index('ix_sign_in_failures_last', ['last_failure_at'], unique=False)
    # The per-account counts so far move over, so a lock in force stays in force.
    op.execute("INSERT INTO sign_in_failures (scope, key, failures, window_started_at, last_failure_at) "
               "SELECT 'email', email_key, failed_logins, last_failed_login_at, last_failed_login_at "
               "FROM user_account WHERE failed_logins > 0 AND last_failed_login_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table('sign_in_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_sign_in_failures_last')
    op.drop_table('sign_in_failures')
