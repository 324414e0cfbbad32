"""Running Alembic from code (the CLI, tests, the app's start-up script)."""

from __future__ import annotations

from alembic.config import Config

from alembic import command
from opsportal.settings import PROJECT_ROOT, get_settings


def alembic_config(database_url: str | None = None) -> Config:
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    cfg.attributes["database_url"] = database_url or get_settings().database_url
    cfg.attributes["configure_logging"] = False
    return cfg


def upgrade(database_url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)
