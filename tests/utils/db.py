"""Looking at the database the app points at, to prove what a use case wrote or did not write."""

from __future__ import annotations

from sqlalchemy import func, inspect, select
from sqlmodel import SQLModel

import opsportal.models  # noqa: F401  (registers the tables)
from opsportal.db import get_engine


def dump_tables(*, ignore: frozenset[str] | set[str] = frozenset()) -> dict[str, list[tuple]]:
    """Every row of every application table (but those in ``ignore``), in primary-key order."""
    with get_engine().connect() as conn:
        return {
            table.name: [tuple(row) for row in conn.execute(select(table).order_by(*table.primary_key.columns))]
            for table in SQLModel.metadata.sorted_tables if table.name not in ignore
        }


def row_counts() -> dict[str, int]:
    with get_engine().connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in SQLModel.metadata.sorted_tables
        }


def table_names() -> set[str]:
    return set(inspect(get_engine()).get_table_names())
