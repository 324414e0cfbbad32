"""Applying what Stripe confirms to our payment rows, exactly once, in the caller's transaction.

A payment counts only when Stripe confirms it: the verified ``checkout.session.completed`` webhook
(``services.stripe_events``), or asking Stripe about the session (``services.payment_reconciliation``). Each
confirmation is applied under the payment row's lock and only while the payment is not yet ``succeeded``, so
redelivered, concurrent or out-of-order events apply it once.

A confirmed payment is recorded on its invoice (the invoice's lifecycle decides: paid, part paid, or flagged),
or, for an hour block, issues the receipt, paid at once. The events of those transitions are returned for the
caller to route (``services.invoice_events``) in the same transaction.

A confirmation that does not match what was asked (amount, currency, reference) pays nothing and flags the
payment; a later confirmation that matches pays it and clears that flag, noting it in the attempt
(``domain.invoices.checkout.problem_once_confirmed``).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from opsportal.domain import formats
from opsportal.domain import hour_blocks as block_rules
from opsportal.domain import invoices as rules
from opsportal.domain.audit import AuditAction
from opsportal.domain.invoices import Event, InvoiceKind, PaidThrough, PaymentFlagged, PaymentStatus
from opsportal.models import Invoice, Organization, Payment, PaymentAttempt
from opsportal.services import audit
from opsportal.services import stripe_gateway as gateway
from opsportal.services.invoice_issuing import apply, create_in_session, state_of

log = logging.getLogger(__name__)


def lock_payment(session: Session, *, session_id: str | None, payment_ref: str | None) -> Payment | None:
    if session_id:
        row = session.exec(select(Payment).where(Payment.stripe_session_id == session_id).with_for_update()).first()
        if row is not None:
            return row
    if payment_ref and payment_ref.isdigit():
        row = session.exec(select(Payment).where(Payment.id == int(payment_ref)).with_for_update()).first()
        # The webhook can beat us to storing the session id; a session id we know of must match.
        # A PaymentIntent event names no session (Stripe copies only our metadata onto the intent).
        if row is not None and (session_id is None or row.stripe_session_id in (None, session_id)):
            return row
    return None


def _attempt(session: Session, payment: Payment, outcome: str, message: str, source: str, event_id: str | None,
             at: datetime) -> None:
    session.add(PaymentAttempt(payment_id=payment.id, outcome=outcome, message=message[:500], source=source,
                               stripe_event_id=event_id, occurred_at=at))


def _apply_to_invoice(session: Session, payment: Payment, at: datetime) -> tuple[Event, ...]:
    inv = session.exec(select(Invoice).where(Invoice.id == payment.invoice_id).with_for_update()).one()
    transition = rules.record_payment(state_of(inv), payment_id=payment.id, amount_minor=payment.amount_minor, at=at)
    return apply(session, inv, transition).events


def _issue_receipt(session: Session, payment: Payment, at: datetime) -> tuple[Event, ...]:
    """The paid receipt of a block; its paid event grants the hours or credits (``hour_blocks.grant_purchase``)."""
    org = session.get(Organization, payment.organization_id)
    expires = block_rules.expiry_of_purchase(at.date(), payment.block_validity_days)
    bought = block_rules.units(block_rules.BlockTerms(payment.block_quantity, payment.block_price_minor,
                                                      payment.block_validity_days, payment.block_product))
    memo = (f"Receipt: {formats.credits(bought)}" if payment.block_product == block_rules.SERVICE_CREDITS
            else f"Receipt: {formats.count(bought)} hours of prepaid support")
    line = rules.item_line(f"{payment.description}, usable through {formats.day(expires)}", 1,
                           payment.block_price_minor)
    # The receipt's tax is what was charged: the rate fixed when the checkout started (amount_minor was
    # priced from block_price_minor at that rate by the same rule, so the totals agree).
    receipt = create_in_session(
        session, org=org, kind=InvoiceKind.hour_block, lines=[line], currency=payment.currency, issue_on=at.date(),
        memo=memo, created_by=payment.created_by_user_id,
        charged_rate_bp=payment.tax_rate_bp)
    receipt.due_date = receipt.issue_date
    payment.invoice_id = receipt.id
    return apply(session, receipt, rules.mark_paid(state_of(receipt), at=at, through=PaidThrough.checkout,
                                                   payment_id=payment.id)).events


def confirm(session: Session, checkout: gateway.CheckoutSession, source: str, event_id: str | None,
            at: datetime) -> tuple[str, tuple[Event, ...]]:
    """Apply a checkout session Stripe reports paid: the outcome in words, and the invoice events to route."""
    payment = lock_payment(session, session_id=checkout.id, payment_ref=checkout.metadata.get("opsportal_payment_id"))
    if payment is None:
        return "ignored: no payment of ours has this session", ()
    if payment.status == PaymentStatus.succeeded:
        return f"already applied to payment {payment.id}", ()
    mismatch = rules.checkout_mismatch(
        expected_amount=payment.amount_minor, expected_currency=payment.currency, expected_payment_id=payment.id,
        amount=checkout.amount_total, currency=checkout.currency,
        payment_id=checkout.metadata.get("opsportal_payment_id"))
    if mismatch:
        payment.problem = rules.mismatch_problem(mismatch)
        payment.updated_at = at
        session.add(payment)
        log.error("payment %s: %s", payment.id, payment.problem)
        return f"refused: {mismatch}", ()
    payment.status, payment.completed_at, payment.updated_at = PaymentStatus.succeeded.value, at, at
    payment.stripe_session_id = checkout.id
    payment.stripe_payment_intent_id = checkout.payment_intent
    payment.last_error = ""
    if payment.purpose == "invoice":
        events = _apply_to_invoice(session, payment, at)
    else:
        events = _issue_receipt(session, payment, at)
    # An earlier "does not match" flag is cleared by this matching confirmation (the rule is the domain's).
    settled = rules.problem_once_confirmed(payment.problem,
                                           [e.problem for e in events if isinstance(e, PaymentFlagged)])
    payment.problem = settled.problem
    _attempt(session, payment, "succeeded", f"Paid. {settled.note}" if settled.note else "Paid", source, event_id, at)
    session.add(payment)
    # Who started the checkout paid; Stripe's webhook (no address) or the payer's return to the portal confirms it.
    audit.record(session, actor_user_id=payment.created_by_user_id, organization_id=payment.organization_id,
                 action=AuditAction.card_payment_confirmed, at=at,
                 target=f"{formats.money(payment.amount_minor, payment.currency)}: {payment.description}")
    return f"applied to payment {payment.id}", events


def expire(session: Session, session_id: str, payment_ref: str | None, at: datetime) -> str:
    payment = lock_payment(session, session_id=session_id, payment_ref=payment_ref)
    if payment is None:
        return "ignored: no payment of ours has this session"
    if payment.status != PaymentStatus.open:
        return f"ignored: payment {payment.id} is {payment.status}"
    payment.status, payment.updated_at = PaymentStatus.expired.value, at
    session.add(payment)
    return f"payment {payment.id} expired"


def record_decline(session: Session, obj: dict[str, Any], event_id: str, at: datetime) -> str:
    metadata = obj.get("metadata") or {}
    payment = lock_payment(session, session_id=metadata.get("checkout_session"),
                           payment_ref=metadata.get("opsportal_payment_id"))
    if payment is None:
        return "ignored: no payment of ours has this payment intent"
    error = obj.get("last_payment_error") or {}
    message = error.get("message") or "The payment was declined."
    _attempt(session, payment, "declined", message, "webhook", event_id, at)
    if payment.status != PaymentStatus.succeeded:  # a late failure of an earlier try never undoes a success
        payment.last_error, payment.updated_at = message[:500], at
        session.add(payment)
    return f"declined attempt recorded on payment {payment.id}"
