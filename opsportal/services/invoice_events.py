"""What follows from an invoice's lifecycle: the one router of its events (``domain.invoices.lifecycle``).

- Invoice paid: a pre-service invoice activates the plan terms it bought and schedules the pay-per-incident
  request it pays for; an hour block's receipt grants the hours. In the transaction that paid it.
- Invoice voided: its time becomes unbilled again, in the transaction that voided it.
- Payment flagged: the payment already carries the problem for staff; the log says it too.
- Once committed (``after_commit``): an invoice voided, or paid other than through Checkout, closes the
  checkouts the customer left open, so none takes the money a second time (Stripe is never asked inside a
  transaction).

Every handler is idempotent: an event routed twice changes nothing the second time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session

from opsportal.db import unit_of_work
from opsportal.domain.invoices import Event, InvoiceKind, InvoicePaid, InvoiceVoided, PaidThrough, PaymentFlagged
from opsportal.models import Invoice
from opsportal.services import (
    billing_run,
    checkout_sessions,
    hour_blocks,
    incidents,
    payment_confirmation,
    plan_orders,
)

log = logging.getLogger(__name__)


def dispatch(session: Session, events: Iterable[Event]) -> None:
    """Route the events of a transition in the transaction that made it."""
    for event in events:
        if isinstance(event, InvoicePaid):
            _paid(session, event)
        elif isinstance(event, InvoiceVoided):
            billing_run.unbill_time(session, event.invoice_id)
        elif isinstance(event, PaymentFlagged):
            log.warning("payment %s: %s", event.payment_id, event.problem)


def _paid(session: Session, event: InvoicePaid) -> None:
    if event.kind is InvoiceKind.pre_service:
        invoice = session.get(Invoice, event.invoice_id)
        plan_orders.activate_paid_order(session, invoice, event.at)
        incidents.schedule_paid(session, invoice, event.at)
    elif event.kind is InvoiceKind.hour_block and event.payment_id is not None:
        hour_blocks.grant_purchase(session, event.payment_id, event.at)


def after_commit(events: Iterable[Event], *, at: datetime) -> None:
    """Route, once the transition is committed, what asks Stripe."""
    for event in events:
        if isinstance(event, InvoiceVoided) or (
                isinstance(event, InvoicePaid) and event.through is not PaidThrough.checkout):
            close_open_checkouts(event.invoice_id, at=at)


def close_open_checkouts(invoice_id: int, *, at: datetime) -> int:
    """Expire the open Checkout Sessions of an invoice that may no longer be paid; returns the sessions closed.

    A session Stripe reports paid just before we asked is applied (and flagged: the invoice takes no more).
    """
    closed, paid = checkout_sessions.expire_open_checkouts(invoice_id, at=at)
    for checkout in paid:
        with unit_of_work() as session:
            _outcome, events = payment_confirmation.confirm(session, checkout, "reconcile", None, at)
            dispatch(session, events)
    return closed
