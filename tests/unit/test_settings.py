"""Configuration: safe development defaults, a production guard."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from opsportal.settings import DEV_SECRET_KEY, Environment, Settings

GOOD_SECRET = "x" * 16 + "-production-secret-0123456789"
STRIPE_LIVE = {"STRIPE_SECRET_KEY": "sk_live_account_key", "STRIPE_WEBHOOK_SECRET": "whsec_endpoint_secret"}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings must come from what each test gives, not from the developer's shell."""
    for name in list(os.environ):
        if name.startswith("OPSPORTAL_"):
            monkeypatch.delenv(name)


def test_the_default_database_is_an_sqlite_file_in_the_data_directory(tmp_path: Path):
    settings = Settings(data_dir=tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path / 'opsportal.db'}"
    assert settings.is_sqlite


def test_the_data_directory_is_read_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("OPSPORTAL_DATA_DIR", str(tmp_path))
    assert Settings().database_url == f"sqlite:///{tmp_path / 'opsportal.db'}"


def test_the_database_url_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("OPSPORTAL_DATABASE_URL", "postgresql+psycopg://u@db.internal:5432/portal")
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://u@db.internal:5432/portal"
    assert not settings.is_sqlite


def test_development_is_the_default_environment_and_runs_with_the_development_secret():
    settings = Settings()
    assert settings.env is Environment.development
    assert not settings.is_production
    assert settings.secret_key == DEV_SECRET_KEY


def test_production_refuses_the_default_secret():
    with pytest.raises(ValidationError, match="OPSPORTAL_SECRET_KEY must be set"):
        Settings(env="production", allowed_origins="https://portal.example.com")


def test_production_refuses_a_short_secret():
    with pytest.raises(ValidationError, match="OPSPORTAL_SECRET_KEY must be set"):
        Settings(env="production", secret_key="s" * 31, allowed_origins="https://portal.example.com")


@pytest.mark.parametrize("origins", ["", " ", " , ,"])
def test_production_refuses_missing_allowed_origins(origins):
    with pytest.raises(ValidationError) as excinfo:
        Settings(env="production", secret_key=GOOD_SECRET, allowed_origins=origins)
    assert "OPSPORTAL_ALLOWED_ORIGINS must list the portal's origins" in str(excinfo.value)
    assert "OPSPORTAL_SECRET_KEY" not in str(excinfo.value)


def test_production_names_every_problem_at_once():
    with pytest.raises(ValidationError) as excinfo:
        Settings(env="production")
    assert "OPSPORTAL_SECRET_KEY" in str(excinfo.value)
    assert "OPSPORTAL_ALLOWED_ORIGINS" in str(excinfo.value)


def test_production_accepts_a_strong_secret_and_listed_origins():
    settings = Settings(env="production", secret_key=GOOD_SECRET,
                        allowed_origins=" https://portal.example.com, https://ops.example.com ,", **STRIPE_LIVE)
    assert settings.is_production
    assert settings.origins == ["https://portal.example.com", "https://ops.example.com"]


def test_production_is_configured_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("OPSPORTAL_ENV", "production")
    monkeypatch.setenv("OPSPORTAL_SECRET_KEY", GOOD_SECRET)
    monkeypatch.setenv("OPSPORTAL_ALLOWED_ORIGINS", "https://portal.example.com")
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_live_account_key")
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec_endpoint_secret")
    assert Settings().is_production
    monkeypatch.delenv("OPSPORTAL_SECRET_KEY")
    with pytest.raises(ValidationError, match="OPSPORTAL_SECRET_KEY"):
        Settings()


def test_the_lock_threshold_must_exceed_the_free_failures():
    with pytest.raises(ValidationError, match="OPSPORTAL_LOGIN_LOCK_FAILURES must exceed"):
        Settings(login_free_failures=5, login_lock_failures=5)


def test_sessions_last_at_least_five_minutes():
    with pytest.raises(ValidationError):
        Settings(session_ttl_minutes=4)


def test_production_refuses_the_sandbox_stripe_keys():
    with pytest.raises(ValidationError) as excinfo:
        Settings(env="production", secret_key=GOOD_SECRET, allowed_origins="https://portal.example.com")
    assert "STRIPE_SECRET_KEY must be set" in str(excinfo.value)
    assert "STRIPE_WEBHOOK_SECRET must be set" in str(excinfo.value)


def test_production_talks_to_stripe_itself_and_development_to_the_local_sandbox():
    live = Settings(env="production", secret_key=GOOD_SECRET, allowed_origins="https://portal.example.com",
                    **STRIPE_LIVE)
    assert live.stripe_base is None
    assert Settings().stripe_base == "http://127.0.0.1:12111"
    assert Settings(stripe_api_base="http://127.0.0.1:9999/").stripe_base == "http://127.0.0.1:9999"


def test_the_app_verifies_webhooks_with_the_secret_the_stripe_sandbox_signs_with():
    from opsportal.devtools import STRIPE_SANDBOX_PORT, STRIPE_SANDBOX_WEBHOOK_SECRET

    settings = Settings()
    assert settings.stripe_webhook_secret == STRIPE_SANDBOX_WEBHOOK_SECRET
    assert settings.stripe_base == f"http://127.0.0.1:{STRIPE_SANDBOX_PORT}"
