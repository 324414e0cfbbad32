"""Service credits bought by card: staff keep credit packs next to hour blocks, the same checkout, receipt and
webhook confirmation grant a purchased ``service_credits`` lot exactly once (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from opsportal.domain.hour_blocks import expiry_of_purchase
from opsportal.services import (
    checkout_sessions,
    credit_views,
    hour_blocks,
    invoice_terms,
    payment_reconciliation,
    services_catalog,
)
from opsportal.services.errors import InvalidInput, NotFound, PermissionDenied
from opsportal.services.operator import OPERATOR
from tests.utils.db import row_counts
from tests.utils.ledger import cache_mismatches
from tests.utils.stripe_webhook import (
    FakeCheckout,
    checkout_event,
    deliver,
    hour_block_lots,
    payment_row,
    receipts,
)

SC = "service_credits"


@pytest.fixture
def fake_checkout(monkeypatch: pytest.MonkeyPatch) -> FakeCheckout:
    from opsportal.services import stripe_gateway as gateway

    fake = FakeCheckout()
    monkeypatch.setattr(gateway, "create_checkout_session", fake)
    return fake


def pack(credits: int = 50, price: int = 475_000, **changes):
    return hour_blocks.save_block(OPERATOR, block_id=None, **{
        "name": f"Credit pack {credits}", "credits": credits, "price_minor": price, "currency": "USD",
        "validity_days": 365, **changes})


def available(world, org="retail") -> int:
    return next(s.available for s in credit_views.summary(world.actor("agent"), world.org(org).id)
                if s.product == SC)


def test_a_credit_pack_is_a_block_selling_service_credits_priced_per_credit(world):
    small, big = pack(25, 250_000), pack(100, 900_000)
    assert (big.product, big.credits, big.hours, big.per_hour_minor) == (SC, 100, 0, 9_000)
    listed = {b.id: b.discount_percent for b in hour_blocks.all_blocks(OPERATOR)}
    assert (listed[small.id], listed[big.id]) == (0, 10)  # per credit, against the smallest pack
    assert big.amount_text == "100 credits"


def test_bad_pack_terms_are_refused_and_nothing_is_written(world):
    counts = row_counts()
    with pytest.raises(InvalidInput, match="A pack has 1 to 100,000 credits."):
        pack(0)
    with pytest.raises(InvalidInput, match="either hours of support or service credits"):
        hour_blocks.save_block(OPERATOR, block_id=None, name="Both", hours=2, credits=5, price_minor=100,
                               currency="USD", validity_days=365)
    with pytest.raises(InvalidInput, match="whole number"):
        pack("10")
    assert row_counts() == counts


def test_the_buy_page_lists_packs_after_hour_blocks_in_the_organizations_currency(world):
    hour_blocks.save_block(OPERATOR, block_id=None, name="Standard block", hours=10, price_minor=114_000,
                           currency="USD", validity_days=365)
    pack(50)
    pack(50, 400_000, currency="EUR")
    shown = hour_blocks.catalog_for(world.actor("retail_owner"), world.retail.id)
    assert [(b.name, b.product, b.currency) for b in shown] == [("Standard block", "support_hours", "USD"),
                                                                ("Credit pack 50", SC, "USD")]


def test_a_confirmed_pack_payment_grants_a_purchased_service_credits_lot_with_a_paid_receipt(world, fake_checkout):
    invoice_terms.set_invoice_terms(OPERATOR, world.retail.id, tax_rate="20", payment_terms_days=30)
    bought = pack(50)
    owner = world.actor("retail_owner")
    started = checkout_sessions.start_hour_block_checkout(owner, bought.id)
    payment = payment_row(started.payment_id)
    assert (payment.amount_minor, payment.block_product, payment.block_quantity) == (570_000, SC, 50)
    assert payment.description == "Credit pack 50 (50 service credits)"
    assert available(world) == 0 and payment_reconciliation.hours_added(owner, payment.id) is None

    assert deliver(checkout_event(payment)).startswith("applied")

    paid = payment_row(payment.id)
    assert available(world) == 50
    [lot] = hour_block_lots(world.retail.id)
    assert (lot.id, lot.product_code, lot.kind, lot.quantity) == (paid.lot_id, SC, "purchased", 50)
    [receipt] = receipts(world.retail.id)
    assert (receipt.id, receipt.status, receipt.total_minor, receipt.memo) == (
        paid.invoice_id, "paid", 570_000, "Receipt: 50 credits")
    added = payment_reconciliation.hours_added(owner, payment.id)
    assert (added.credits, added.hours) == (50, 0)
    assert added.usable_through == expiry_of_purchase(paid.completed_at.date(), 365)
    assert cache_mismatches() == []


def test_a_pack_payment_delivered_again_grants_no_second_lot(world, fake_checkout):
    bought = pack(25, 250_000)
    payment = payment_row(checkout_sessions.start_hour_block_checkout(world.actor("retail_owner"), bought.id)
                          .payment_id)
    evt = checkout_event(payment)
    assert deliver(evt).startswith("applied")
    counts = row_counts()
    assert deliver(evt) == "duplicate"
    assert deliver(checkout_event(payment, "checkout.session.async_payment_succeeded")).startswith("already applied")
    assert available(world) == 25
    assert {k: v for k, v in row_counts().items() if k != "stripe_event"} == \
        {k: v for k, v in counts.items() if k != "stripe_event"}


@pytest.mark.parametrize("who", ["retail_owner", "holdings_admin", "holdings_billing"])
def test_the_roles_that_buy_hours_may_buy_credit_packs(world, fake_checkout, who):
    started = checkout_sessions.start_hour_block_checkout(world.actor(who), pack(50).id)
    assert payment_row(started.payment_id).block_product == SC


def test_a_member_may_not_buy_a_credit_pack(world, fake_checkout):
    with pytest.raises(PermissionDenied, match="buy hours and service credits"):
        checkout_sessions.start_hour_block_checkout(world.actor("holdings_member"), pack(50).id)


def test_another_organizations_pack_purchase_cannot_be_read(world, fake_checkout):
    payment_id = checkout_sessions.start_hour_block_checkout(world.actor("retail_owner"), pack(50).id).payment_id
    with pytest.raises(NotFound):
        payment_reconciliation.hours_added(world.actor("fabrikam_owner"), payment_id)


def test_the_services_catalog_offers_the_packs_on_sale_in_the_currency_to_those_who_may_request(world):
    small, big = pack(25, 250_000), pack(100, 900_000)
    pack(50, 400_000, currency="EUR")
    hour_blocks.save_block(OPERATOR, block_id=None, name="Old pack", credits=10, price_minor=100_000,
                           currency="USD", validity_days=365, active=False)
    view = services_catalog.catalog_for(world.actor("holdings_owner"), world.holdings.id)
    assert [(p.id, p.credits) for p in view.packs] == [(small.id, 25), (big.id, 100)]
    assert services_catalog.catalog_for(world.actor("holdings_member"), world.holdings.id).packs == []

