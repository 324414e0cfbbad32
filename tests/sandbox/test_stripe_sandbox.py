"""The local Stripe sandbox, driven through the real stripe SDK against the subprocess.

One sandbox serves the whole module; events go to a small HTTP
receiver in this process and are checked with ``stripe.Webhook.construct_event``.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
import stripe

from tests.utils.stripe_sandbox import (
    DECLINED,
    INSUFFICIENT_FUNDS,
    PROJECT_ROOT,
    SUCCEEDS,
    WEBHOOK_SECRET,
    SandboxHandle,
    start_stripe_sandbox,
)

SUCCESS_URL = "http://localhost:3000/billing/paid?session={CHECKOUT_SESSION_ID}"
CANCEL_URL = "http://localhost:3000/billing"


# --------------------------------------------------------------------------- a webhook receiver


@dataclass(frozen=True)
class Delivery:
    headers: dict[str, str]
    body: str
    answered: int

    @property
    def event(self) -> dict:
        return json.loads(self.body)


class WebhookReceiver:
    """An HTTP endpoint that records every POST and answers 200, or the statuses queued with answer_next."""

    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        self._answers: deque[int] = deque()
        self._changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                with receiver._changed:
                    status = receiver._answers.popleft() if receiver._answers else 200
                    receiver.deliveries.append(Delivery(dict(self.headers.items()), body, status))
                    receiver._changed.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/webhook"

    def answer_next(self, *statuses: int) -> None:
        self._answers.extend(statuses)

    def reset(self) -> None:
        with self._changed:
            self.deliveries.clear()
            self._answers.clear()

    def wait_for(self, predicate: Callable[[dict], bool], timeout: float = 10.0) -> Delivery:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for delivery in self.deliveries:
                    if delivery.answered < 300 and predicate(delivery.event):
                        return delivery
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no matching event within {timeout} s; got {len(self.deliveries)}")
                self._changed.wait(remaining)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(scope="module")
def receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


@pytest.fixture(scope="module")
def sandbox(receiver: WebhookReceiver) -> Iterator[SandboxHandle]:
    with start_stripe_sandbox(webhook_url=receiver.url) as handle:
        yield handle


@pytest.fixture(autouse=True)
def _fresh_endpoint(sandbox: SandboxHandle, receiver: WebhookReceiver) -> None:
    """Each test starts with events going to the receiver, no fault armed and no deliveries seen."""
    sandbox.set_webhook(receiver.url, WEBHOOK_SECRET)
    sandbox.fail_next(0)
    receiver.reset()


@pytest.fixture(scope="module")
def client(sandbox: SandboxHandle) -> stripe.StripeClient:
    """A client that does not retry, so each test sees exactly what the sandbox answered."""
    return sandbox.client(max_network_retries=0)


def checkout_params(**overrides) -> dict:
    params = {
        "mode": "payment",
        "line_items": [
            {"price_data": {"currency": "EUR", "unit_amount": 1250,
                            "product_data": {"name": "Prepaid support hours", "description": "10-hour block"}},
             "quantity": 2},
            {"price_data": {"currency": "eur", "unit_amount": 500, "product_data": {"name": "Setup fee"}},
             "quantity": 1},
        ],
        "success_url": SUCCESS_URL,
        "cancel_url": CANCEL_URL,
        "client_reference_id": "org-7",
        "customer_email": "billing@example.com",
        "metadata": {"invoice_id": "3"},
        "payment_intent_data": {"metadata": {"invoice_id": "3", "organization_id": "7"}},
    }
    params.update(overrides)
    return params


def new_session(client: stripe.StripeClient, **overrides):
    return client.v1.checkout.sessions.create(params=checkout_params(**overrides))


def about_event(event_type: str, object_id: str) -> Callable[[dict], bool]:
    return lambda event: event["type"] == event_type and event["data"]["object"]["id"] == object_id


# --------------------------------------------------------------------------- Checkout Sessions


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


# --------------------------------------------------------------------------- paying, events and webhooks


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


# --------------------------------------------------------------------------- faults and expiry


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


# --------------------------------------------------------------------------- the hosted page


def _page_form(**overrides) -> dict:
    form = {"email": "billing@example.com", "card_number": SUCCEEDS, "expiry": "12 / 34", "cvc": "123",
            "name": "Ada Lovelace"}
    form.update(overrides)
    return form


def test_the_payment_page_shows_the_items_the_total_and_labelled_card_fields(client):
    session = new_session(client)

    page = httpx.get(session.url)

    assert page.status_code == 200
    html = page.text
    assert "Prepaid support hours" in html and "Setup fee" in html
    assert "Pay €30.00</button>" in html
    for field in ("email", "card_number", "expiry", "cvc", "name"):
        assert f'<label for="{field}">' in html and f'id="{field}"' in html
    assert "Test mode — use 4242 4242 4242 4242 (succeeds) or 4000 0000 0000 0002 (declined)" in html
    assert f'href="{CANCEL_URL}"' in html


def test_a_bad_expiry_is_reported_on_the_page_and_nothing_is_attempted(client, sandbox):
    session = new_session(client)
    events_before = len(sandbox.events())

    page = httpx.post(session.url, data=_page_form(expiry="13 / 30"))

    assert page.status_code == 422
    assert 'role="alert"' in page.text and "expiration date is invalid" in page.text
    assert 'aria-describedby="expiry-error"' in page.text
    assert len(sandbox.events()) == events_before
    assert client.v1.checkout.sessions.retrieve(session.id).status == "open"


def test_a_short_card_number_is_reported_on_the_page(client):
    session = new_session(client)

    page = httpx.post(session.url, data=_page_form(card_number="4242 4242"))

    assert page.status_code == 422
    assert "Your card number is incomplete." in page.text


def test_paying_on_the_page_redirects_to_the_success_url_with_the_session_id(client):
    session = new_session(client)

    response = httpx.post(session.url, data=_page_form())

    assert response.status_code == 303
    assert response.headers["location"] == SUCCESS_URL.replace("{CHECKOUT_SESSION_ID}", session.id)
    assert client.v1.checkout.sessions.retrieve(session.id).payment_status == "paid"


def test_a_decline_on_the_page_is_announced_in_an_alert(client):
    session = new_session(client)

    page = httpx.post(session.url, data=_page_form(card_number=DECLINED))

    assert page.status_code == 402
    assert re.search(r'role="alert"[^>]*>Your card was declined\.<', page.text)
    assert client.v1.checkout.sessions.retrieve(session.id).status == "open"


def test_the_page_of_a_paid_session_says_so_and_links_to_the_success_url(client, sandbox):
    session = new_session(client)
    sandbox.pay(session.id, SUCCEEDS)

    page = httpx.get(f"{sandbox.api_base}/pay/{session.id}")

    assert "Payment complete" in page.text
    assert SUCCESS_URL.replace("{CHECKOUT_SESSION_ID}", session.id) in page.text
    assert "<form" not in page.text


def test_the_page_of_an_expired_session_says_so(client, sandbox):
    session = new_session(client)
    client.v1.checkout.sessions.expire(session.id)

    page = httpx.get(f"{sandbox.api_base}/pay/{session.id}")

    assert "This checkout session has expired" in page.text
    assert "<form" not in page.text


def test_the_page_of_an_unknown_session_is_a_404(sandbox):
    assert httpx.get(f"{sandbox.api_base}/pay/cs_test_missing").status_code == 404


def test_text_on_the_page_is_escaped(client):
    session = new_session(client, line_items=[{
        "price_data": {"currency": "eur", "unit_amount": 1000, "product_data": {"name": "<script>x</script>"}},
        "quantity": 1}])

    assert "<script>x</script>" not in httpx.get(session.url).text


# --------------------------------------------------------------------------- the command


def _run_command(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "opsportal.cli.sandbox", "sandbox", "stripe", *args],
                          cwd=PROJECT_ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True,
                          timeout=60)


def test_the_command_fails_in_one_line_when_its_port_is_taken():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = _run_command("--port", str(port))

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"opsportal: error: port {port} on 127.0.0.1 is already in use; pick another with --port"]


def test_stopping_the_sandbox_frees_its_port():
    with start_stripe_sandbox() as handle:
        assert httpx.get(f"{handle.api_base}/_sandbox/health").json()["status"] == "ok"

    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{handle.api_base}/_sandbox/health")


def test_the_opsportal_command_offers_the_sandbox():
    from opsportal.cli import build_parser

    args = build_parser().parse_args(["sandbox", "stripe", "--port", "12111"])

    assert args.func.__name__ == "cmd_sandbox_stripe"
