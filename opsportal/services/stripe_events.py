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


NO_EVENT_ID = "The event has no Stripe event id."
NOT_A_STRING = "The event has no Stripe event id: its id is not a string (Stripe sends one starting with evt_)."
NOT_STRIPES = "The event has no Stripe event id: its id does not start with evt_."
TOO_LONG = "The event has no Stripe event id: its id is longer than 255 characters."
NO_OBJECT = "The event carries no object in its data."
MAX_EVENT_ID = 255  # StripeEvent.id


def _event_id(event: dict[str, Any]) -> str:
    """The event's Stripe id, or InvalidInput saying what is wrong with the event (checked before any write)."""
    event_id = event.get("id")
    if event_id is None or event_id == "":
        raise InvalidInput(NO_EVENT_ID)
    if not isinstance(event_id, str):
        raise InvalidInput(NOT_A_STRING)
    if not event_id.startswith("evt_"):
        raise InvalidInput(NOT_STRIPES)
    if len(event_id) > MAX_EVENT_ID:
        raise InvalidInput(TOO_LONG)
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise InvalidInput(NO_OBJECT)
    return event_id


def apply_event(event: dict[str, Any], *, at: datetime | None = None) -> str:
    """Apply a verified Stripe event once: a second delivery of the same event id changes nothing."""
    at = at or clock.now()
    event_id = _event_id(event)
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
