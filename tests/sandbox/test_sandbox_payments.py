"""Paying a sandbox Checkout Session: the signed events and webhooks it sends, declines, redelivery, injected
faults and expiry."""

from __future__ import annotations

import re
import time

import httpx
import pytest
import stripe

from tests.utils.sandbox_client import about_event, checkout_params, new_session
from tests.utils.stripe_sandbox import DECLINED, INSUFFICIENT_FUNDS, SUCCEEDS, WEBHOOK_SECRET


def test_paying_with_4242_completes_the_session_and_sends_a_signed_completed_event(client, sandbox, receiver):
    session = new_session(client)

    outcome = sandbox.pay(session.id, SUCCEEDS)
    delivery = receiver.wait_for(about_event("checkout.session.completed", session.id))

    event = stripe.Webhook.construct_event(delivery.body, delivery.headers["Stripe-Signature"], WEBHOOK_SECRET)
    assert event.id == outcome["event_id"] and event.object == "event"
    completed = event.data.object
    assert (completed.status, completed.payment_status) == ("complete", "paid")
    assert completed.payment_intent == outcome["payment_intent"]
    assert client.v1.checkout.sessions.retrieve(session.id).payment_status == "paid"


def test_a_completed_event_has_stripes_event_shape(client, sandbox, receiver):
    session = new_session(client)
    sandbox.pay(session.id, SUCCEEDS)

    event = receiver.wait_for(about_event("checkout.session.completed", session.id)).event

    assert re.fullmatch(r"evt_\w+", event["id"])
    assert event["api_version"] == stripe.api_version
    assert (event["livemode"], event["pending_webhooks"]) == (False, 1)
    assert event["request"] == {"id": None, "idempotency_key": None}


def test_the_payment_intent_of_a_paid_session_carries_the_apps_metadata(client, sandbox):
    session = new_session(client)

    outcome = sandbox.pay(session.id, SUCCEEDS)

    intent = client.v1.payment_intents.retrieve(outcome["payment_intent"])
    assert intent.id.startswith("pi_")
    assert (intent.status, intent.amount, intent.amount_received, intent.currency) == ("succeeded", 3000, 3000, "eur")
    assert intent.metadata.to_dict() == {"invoice_id": "3", "organization_id": "7", "checkout_session": session.id}
    expanded = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["payment_intent"]})
    assert expanded.payment_intent.id == intent.id


def test_a_declined_card_sends_payment_failed_and_leaves_the_session_open(client, sandbox, receiver):
    session = new_session(client)

    outcome = sandbox.pay(session.id, DECLINED)
    delivery = receiver.wait_for(lambda e: e["type"] == "payment_intent.payment_failed"
                                 and e["data"]["object"]["metadata"].get("checkout_session") == session.id)

    event = stripe.Webhook.construct_event(delivery.body, delivery.headers["Stripe-Signature"], WEBHOOK_SECRET)
    intent = event.data.object
    assert (outcome["outcome"], outcome["message"]) == ("declined", "Your card was declined.")
    assert (intent.status, intent.amount, intent.currency) == ("requires_payment_method", 3000, "eur")
    error = intent.last_payment_error
    assert (error.type, error.code, error.decline_code) == ("card_error", "card_declined", "generic_decline")
    assert error.message == "Your card was declined."
    assert intent.metadata["invoice_id"] == "3"
    retrieved = client.v1.checkout.sessions.retrieve(session.id)
    assert (retrieved.status, retrieved.payment_status, retrieved.payment_intent) == ("open", "unpaid", None)


def test_an_insufficient_funds_card_is_declined_with_stripes_message(client, sandbox, receiver):
    session = new_session(client)

    outcome = sandbox.pay(session.id, INSUFFICIENT_FUNDS)
    event = receiver.wait_for(lambda e: e["data"]["object"].get("id") == outcome["payment_intent"]).event

    assert outcome["message"] == "Your card has insufficient funds."
    error = event["data"]["object"]["last_payment_error"]
    assert (error["decline_code"], error["message"]) == ("insufficient_funds", "Your card has insufficient funds.")


