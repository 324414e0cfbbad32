"""The Stripe sandbox's Checkout Sessions: what a new one holds, idempotency keys, retrieval, and the parameters
and keys it refuses."""

from __future__ import annotations

import httpx
import pytest
import stripe

from tests.utils.sandbox_client import CANCEL_URL, SUCCESS_URL, checkout_params, new_session


def test_a_new_session_is_open_unpaid_and_totals_its_line_items(client):
    session = new_session(client)

    assert session.id.startswith("cs_test_")
    assert session.object == "checkout.session"
    assert (session.status, session.payment_status, session.payment_intent) == ("open", "unpaid", None)
    assert (session.amount_subtotal, session.amount_total, session.currency) == (3000, 3000, "eur")
    assert session.livemode is False and session.mode == "payment"


def test_a_new_session_echoes_what_the_app_sent(client):
    session = new_session(client)

    assert session.metadata.to_dict() == {"invoice_id": "3"}
    assert (session.client_reference_id, session.customer_email) == ("org-7", "billing@example.com")
    assert (session.success_url, session.cancel_url) == (SUCCESS_URL, CANCEL_URL)
    assert session.expires_at - session.created == 24 * 3600


def test_a_session_links_to_its_payment_page_on_the_sandbox(client, sandbox):
    session = new_session(client)

    assert session.url == f"{sandbox.api_base}/pay/{session.id}"


def test_the_same_idempotency_key_returns_the_same_session(client):
    first = client.v1.checkout.sessions.create(params=checkout_params(), options={"idempotency_key": "same-key-1"})
    again = client.v1.checkout.sessions.create(params=checkout_params(), options={"idempotency_key": "same-key-1"})

    assert again.id == first.id
    assert again.last_response.headers.get("idempotent-replayed") == "true"


def test_reusing_an_idempotency_key_with_other_parameters_raises_an_idempotency_error(client):
    client.v1.checkout.sessions.create(params=checkout_params(), options={"idempotency_key": "same-key-2"})

    with pytest.raises(stripe.IdempotencyError, match="same parameters"):
        client.v1.checkout.sessions.create(params=checkout_params(client_reference_id="org-8"),
                                           options={"idempotency_key": "same-key-2"})


def test_idempotency_keys_are_kept_apart_per_api_key(sandbox, client):
    other = stripe.StripeClient("sk_test_someone_else", base_addresses={"api": sandbox.api_base},
                                max_network_retries=0)

    mine = client.v1.checkout.sessions.create(params=checkout_params(), options={"idempotency_key": "shared-key"})
    theirs = other.v1.checkout.sessions.create(params=checkout_params(), options={"idempotency_key": "shared-key"})

    assert theirs.id != mine.id


def test_an_idempotency_key_is_kept_apart_per_endpoint(client):
    session = client.v1.checkout.sessions.create(params=checkout_params(), options={"idempotency_key": "ep-key"})

    with pytest.raises(stripe.IdempotencyError):
        client.v1.checkout.sessions.expire(session.id, options={"idempotency_key": "ep-key"})
    assert client.v1.checkout.sessions.retrieve(session.id).status == "open"


def test_a_session_can_be_retrieved_by_its_id(client):
    session = new_session(client)

    retrieved = client.v1.checkout.sessions.retrieve(session.id)

    assert retrieved.to_dict() == session.to_dict()


def test_an_unknown_session_is_a_stripe_404(client):
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.checkout.sessions.retrieve("cs_test_missing")

    assert raised.value.http_status == 404
    assert raised.value.code == "resource_missing"
    assert raised.value.user_message == "No such checkout.session: 'cs_test_missing'"


def _item(currency="eur", unit_amount=1000, quantity=1) -> dict:
    return {"price_data": {"currency": currency, "unit_amount": unit_amount, "product_data": {"name": "Hours"}},
            "quantity": quantity}


@pytest.mark.parametrize(("overrides", "message"), [
    ({"line_items": []}, "Missing required param: line_items"),
    ({"line_items": [_item(unit_amount=0)]}, "must be a positive whole number"),
    ({"line_items": [_item(unit_amount=-100)]}, "must be a positive whole number"),
    ({"line_items": [_item(quantity=0)]}, "line_items[0][quantity]"),
    ({"line_items": [_item("eur"), _item("usd")]}, "same currency"),
    ({"line_items": [_item(unit_amount=10)]}, "at least €0.50"),
    ({"mode": "subscription"}, "only mode=payment"),
    ({"line_items": [{"price": "price_123", "quantity": 1}]}, "no Prices"),
    ({"shipping_options": [{"shipping_rate": "shr_1"}]}, "Received unknown parameter: shipping_options"),
], ids=["no items", "zero amount", "negative amount", "zero quantity", "mixed currencies", "below minimum",
        "subscription mode", "price id", "unknown parameter"])
def test_invalid_checkout_parameters_are_refused_with_a_clear_message(client, overrides, message):
    with pytest.raises(stripe.InvalidRequestError) as raised:
        new_session(client, **overrides)

    assert raised.value.http_status == 400
    assert message in raised.value.user_message


def test_calls_without_a_test_secret_key_are_refused(sandbox):
    live = stripe.StripeClient("sk_live_123456789", base_addresses={"api": sandbox.api_base}, max_network_retries=0)

    with pytest.raises(stripe.AuthenticationError):
        live.v1.checkout.sessions.create(params=checkout_params())
    anonymous = httpx.get(f"{sandbox.api_base}/v1/checkout/sessions")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["type"] == "invalid_request_error"


@pytest.mark.parametrize("call", [
    lambda c: c.v1.prices.list(),
    lambda c: c.v1.customers.create(params={"email": "someone@example.com"}),
    lambda c: c.v1.refunds.create(params={"payment_intent": "pi_123"}),
], ids=["prices", "customers", "refunds"])
def test_an_endpoint_the_app_does_not_use_answers_a_stripe_shaped_404(client, call):
    with pytest.raises(stripe.InvalidRequestError, match="Unrecognized request URL") as raised:
        call(client)

    assert raised.value.http_status == 404


def test_an_unknown_payment_intent_is_a_stripe_404(client):
    with pytest.raises(stripe.InvalidRequestError, match="No such payment_intent: 'pi_missing'"):
        client.v1.payment_intents.retrieve("pi_missing")
