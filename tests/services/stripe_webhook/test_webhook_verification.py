"""Stripe's webhook: a verified completed checkout pays what it was opened for, and a forged, stale or malformed
delivery changes nothing (SQLite and PostgreSQL). No Stripe server is needed: see tests/utils/stripe_webhook.py."""

from __future__ import annotations

import json
import time

import pytest

from opsportal.domain import invoices as rules
from opsportal.models import Payment
from opsportal.services import invoice_views, stripe_events
from opsportal.services import stripe_gateway as gateway
from opsportal.services.errors import InvalidInput
from tests.utils.db import dump_tables
from tests.utils.stripe_webhook import (
    AT,
    attempts_of,
    checkout_event,
    deliver,
    invoice_row,
    payment_row,
    post,
    sign,
    stored_events,
)


def test_starting_a_checkout_asks_stripe_with_the_payments_own_idempotency_key_and_reference(open_invoice,
                                                                                           fake_checkout):
    _world, invoice_id, payment = open_invoice
    [call] = fake_checkout.calls
    assert call["idempotency_key"] == payment.idempotency_key
    assert call["metadata"]["opsportal_payment_id"] == str(payment.id)
    assert call["metadata"]["invoice_id"] == str(invoice_id)
    assert (call["amount_minor"], call["currency"]) == (30_000, "USD")
    assert (payment.status, payment.amount_minor) == ("open", 30_000)
    assert payment.stripe_session_id.startswith("cs_test_")
    assert payment.checkout_url == f"https://checkout.stripe.test/c/pay/{payment.stripe_session_id}"


def test_a_verified_completed_checkout_delivered_to_the_route_marks_the_invoice_paid(open_invoice, client):
    world, invoice_id, payment = open_invoice
    evt = checkout_event(payment)
    body = json.dumps(evt)

    response = post(client, body, sign(body))

    assert response.status_code == 200
    assert response.json() == {"received": True, "outcome": f"applied to payment {payment.id}"}
    inv = invoice_row(invoice_id)
    assert (inv.status, inv.amount_paid_minor, inv.total_minor) == ("paid", 30_000, 30_000)
    assert inv.paid_at is not None
    paid = payment_row(payment.id)
    assert (paid.status, paid.stripe_payment_intent_id, paid.problem) == ("succeeded", f"pi_test_{payment.id}", "")
    assert paid.completed_at is not None
    assert attempts_of(payment.id) == [("succeeded", "Paid", "webhook", evt["id"])]
    assert stored_events() == {evt["id"]: f"applied to payment {payment.id}"}
    detail = invoice_views.invoice_detail(world.actor("holdings_owner"), invoice_id)
    assert (detail.row.status, detail.row.outstanding_minor, detail.may_pay) == (rules.ShownStatus.paid, 0, False)
    assert [a.outcome for a in detail.payments[0].attempts] == ["succeeded"]


def test_a_verified_completed_checkout_handled_by_the_service_marks_the_invoice_paid_at_that_time(open_invoice):
    _world, invoice_id, payment = open_invoice

    outcome = deliver(checkout_event(payment), at=AT)

    assert outcome == f"applied to payment {payment.id}"
    inv = invoice_row(invoice_id)
    assert (inv.status, inv.amount_paid_minor, inv.paid_at) == ("paid", 30_000, AT)
    assert payment_row(payment.id).completed_at == AT


def test_the_api_serves_the_app_it_wraps_next_to_the_webhook(client):
    assert client.get("/some/page").text == "the Reflex app"


def _bad_deliveries(payment: Payment) -> dict[str, tuple[str, str | None]]:
    """(body, Stripe-Signature) pairs that must be refused."""
    body = json.dumps(checkout_event(payment))
    altered = body.replace(f'"amount_total": {payment.amount_minor}', '"amount_total": 1')
    assert altered != body
    return {
        "signed with another secret": (body, sign(body, secret="whsec_someone_else")),
        "no signature header": (body, None),
        "an empty signature header": (body, ""),
        "a header that is not a signature": (body, "nonsense"),
        "a signature without a v1 scheme": (body, sign(body).replace("v1=", "v0=")),
        "signed more than 300 seconds ago": (body, sign(body, timestamp=int(time.time()) - 301)),
        "the body altered after signing": (altered, sign(body)),
        "a body that is not JSON": ("not json {", sign("not json {")),
        "an event without a Stripe event id": (json.dumps({"object": "event", "type": "checkout.session.completed"}),
                                               sign(json.dumps({"object": "event",
                                                                "type": "checkout.session.completed"}))),
    }


BAD = ["signed with another secret", "no signature header", "an empty signature header",
       "a header that is not a signature", "a signature without a v1 scheme", "signed more than 300 seconds ago",
       "the body altered after signing", "a body that is not JSON", "an event without a Stripe event id"]


@pytest.mark.parametrize("case", BAD)
def test_a_forged_stale_or_malformed_delivery_gets_400_and_changes_nothing(open_invoice, client, case):
    _world, invoice_id, payment = open_invoice
    body, signature = _bad_deliveries(payment)[case]
    before = dump_tables()

    response = post(client, body, signature)

    assert response.status_code == 400
    assert response.json()["error"]
    assert dump_tables() == before
    assert stored_events() == {}
    assert invoice_row(invoice_id).status == "open"
    assert payment_row(payment.id).status == "open"


@pytest.mark.parametrize("case", ["signed with another secret", "no signature header",
                                  "signed more than 300 seconds ago", "the body altered after signing",
                                  "a body that is not JSON"])
def test_the_service_refuses_an_unverified_delivery_as_an_invalid_webhook(open_invoice, case):
    _world, _invoice_id, payment = open_invoice
    body, signature = _bad_deliveries(payment)[case]
    before = dump_tables()
    with pytest.raises(gateway.InvalidWebhook):
        stripe_events.handle_webhook(body.encode(), signature)
    assert dump_tables() == before


def test_a_signature_just_inside_the_five_minute_tolerance_is_accepted(open_invoice):
    _world, invoice_id, payment = open_invoice
    body = json.dumps(checkout_event(payment))
    stripe_events.handle_webhook(body.encode(), sign(body, timestamp=int(time.time()) - 280))
    assert invoice_row(invoice_id).status == "paid"


def test_an_event_id_that_is_not_stripes_is_refused_even_when_applied_directly(open_invoice):
    _world, invoice_id, payment = open_invoice
    with pytest.raises(InvalidInput, match="The event has no Stripe event id."):
        stripe_events.apply_event(checkout_event(payment, event_id="ev_forged"))
    assert invoice_row(invoice_id).status == "open"
