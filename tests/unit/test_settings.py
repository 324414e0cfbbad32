"""Configuration: safe development defaults, a production guard."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from opsportal.settings import DEV_SECRET_KEY, Environment, Settings

GOOD_SECRET = "Vq3xN8-kR2pW7zL5mT9sY4bH6cJ1dF0gQeUaIoEr"
STRIPE_LIVE = {"STRIPE_SECRET_KEY": "sk_live_51NfQ8rK2xYz7Wq3LmP9sT4vB6cD1eF0gH5jU",
               "STRIPE_WEBHOOK_SECRET": "whsec_Zp4Xk9Qm2Rt7Wv3Ny8Ls5Hb1Jc6Fd0Ga"}
PORTAL = "https://portal.example.com"
GOOD_PRODUCTION = {"env": "production", "secret_key": GOOD_SECRET, "allowed_origins": PORTAL,
                   "public_url": PORTAL + "/", **STRIPE_LIVE}


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
    with pytest.raises(ValidationError, match="OPSPORTAL_SECRET_KEY is too weak: the value is 31 characters long"):
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
    settings = Settings(env="production", secret_key=GOOD_SECRET, public_url="https://ops.example.com/portal",
                        allowed_origins=" https://portal.example.com, https://ops.example.com ,", **STRIPE_LIVE)
    assert settings.is_production
    assert settings.origins == ["https://portal.example.com", "https://ops.example.com"]


def test_production_is_configured_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("OPSPORTAL_ENV", "production")
    monkeypatch.setenv("OPSPORTAL_SECRET_KEY", GOOD_SECRET)
    monkeypatch.setenv("OPSPORTAL_ALLOWED_ORIGINS", PORTAL)
    monkeypatch.setenv("OPSPORTAL_PUBLIC_URL", PORTAL)
    monkeypatch.setenv("STRIPE_SECRET_KEY", STRIPE_LIVE["STRIPE_SECRET_KEY"])
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", STRIPE_LIVE["STRIPE_WEBHOOK_SECRET"])
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
    live = Settings(**GOOD_PRODUCTION)
    assert live.stripe_base is None
    assert Settings().stripe_base == "http://127.0.0.1:12111"
    assert Settings(stripe_api_base="http://127.0.0.1:9999/").stripe_base == "http://127.0.0.1:9999"


def test_the_app_verifies_webhooks_with_the_secret_the_stripe_sandbox_signs_with():
    from opsportal.devtools import STRIPE_SANDBOX_PORT, STRIPE_SANDBOX_WEBHOOK_SECRET

    settings = Settings()
    assert settings.stripe_webhook_secret == STRIPE_SANDBOX_WEBHOOK_SECRET
    assert settings.stripe_base == f"http://127.0.0.1:{STRIPE_SANDBOX_PORT}"


def test_a_good_production_configuration_passes_every_guard():
    settings = Settings(**GOOD_PRODUCTION)
    assert settings.is_production
    assert settings.cors_origins == [PORTAL]


@pytest.mark.parametrize("origins", ["*", "https://portal.example.com,*", "https://*.example.com"])
def test_production_refuses_a_wildcard_allowed_origin(origins):
    with pytest.raises(ValidationError, match=r"OPSPORTAL_ALLOWED_ORIGINS must list exact origins, not a wildcard"):
        Settings(**{**GOOD_PRODUCTION, "allowed_origins": origins})


def test_development_refuses_a_wildcard_allowed_origin_too():
    with pytest.raises(ValidationError, match="not a wildcard"):
        Settings(allowed_origins="*")


def test_production_refuses_an_allowed_origin_with_a_path():
    with pytest.raises(ValidationError, match=r"OPSPORTAL_ALLOWED_ORIGINS: 'https://portal.example.com/app' is not"):
        Settings(**{**GOOD_PRODUCTION, "allowed_origins": "https://portal.example.com/app"})


def test_production_refuses_a_public_url_outside_the_allowed_origins():
    with pytest.raises(ValidationError) as excinfo:
        Settings(**{**GOOD_PRODUCTION, "public_url": "https://other.example.com/portal"})
    assert ("OPSPORTAL_PUBLIC_URL's origin https://other.example.com is not in OPSPORTAL_ALLOWED_ORIGINS"
            in str(excinfo.value))


def test_production_refuses_the_default_public_url():
    with pytest.raises(ValidationError, match="OPSPORTAL_PUBLIC_URL's origin http://localhost:3000 is not in"):
        Settings(**{k: v for k, v in GOOD_PRODUCTION.items() if k != "public_url"})


@pytest.mark.parametrize(("weak", "reason"), [
    ("x" * 40, "repeats a pattern of 1 character"),
    ("ab" * 20, "repeats a pattern of 2 characters"),
    ("abcdefghijklmnopqrstuvwxyz0123456789ABCD", "run of neighbouring characters"),
    ("".join("aa" + c for c in "Q7m#kT2@pW9zR8"), "looks predictable"),
])
def test_production_refuses_a_low_entropy_session_secret(weak, reason):
    with pytest.raises(ValidationError) as excinfo:
        Settings(**{**GOOD_PRODUCTION, "secret_key": weak})
    assert "OPSPORTAL_SECRET_KEY is too weak: the value" in str(excinfo.value)
    assert reason in str(excinfo.value)


@pytest.mark.parametrize(("variable", "weak"), [
    ("STRIPE_SECRET_KEY", "sk_live_aaaaaaaaaaaaaaaaaaaaaaaa"),
    ("STRIPE_WEBHOOK_SECRET", "whsec_endpoint_secret"),
])
def test_production_refuses_low_entropy_stripe_secrets(variable, weak):
    with pytest.raises(ValidationError, match=f"{variable} is too weak: the value"):
        Settings(**{**GOOD_PRODUCTION, variable: weak})


def test_development_allows_only_the_public_url_and_its_loopback_twin_by_default():
    assert Settings().cors_origins == ["http://localhost:3000", "http://127.0.0.1:3000"]
    assert Settings(public_url="http://127.0.0.1:3100/x").cors_origins == ["http://127.0.0.1:3100",
                                                                          "http://localhost:3100"]
    assert Settings(allowed_origins="http://localhost:3400").cors_origins == ["http://localhost:3400"]