def test_a_session_can_still_be_paid_after_a_decline(client, sandbox):
    session = new_session(client)
    sandbox.pay(session.id, DECLINED)

    outcome = sandbox.pay(session.id, SUCCEEDS)

    assert outcome["outcome"] == "succeeded"
    assert outcome["session"]["status"] == "complete"


def test_a_paid_session_cannot_be_paid_again(client, sandbox):
    session = new_session(client)
    sandbox.pay(session.id, SUCCEEDS)

    again = httpx.post(f"{sandbox.api_base}/_sandbox/sessions/{session.id}/pay", json={"card": SUCCEEDS})

    assert again.status_code == 400
    assert "complete" in again.json()["error"]["message"]


def test_a_failed_delivery_is_retried_until_the_endpoint_accepts_it(client, sandbox, receiver):
    receiver.answer_next(500)
    session = new_session(client)

    outcome = sandbox.pay(session.id, SUCCEEDS)
    record = sandbox.wait_for_delivery(outcome["event_id"])

    assert record["delivery_status"] == "delivered"
    assert [attempt.get("status_code") for attempt in record["attempts"]] == [500, 200]


def test_an_event_held_back_is_sent_when_resent(client, sandbox, receiver):
    session = new_session(client)
    outcome = sandbox.pay(session.id, SUCCEEDS, deliver=False)
    assert sandbox.event(outcome["event_id"])["delivery_status"] == "held"

    sandbox.resend(outcome["event_id"])

    delivery = receiver.wait_for(about_event("checkout.session.completed", session.id))
    assert delivery.event["id"] == outcome["event_id"]


def test_events_follow_the_webhook_endpoint_set_at_runtime(client, sandbox, receiver):
    sandbox.set_webhook(receiver.url, "whsec_rotated_secret")
    session = new_session(client)

    sandbox.pay(session.id, SUCCEEDS)

    delivery = receiver.wait_for(about_event("checkout.session.completed", session.id))
    stripe.Webhook.construct_event(delivery.body, delivery.headers["Stripe-Signature"], "whsec_rotated_secret")
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(delivery.body, delivery.headers["Stripe-Signature"], WEBHOOK_SECRET)


def test_an_injected_fault_reaches_the_sdk_as_an_api_error_and_does_nothing(client, sandbox):
    before = len(client.v1.checkout.sessions.list(params={"limit": 100}).data)
    sandbox.fail_next(1)

    with pytest.raises(stripe.APIError) as raised:
        new_session(client)

    assert raised.value.http_status == 500
    assert len(client.v1.checkout.sessions.list(params={"limit": 100}).data) == before


def test_a_retry_after_a_fault_runs_the_call_once(sandbox):
    retrying = sandbox.client(max_network_retries=2)
    sandbox.fail_next(1)

    session = retrying.v1.checkout.sessions.create(params=checkout_params(client_reference_id="retried"))

    found = [s for s in retrying.v1.checkout.sessions.list(params={"limit": 100}).data
             if s.client_reference_id == "retried"]
    assert [s.id for s in found] == [session.id]


def test_an_expired_session_cannot_be_paid_or_expired_again(client, sandbox, receiver):
    session = new_session(client)

    expired = client.v1.checkout.sessions.expire(session.id)

    assert (expired.status, expired.url) == ("expired", None)
    receiver.wait_for(about_event("checkout.session.expired", session.id))
    with pytest.raises(stripe.InvalidRequestError, match="status of open"):
        client.v1.checkout.sessions.expire(session.id)
    refused = httpx.post(f"{sandbox.api_base}/_sandbox/sessions/{session.id}/pay", json={"card": SUCCEEDS})
    assert refused.status_code == 400


def test_a_session_expires_by_itself_at_its_expires_at(client, receiver):
    session = new_session(client, expires_at=int(time.time()) + 2)

    receiver.wait_for(about_event("checkout.session.expired", session.id), timeout=8)

    assert client.v1.checkout.sessions.retrieve(session.id).status == "expired"
