"""The Stripe webhook tests' scenes: the gateway's ``create_checkout_session`` replaced by a fake, an open invoice
and an hour block with Checkout opened for them, and the API the webhook route lives on."""

from __future__ import annotations

import pytest
from starlette.responses import PlainTextResponse

from opsportal.api.routes import create_api
from opsportal.services import checkout_sessions, hour_blocks, invoice_staff, invoice_terms
from opsportal.services import stripe_gateway as gateway
from opsportal.services.invoice_staff import ItemInput
from opsportal.services.operator import OPERATOR
from tests.utils.stripe_webhook import BLOCK_MINUTES, BLOCK_PRICE, TODAY, FakeCheckout, TestClient, payment_row
from tests.utils.tasks import hours


@pytest.fixture
def fake_checkout(monkeypatch: pytest.MonkeyPatch) -> FakeCheckout:
    fake = FakeCheckout()
    monkeypatch.setattr(gateway, "create_checkout_session", fake)
    return fake


@pytest.fixture
def open_invoice(world, fake_checkout):
    """Holdings owes USD 300.00 (pre-service, 20 % tax) and its owner has opened Stripe Checkout for it."""
    invoice_terms.set_invoice_terms(OPERATOR, world.holdings.id, tax_rate="20", payment_terms_days=30)
    row = invoice_staff.create_pre_service_invoice(
        OPERATOR, world.holdings.id, [ItemInput("Emergency after-hours incident", 1, 25_000)], today=TODAY)
    started = checkout_sessions.start_invoice_checkout(world.actor("holdings_owner"), row.id)
    return world, row.id, payment_row(started.payment_id)


@pytest.fixture
def block(world):
    return hour_blocks.save_block(OPERATOR, block_id=None, name="Standard block", hours=BLOCK_MINUTES // 60,
                                  price_minor=BLOCK_PRICE, currency="USD", validity_days=365)


@pytest.fixture
def block_checkout(world, block, fake_checkout):
    """Retail (20 % tax, 2 hours left) has opened Stripe Checkout for a 10-hour block."""
    invoice_terms.set_invoice_terms(OPERATOR, world.retail.id, tax_rate="20", payment_terms_days=30)
    hours(world.retail, 120)
    started = checkout_sessions.start_hour_block_checkout(world.actor("retail_owner"), block.id)
    return world, payment_row(started.payment_id)


@pytest.fixture
def client(database_url) -> TestClient:
    return TestClient(create_api(PlainTextResponse("the Reflex app")))
