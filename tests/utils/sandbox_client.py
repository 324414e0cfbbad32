"""What the Stripe sandbox tests share: a small HTTP receiver in this process that the sandbox's webhooks go to, and
the Checkout Session parameters the app sends (the fixtures are in tests/sandbox/conftest.py)."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import stripe

SUCCESS_URL = "http://localhost:3000/billing/paid?session={CHECKOUT_SESSION_ID}"
CANCEL_URL = "http://localhost:3000/billing"


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
