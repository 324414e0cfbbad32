"""Starting Stripe Checkout for an invoice or an hour block: what is reused, what an hour block costs, and what
happens when Stripe does not answer (SQLite and PostgreSQL). Stripe is replaced by a fake of the gateway's
functions, except in the tests that point the real SDK at a closed port."""

from __future__ import annotations

from datetime import timedelta

import pytest
import stripe

from opsportal import clock
from opsportal.services import checkout_sessions, invoice_terms, invoice_views, payment_reconciliation
from opsportal.services import stripe_gateway as gateway
from opsportal.services.errors import NotFound, Unavailable
from opsportal.services.operator import OPERATOR
from opsportal.settings import get_settings
from tests.utils.checkout import NOT_ON_SALE, FakeStripe, invoice_row, issue, later, payment_row, payment_rows
from tests.utils.db import dump_tables


def test_a_second_click_offers_the_same_open_session_without_asking_stripe_again(bills, stripe_fake):
    world, made = bills
    first = checkout_sessions.start_invoice_checkout(world.actor("retail_owner"), made["retail"])

    second = checkout_sessions.start_invoice_checkout(world.actor("retail_owner"), made["retail"])

    assert (second.payment_id, second.url) == (first.payment_id, first.url)
    assert len(stripe_fake.created) == 1
    assert [p.id for p in payment_rows()] == [first.payment_id]


def test_a_session_older_than_twenty_three_hours_is_not_offered_again(bills, stripe_fake):
    world, made = bills
    old = checkout_sessions.start_invoice_checkout(world.actor("retail_owner"), made["retail"],
                                                   at=clock.now() - timedelta(hours=23, minutes=1))

    fresh = checkout_sessions.start_invoice_checkout(world.actor("retail_owner"), made["retail"])

    assert fresh.payment_id != old.payment_id
    assert len(stripe_fake.created) == 2
    assert stripe_fake.created[0]["idempotency_key"] != stripe_fake.created[1]["idempotency_key"]


def test_an_expired_session_is_not_offered_again(bills, stripe_fake):
    world, made = bills
    first = checkout_sessions.start_invoice_checkout(world.actor("retail_owner"), made["retail"])
    stripe_fake.session_state = ("expired", "unpaid")
    payment_reconciliation.reconcile(OPERATOR, at=later())

    second = checkout_sessions.start_invoice_checkout(world.actor("retail_owner"), made["retail"])

    assert second.payment_id != first.payment_id
    assert [p.status for p in payment_rows()] == ["expired", "open"]


def test_a_double_click_on_an_hour_block_continues_the_same_checkout(world, catalog, stripe_fake):
    owner = world.actor("retail_owner")
    first = checkout_sessions.start_hour_block_checkout(owner, catalog["usd"])
    second = checkout_sessions.start_hour_block_checkout(owner, catalog["usd"])
    assert (second.payment_id, second.url) == (first.payment_id, first.url)
    assert len(stripe_fake.created) == 1


def test_an_hour_block_is_charged_at_its_catalog_price_plus_the_organizations_tax(world, catalog, stripe_fake):
    invoice_terms.set_invoice_terms(OPERATOR, world.retail.id, tax_rate="8.25", payment_terms_days=30)

    started = checkout_sessions.start_hour_block_checkout(world.actor("retail_owner"), catalog["usd"])

    payment = payment_row(started.payment_id)
    assert (payment.purpose, payment.status, payment.currency) == ("hour_block", "open", "USD")
    assert (payment.block_quantity, payment.block_price_minor, payment.block_validity_days) == (600, 114_000, 365)
    assert (payment.tax_rate_bp, payment.amount_minor) == (825, 114_000 + 9_405)
    assert payment.description == "Standard block (10 hours of support)"
    [call] = stripe_fake.created
    assert (call["amount_minor"], call["idempotency_key"]) == (123_405, payment.idempotency_key)
    assert call["metadata"]["purpose"] == "hour_block"


@pytest.mark.parametrize("which", ["eur", "retired", "unknown"])
def test_an_hour_block_in_another_currency_retired_or_unknown_is_not_on_sale(world, catalog, stripe_fake, which):
    block_id = catalog.get(which, 987_654)
    before = dump_tables()
    with pytest.raises(NotFound, match=NOT_ON_SALE):
        checkout_sessions.start_hour_block_checkout(world.actor("retail_owner"), block_id)
    assert dump_tables() == before
    assert stripe_fake.created == []


