"""Stripe's webhook: a verified event is applied once, however often it is delivered.

What a confirmed payment changes is applied by ``payment_confirmation``; what follows from the invoice paid is
routed by ``invoice_events``, all in the event's one transaction.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.models import StripeEvent
from opsportal.services import invoice_events, payment_confirmation
from opsportal.services import stripe_gateway as gateway
from opsportal.services.errors import InvalidInput

log = logging.getLogger(__name__)


def _route(session: Session, event: dict[str, Any], at: datetime) -> str:
    kind = event.get("type", "")
    obj = (event.get("data") or {}).get("object") or {}
    if kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
        checkout = gateway.CheckoutSession.from_stripe(obj)
        if checkout.payment_status != "paid":
            return "ignored: the session is not paid yet"
        outcome, events = payment_confirmation.confirm(session, checkout, "webhook", event.get("id"), at)
        invoice_events.dispatch(session, events)
        return outcome
    if kind == "checkout.session.expired":
        return payment_confirmation.expire(session, obj.get("id"),
                                           (obj.get("metadata") or {}).get("opsportal_payment_id"), at)
    if kind in ("payment_intent.payment_failed", "checkout.session.async_payment_failed"):
        return payment_confirmation.record_decline(session, obj, event.get("id"), at)
    return f"ignored: {kind or 'no type'}"


def apply_event(event: dict[str, Any], *, at: datetime | None = None) -> str:
    """Apply a verified Stripe event once: a second delivery of the same event id changes nothing."""
    at = at or clock.now()
    event_id = str(event.get("id") or "")
    if not event_id.startswith("evt_"):
        raise InvalidInput("The event has no Stripe event id.")
    try:
        with unit_of_work() as session:
            if session.get(StripeEvent, event_id) is not None:
                return "duplicate"
            # Claim the event id first: a concurrent delivery of it waits here, then fails as a duplicate.
            record = StripeEvent(id=event_id, type=str(event.get("type", ""))[:100], outcome="processing",
                                 received_at=at)
            session.add(record)
            session.flush()
            record.outcome = _route(session, event, at)[:300]
            session.add(record)
            outcome = record.outcome
    except IntegrityError:
        return "duplicate"
    log.info("stripe event %s (%s): %s", event_id, event.get("type"), outcome)
    return outcome


def handle_webhook(payload: bytes, signature: str | None, *, at: datetime | None = None) -> str:
    """Verify the raw body against its Stripe-Signature, then apply the event (raises InvalidWebhook)."""
    return apply_event(gateway.verify_event(payload, signature), at=at)
