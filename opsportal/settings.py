"""All configuration, read once from OPSPORTAL_* environment variables.

Development defaults are safe to run on a laptop; production refuses to start with
a development secret or without an explicit list of allowed origins.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "dev-only-secret-key-change-me-0123456789abcdef"


class Environment(StrEnum):
    development = "development"
    production = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OPSPORTAL_", extra="ignore")

    env: Environment = Environment.development
    data_dir: Path = PROJECT_ROOT / "data"
    database_url: str = ""
    redis_url: str | None = None
    secret_key: str = DEV_SECRET_KEY
    # Comma separated, e.g. "https://portal.example.com". Required in production.
    allowed_origins: str = ""
    # Public URL the portal is served on (links in e-mails, redirects).
    public_url: str = "http://localhost:3000"

    jwt_audience: str = "opsportal"
    session_ttl_minutes: int = Field(default=8 * 60, ge=5)

    # Failed sign-ins for one account: the first few are free, then each attempt must
    # wait longer, and past the lock threshold the account is refused for a while.
    login_free_failures: int = Field(default=3, ge=1)
    login_lock_failures: int = Field(default=6, ge=2)
    login_lock_minutes: int = Field(default=15, ge=1)

    @model_validator(mode="after")
    def _defaults_and_production_guard(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'opsportal.db'}"
        if self.env is Environment.production:
            problems = []
            if self.secret_key == DEV_SECRET_KEY or len(self.secret_key) < 32:
                problems.append("OPSPORTAL_SECRET_KEY must be set to a random value of 32+ characters")
            if not self.origins:
                problems.append("OPSPORTAL_ALLOWED_ORIGINS must list the portal's origins")
            if problems:
                raise ValueError("refusing to start in production: " + "; ".join(problems))
        if self.login_lock_failures <= self.login_free_failures:
            raise ValueError("OPSPORTAL_LOGIN_LOCK_FAILURES must exceed OPSPORTAL_LOGIN_FREE_FAILURES")
        return self

    @property
    def origins(self) -> list[str]:
        return [o.strip() for o in self.allowed_origins.split(",") if o.strip()]

    @property
    def is_production(self) -> bool:
        return self.env is Environment.production

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