def test_when_stripe_does_not_answer_the_customer_is_told_and_a_retry_reuses_the_idempotency_key(bills,
                                                                                                stripe_fake):
    world, made = bills
    owner = world.actor("retail_owner")
    stripe_fake.create_error = Unavailable(gateway.UNAVAILABLE)

    with pytest.raises(Unavailable) as failed:
        checkout_sessions.start_invoice_checkout(owner, made["retail"])

    assert str(failed.value) == gateway.UNAVAILABLE
    [payment] = payment_rows()
    assert (payment.status, payment.last_error, payment.stripe_session_id) == ("creating", gateway.UNAVAILABLE, None)
    inv = invoice_row(made["retail"])
    assert (inv.status, inv.amount_paid_minor) == ("open", 0)
    assert invoice_views.invoice_detail(owner, made["retail"]).payments == []  # nothing reached the customer

    stripe_fake.create_error = None
    retried = checkout_sessions.start_invoice_checkout(owner, made["retail"])

    assert retried.payment_id == payment.id
    assert [c["idempotency_key"] for c in stripe_fake.created] == [payment.idempotency_key] * 2
    recovered = payment_row(payment.id)
    assert (recovered.status, recovered.last_error) == ("open", "")


def test_the_real_stripe_client_failing_to_connect_leaves_the_payment_creating_with_the_reason(world, stripe_down):
    invoice_id = issue(world.retail)
    owner = world.actor("retail_owner")

    for _ in range(2):
        with pytest.raises(Unavailable) as failed:
            checkout_sessions.start_invoice_checkout(owner, invoice_id)
        assert str(failed.value) == gateway.UNAVAILABLE

    [payment] = payment_rows()  # the retry used the same payment, so the same idempotency key
    assert (payment.status, payment.last_error, payment.checkout_url) == ("creating", gateway.UNAVAILABLE, None)
    inv = invoice_row(invoice_id)
    assert (inv.status, inv.amount_paid_minor) == ("open", 0)


def test_the_real_stripe_client_failing_to_connect_refuses_an_hour_block_checkout_too(world, catalog, stripe_down):
    with pytest.raises(Unavailable, match="Nothing was charged"):
        checkout_sessions.start_hour_block_checkout(world.actor("retail_owner"), catalog["usd"])
    [payment] = payment_rows()
    assert (payment.status, payment.lot_id) == ("creating", None)


def test_the_real_stripe_client_failing_during_reconciliation_is_reported_and_changes_nothing(world, monkeypatch):
    fake = FakeStripe()  # only the create is faked: reconciliation asks the real SDK, at a closed port
    monkeypatch.setattr(gateway, "create_checkout_session", fake.create_checkout_session)
    started = checkout_sessions.start_invoice_checkout(world.actor("retail_owner"), issue(world.retail))
    monkeypatch.setenv("OPSPORTAL_STRIPE_API_BASE", "http://127.0.0.1:9")
    monkeypatch.setenv("OPSPORTAL_STRIPE_TIMEOUT_SECONDS", "2")
    get_settings.cache_clear()
    before = dump_tables()

    result = payment_reconciliation.reconcile(OPERATOR, at=later())

    assert (result.checked, result.applied, result.expired) == (1, 0, 0)
    assert result.failed == [f"payment {started.payment_id}: {gateway.UNAVAILABLE}"]
    assert dump_tables() == before


@pytest.mark.parametrize("intent", ["pi_test_1", {"id": "pi_test_1", "object": "payment_intent"}])
def test_a_session_object_from_the_sdk_reads_like_the_plain_dict_of_a_webhook(intent):
    data = {"id": "cs_test_1", "object": "checkout.session", "url": None, "status": "complete",
            "payment_status": "paid", "amount_total": 25_000, "currency": "usd",
            "metadata": {"opsportal_payment_id": "7", "purpose": "invoice"}, "payment_intent": intent}
    from_sdk = gateway.CheckoutSession.from_stripe(stripe.checkout.Session.construct_from(data, "sk_test_x"))

    assert from_sdk == gateway.CheckoutSession.from_stripe(data)
    assert (from_sdk.metadata, from_sdk.payment_intent, from_sdk.paid) == (
        {"opsportal_payment_id": "7", "purpose": "invoice"}, "pi_test_1", True)
