"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

import opsportal.models  # noqa: F401  (registers the tables)
from alembic import command
from opsportal.db import get_engine
from opsportal.migrations import alembic_config, upgrade
from opsportal.models.kb import include_in_schema_compare, is_search_object
from opsportal.services.operator import OPERATOR
from opsportal.services.organizations import create_organization
from tests.utils.db import table_names as all_table_names

APP_TABLES = set(SQLModel.metadata.tables)


def table_names() -> set[str]:
    return {name for name in all_table_names() if not is_search_object(name)}


def schema_differences(url: str) -> list:
    with get_engine(url).connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "target_metadata": SQLModel.metadata,
                                                         "include_name": include_in_schema_compare})
        return compare_metadata(context, SQLModel.metadata)


def current_revision(url: str) -> str | None:
    with get_engine(url).connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(url: str) -> str:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def test_upgrading_an_empty_database_reaches_head_with_no_schema_differences(empty_database_url):
    assert table_names() == set()
    upgrade(empty_database_url)
    assert table_names() == APP_TABLES | {"alembic_version"}
    assert current_revision(empty_database_url) == head_revision(empty_database_url)
    assert schema_differences(empty_database_url) == []


def test_upgrading_an_up_to_date_database_changes_nothing(database_url):
    upgrade(database_url)
    assert current_revision(database_url) == head_revision(database_url)
    assert schema_differences(database_url) == []


def test_downgrading_to_base_removes_every_table_and_upgrading_again_restores_them(empty_database_url):
    url = empty_database_url  # a database of its own: this test changes the schema
    upgrade(url)
    command.downgrade(alembic_config(url), "base")
    assert table_names() & APP_TABLES == set()
    assert current_revision(url) is None

    upgrade(url)
    assert table_names() == APP_TABLES | {"alembic_version"}
    assert schema_differences(url) == []
    assert create_organization(OPERATOR, name="Contoso").id > 0


def test_upgrading_moves_the_per_account_failure_counts_into_the_sign_in_failures_table(empty_database_url):
    from sqlalchemy import text

    url = empty_database_url
    command.upgrade(alembic_config(url), "0014")
    with get_engine(url).begin() as conn:
        conn.execute(text("INSERT INTO organization (id, name, name_key, created_at) "
                          "VALUES (1, 'Acme', 'acme', '2026-12-01')"))
        conn.execute(text(
            "INSERT INTO user_account (email, email_key, full_name, role, organization_id, is_active, failed_logins,"
            " last_failed_login_at, created_at) VALUES "
            "('a@acme.example', 'a@acme.example', 'A', 'owner', 1, true, 6, '2026-12-03 12:00:00', '2026-12-01'),"
            "('b@acme.example', 'b@acme.example', 'B', 'member', 1, true, 0, NULL, '2026-12-01')"))
    upgrade(url)
    with get_engine(url).connect() as conn:
        rows = conn.execute(text("SELECT scope, key, failures FROM sign_in_failures")).all()
    assert [tuple(r) for r in rows] == [("email", "a@acme.example", 6)]
