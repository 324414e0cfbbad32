"""Task list indexes found by bench/tasks.py (100,000 tasks, 80,000 of them in one organization).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 03:00:00

* ``ix_ticket_org_updated_id_status (organization_id, updated_at, id, status)`` replaces
  ``ix_ticket_org_updated`` (its prefix): the list's default order (``updated_at DESC, id DESC``)
  with the tab's status filter in the index, so ``services.tasks.page_of_tasks`` finds a page's
  ids from the index alone, however far down the page is, and reads only the rows it shows.
* ``ix_ticket_org_category_status (organization_id, category, status)``: counting a category
  filter (with the tab) is an index-only scan instead of reading every task of the organization.
* ``ix_ticket_title_search``: on PostgreSQL a GIN trigram index (``pg_trgm``, a trusted extension
  any database owner may create) that serves the title search, ``ILIKE '%word%'``, which otherwise
  reads the whole table; SQLite has no trigram index, so there it is a plain index on the title
  (the same name, so the schema matches the models on both).
"""
from __future__ import annotations

from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_ticket_org_updated_id_status', 'ticket', ['organization_id', 'updated_at', 'id', 'status'],
                    unique=False)
    op.create_index('ix_ticket_org_category_status', 'ticket', ['organization_id', 'category', 'status'],
                    unique=False)
    op.drop_index('ix_ticket_org_updated', table_name='ticket')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index('ix_ticket_title_search', 'ticket', ['title'], unique=False, postgresql_using='gin',
                        postgresql_ops={'title': 'gin_trgm_ops'})
    else:
        op.create_index('ix_ticket_title_search', 'ticket', ['title'], unique=False)


def downgrade() -> None:
    # The pg_trgm extension stays: other objects of the database may use it.
    op.drop_index('ix_ticket_title_search', table_name='ticket')
    op.create_index('ix_ticket_org_updated', 'ticket', ['organization_id', 'updated_at'], unique=False)
    op.drop_index('ix_ticket_org_category_status', table_name='ticket')
    op.drop_index('ix_ticket_org_updated_id_status', table_name='ticket')
