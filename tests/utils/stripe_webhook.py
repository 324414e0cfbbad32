"""What the Stripe webhook tests share: events built by hand in the shape Stripe sends, signed with the settings'
webhook secret exactly as Stripe signs them, delivered to the service or the route, and the rows they leave (the
fixtures are in tests/services/stripe_webhook/conftest.py)."""

from __future__ import annotations

import json
import time
import uuid
import warnings
from datetime import UTC, datetime
from typing import Any

import stripe
from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.models import CreditLot, Invoice, Payment, PaymentAttempt, StripeEvent
from opsportal.services import stripe_events
from opsportal.services import stripe_gateway as gateway
from opsportal.settings import get_settings

with warnings.catch_warnings():
    # Starlette would rather drive the app with httpx2; the httpx installed here works the same.
    warnings.simplefilter("ignore", UserWarning)
    from starlette.testclient import TestClient


THREADS = 8
TODAY = datetime.now(UTC).date()
AT = datetime(2025, 3, 10, 9, 30, tzinfo=UTC)  # when an event is applied, where the test fixes it
BLOCK_MINUTES = 600
BLOCK_PRICE = 114_000  # USD 1,140.00 for 10 hours


class FakeCheckout:
    """Stands in for ``stripe_gateway.create_checkout_session``: records each call, answers a new session."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, **kwargs: Any) -> gateway.CheckoutSession:
        self.calls.append(kwargs)
        session_id = f"cs_test_{uuid.uuid4().hex}"
        return gateway.CheckoutSession(
            id=session_id, url=f"https://checkout.stripe.test/c/pay/{session_id}", status="open",
            payment_status="unpaid", amount_total=kwargs["amount_minor"], currency=kwargs["currency"].lower(),
            metadata=dict(kwargs["metadata"]))


def sign(payload: str, *, timestamp: int | None = None, secret: str | None = None) -> str:
    """The Stripe-Signature header Stripe would send with ``payload``."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    secret = secret or get_settings().stripe_webhook_secret
    signature = stripe.WebhookSignature._compute_signature(f"{timestamp}.{payload}", secret)
    return f"t={timestamp},v1={signature}"


def checkout_event(payment: Payment, kind: str = "checkout.session.completed", *, event_id: str | None = None,
                   **changes: Any) -> dict[str, Any]:
    """A ``checkout.session.*`` event about the payment's session, paid in full unless ``changes`` say otherwise."""
    session = {
        "id": payment.stripe_session_id, "object": "checkout.session", "mode": "payment", "status": "complete",
        "payment_status": "paid", "amount_total": payment.amount_minor, "currency": payment.currency.lower(),
        "client_reference_id": str(payment.id),
        "metadata": {"opsportal_payment_id": str(payment.id), "organization_id": str(payment.organization_id),
                     "purpose": payment.purpose},
        "payment_intent": f"pi_test_{payment.id}",
    }
    session.update(changes)
    return event(kind, session, event_id=event_id)


def declined_event(payment: Payment, *, message: str = "Your card was declined.",
                   with_session: bool = False) -> dict[str, Any]:
    """``payment_intent.payment_failed`` as Stripe sends it for a Checkout payment: the intent carries the
    metadata given in ``payment_intent_data`` (the local sandbox adds the session id too)."""
    metadata = {"opsportal_payment_id": str(payment.id), "organization_id": str(payment.organization_id),
                "purpose": payment.purpose}
    if with_session:
        metadata["checkout_session"] = payment.stripe_session_id
    intent = {"id": f"pi_test_{payment.id}", "object": "payment_intent", "status": "requires_payment_method",
              "amount": payment.amount_minor, "currency": payment.currency.lower(), "metadata": metadata,
              "last_payment_error": {"code": "card_declined", "decline_code": "generic_decline",
                                     "message": message, "type": "card_error"}}
    return event("payment_intent.payment_failed", intent)


def event(kind: str, obj: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    return {"id": event_id or f"evt_{uuid.uuid4().hex}", "object": "event", "api_version": "2024-06-20",
            "created": int(time.time()), "livemode": False, "pending_webhooks": 1, "type": kind,
            "data": {"object": obj}}


def deliver(evt: dict[str, Any], *, at: datetime | None = None) -> str:
    """The event through ``stripe_events.handle_webhook``, body and signature as Stripe sends them."""
    body = json.dumps(evt)
    return stripe_events.handle_webhook(body.encode(), sign(body), at=at)


def payment_row(payment_id: int) -> Payment:
    with unit_of_work(write=False) as session:
        return session.get(Payment, payment_id)


def invoice_row(invoice_id: int) -> Invoice:
    with unit_of_work(write=False) as session:
        return session.get(Invoice, invoice_id)


def attempts_of(payment_id: int) -> list[tuple[str, str, str, str | None]]:
    with unit_of_work(write=False) as session:
        rows = session.exec(select(PaymentAttempt).where(PaymentAttempt.payment_id == payment_id)
                            .order_by(PaymentAttempt.id)).all()
        return [(a.outcome, a.message, a.source, a.stripe_event_id) for a in rows]


def stored_events() -> dict[str, str]:
    with unit_of_work(write=False) as session:
        return {e.id: e.outcome for e in session.exec(select(StripeEvent)).all()}


def hour_block_lots(org_id: int) -> list[CreditLot]:
    with unit_of_work(write=False) as session:
        return list(session.exec(select(CreditLot).where(CreditLot.holder_org_id == org_id,
                                                         CreditLot.origin == "hour_block")).all())


def receipts(org_id: int) -> list[Invoice]:
    with unit_of_work(write=False) as session:
        return list(session.exec(select(Invoice).where(Invoice.organization_id == org_id,
                                                       Invoice.kind == "hour_block")).all())


def post(client: TestClient, body: str, signature: str | None):
    headers = {"content-type": "application/json"}
    if signature is not None:
        headers["stripe-signature"] = signature
    return client.post("/api/stripe/webhook", content=body.encode(), headers=headers)
