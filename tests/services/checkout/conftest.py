"""The Checkout tests' scenes: Stripe replaced by a fake of the gateway's functions (``stripe_fake``) or the real SDK
pointed at a closed port (``stripe_down``), an open invoice for every organization, and an hour-block catalog."""

from __future__ import annotations

import pytest

from opsportal.services import hour_blocks
from opsportal.services import stripe_gateway as gateway
from opsportal.services.operator import OPERATOR
from opsportal.settings import get_settings
from tests.utils.checkout import FakeStripe, issue


@pytest.fixture
def stripe_fake(monkeypatch: pytest.MonkeyPatch) -> FakeStripe:
    fake = FakeStripe()
    monkeypatch.setattr(gateway, "create_checkout_session", fake.create_checkout_session)
    monkeypatch.setattr(gateway, "retrieve_checkout_session", fake.retrieve_checkout_session)
    return fake


@pytest.fixture
def bills(world, stripe_fake):
    """Every organization has an open invoice of USD 250.00."""
    return world, {name: issue(world.org(name)) for name in ("holdings", "retail", "logistics", "fabrikam")}


@pytest.fixture
def catalog(world):
    def save(name, hours, price, currency="USD", active=True):
        return hour_blocks.save_block(OPERATOR, block_id=None, name=name, hours=hours, price_minor=price,
                                      currency=currency, validity_days=365, active=active).id
    return {"usd": save("Standard block", 10, 114_000), "eur": save("Standard block (EUR)", 10, 105_000, "EUR"),
            "retired": save("Old block", 5, 50_000, active=False)}


@pytest.fixture
def stripe_down(monkeypatch: pytest.MonkeyPatch, database_url):
    """The real SDK pointed at a port nobody listens on."""
    monkeypatch.setenv("OPSPORTAL_STRIPE_API_BASE", "http://127.0.0.1:9")
    monkeypatch.setenv("OPSPORTAL_STRIPE_TIMEOUT_SECONDS", "2")
    get_settings.cache_clear()
    assert get_settings().stripe_base == "http://127.0.0.1:9"
    yield
    get_settings.cache_clear()
