"""opsportal.clock: the one way to ask the time. ``now()`` is always the real clock; ``coverage_now()`` is too, unless
OPSPORTAL_CLOCK_OVERRIDE fixes it (tests only, refused in production)."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from opsportal import clock
from opsportal.settings import Settings, get_settings


@pytest.fixture
def fresh_settings(monkeypatch):
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_the_coverage_clock_is_the_real_clock_without_an_override(fresh_settings):
    fresh_settings.delenv("OPSPORTAL_CLOCK_OVERRIDE", raising=False)
    assert abs(clock.coverage_now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_the_override_fixes_the_coverage_clock_in_utc(fresh_settings):
    fresh_settings.setenv("OPSPORTAL_CLOCK_OVERRIDE", "2026-11-21T04:00:00+01:00")
    assert clock.coverage_now() == datetime(2026, 11, 21, 3, 0, tzinfo=UTC)
    assert clock.coverage_now().tzinfo is UTC


def test_a_real_instant_reads_as_itself_on_the_coverage_clock_without_an_override(fresh_settings):
    fresh_settings.delenv("OPSPORTAL_CLOCK_OVERRIDE", raising=False)
    paid = datetime(2026, 11, 22, 6, 40, tzinfo=UTC)
    assert clock.on_coverage_clock(paid) == paid


def test_with_an_override_every_real_instant_reads_as_the_fixed_instant_on_the_coverage_clock(fresh_settings):
    fresh_settings.setenv("OPSPORTAL_CLOCK_OVERRIDE", "2026-11-21T03:00:00Z")
    assert clock.on_coverage_clock(datetime(2026, 11, 22, 6, 40, tzinfo=UTC)) == datetime(2026, 11, 21, 3, 0,
                                                                                          tzinfo=UTC)


def test_an_override_without_a_time_zone_is_refused():
    with pytest.raises(ValidationError, match="time zone"):
        Settings(clock_override=datetime(2026, 11, 21, 3, 0))


def test_production_refuses_a_clock_override():
    with pytest.raises(ValidationError, match="OPSPORTAL_CLOCK_OVERRIDE is for tests only"):
        Settings(env="production", secret_key="x" * 40, stripe_secret_key="sk_live_x", stripe_webhook_secret="whsec_x",
                 allowed_origins="https://portal.example.com", clock_override=datetime(2026, 11, 21, 3, 0, tzinfo=UTC))


def test_now_is_the_real_clock_even_with_an_override(fresh_settings):
    fresh_settings.setenv("OPSPORTAL_CLOCK_OVERRIDE", "2020-01-01T00:00:00Z")
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_no_module_of_the_portal_asks_the_time_but_the_clock():
    package = Path(clock.__file__).parent
    askers = []
    for path in package.rglob("*.py"):
        if path.name == "clock.py" or "devtools" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in ("now", "utcnow", "today") \
                    and isinstance(node.func.value, ast.Name) and node.func.value.id in ("datetime", "date"):
                askers.append(f"{path.relative_to(package)}:{node.lineno}")
    assert askers == [], "ask opsportal.clock instead"
