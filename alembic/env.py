"""Alembic environment: SQLModel metadata, URL from OpsPortal settings."""

from __future__ import annotations

from logging.config import fileConfig

from sqlmodel import SQLModel

import opsportal.models  # noqa: F401  (registers the tables)
from alembic import context
from opsportal.db import get_engine
from opsportal.models.kb import include_in_schema_compare
from opsportal.settings import get_settings

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def _url() -> str:
    return config.attributes.get("database_url") or get_settings().database_url


def _options(url: str) -> dict:
    return {"target_metadata": target_metadata, "compare_type": True, "render_as_batch": url.startswith("sqlite"),
            # Full-text search objects are created by hand per database (see migration 0005).
            "include_name": include_in_schema_compare}


def run_migrations_offline() -> None:
    url = _url()
    context.configure(url=url, literal_binds=True, dialect_opts={"paramstyle": "named"}, **_options(url))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = _url()
    with get_engine(url).connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch migrations copy tables; foreign keys are checked again once they are done.
            # The pragma only works outside a transaction, so it goes to the driver directly.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            context.configure(connection=connection, **_options(url))
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if problems:
                        raise RuntimeError(f"migration left broken foreign keys: {problems[:5]}")
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
