"""Pay-per-incident requests accept the support terms, as plan orders do.

- ``support_terms_acceptance.incident_request_id``: the request whose transaction wrote the acceptance (at most
  one acceptance per request); earlier acceptances are plan orders'.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-04 00:40:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('support_terms_acceptance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('incident_request_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_support_terms_acceptance_incident_request', 'incident_request',
                                    ['incident_request_id'], ['id'])
        batch_op.create_unique_constraint('uq_support_terms_acceptance_incident_request', ['incident_request_id'])


def downgrade() -> None:
    with op.batch_alter_table('support_terms_acceptance', schema=None) as batch_op:
        batch_op.drop_constraint('uq_support_terms_acceptance_incident_request', type_='unique')
        batch_op.drop_constraint('fk_support_terms_acceptance_incident_request', type_='foreignkey')
        batch_op.drop_column('incident_request_id')
