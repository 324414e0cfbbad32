"""Paying invoices and buying hour blocks through Stripe Checkout, exactly once.

A payment counts only when Stripe confirms it: the verified ``checkout.session.completed`` webhook,
or asking Stripe about the session (reconciliation, or the customer's return from Checkout). Each
confirmation is applied under the payment row's lock and only while the payment is not yet
``succeeded``, so redelivered, concurrent or out-of-order events apply it once.

Stripe is never called inside a database transaction: a payment row is written first (with its
idempotency key), Stripe is asked, then the answer is stored.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from opsportal.db import unit_of_work
from opsportal.domain import formats
from opsportal.domain import hour_blocks as block_rules
from opsportal.domain import invoices as rules
from opsportal.domain.invoices import InvoiceKind, InvoiceStatus
from opsportal.domain.ledger.lots import LotKind, Origin, end_of_day, last_usable_day
from opsportal.models import CreditLot, HourBlock, Invoice, Organization, Payment, PaymentAttempt, StripeEvent
from opsportal.models.types import utcnow
from opsportal.services import credits, invoices
from opsportal.services import stripe_gateway as gateway
from opsportal.services.authz import Actor, require_staff_admin, require_view_organization
from opsportal.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Unavailable
from opsportal.settings import get_settings

log = logging.getLogger(__name__)

PAYERS_ONLY = "Only the organization's owners, administrators and billing contacts can pay or buy hours."
PAYMENT_NOT_FOUND = "That payment was not found or you do not have access to it."
# A Checkout Session lives 24 hours; one younger than this is offered again instead of a new one.
REUSE_SESSION_FOR = timedelta(hours=23)
ABANDON_CREATING_AFTER = timedelta(hours=24)
SUCCESS_PATH = "/billing/checkout/success"


class Status:
    creating = "creating"
    open = "open"
    succeeded = "succeeded"
    expired = "expired"


@dataclass(frozen=True)
class CheckoutStart:
    payment_id: int
    url: str


# --- starting a checkout ---------------------------------------------------------------------------------


def _require_payer(actor: Actor, organization_id: int) -> None:
    require_view_organization(actor, organization_id)
    if not rules.may_pay_invoices(actor.role):
        raise PermissionDenied(PAYERS_ONLY)


def _return_base(return_base: str | None) -> str:
    """Where Stripe sends the customer back: the origin they use, if it is one of ours."""
    settings = get_settings()
    if return_base:
        parts = urlsplit(return_base)
        origin = f"{parts.scheme}://{parts.netloc}"
        if parts.scheme in ("http", "https") and parts.netloc:
            if not settings.is_production or origin in settings.origins:
                return origin
    return settings.public_url.rstrip("/")


def _metadata(payment: Payment, invoice: Invoice | None) -> dict[str, str]:
    data = {"opsportal_payment_id": str(payment.id), "organization_id": str(payment.organization_id),
            "purpose": payment.purpose}
    if invoice is not None:
        data.update(invoice_id=str(invoice.id), invoice_number=invoice.number or "")
    return data


def _create_session(payment_id: int, *, cancel_path: str, return_base: str | None, email: str,
                    at: datetime) -> CheckoutStart:
    """Ask Stripe for the session of a ``creating`` payment (its idempotency key makes a retry safe)."""
    with unit_of_work(write=False) as session:
        payment = session.get(Payment, payment_id)
        invoice = session.get(Invoice, payment.invoice_id) if payment.invoice_id else None
    base = _return_base(return_base)
    try:
        created = gateway.create_checkout_session(
            amount_minor=payment.amount_minor, currency=payment.currency, description=payment.description,
            success_url=f"{base}{SUCCESS_PATH}?session_id={{CHECKOUT_SESSION_ID}}",
            cancel_url=f"{base}{cancel_path}", metadata=_metadata(payment, invoice),
            idempotency_key=payment.idempotency_key, customer_email=email or None)
    except Unavailable as exc:
        with unit_of_work() as session:
            row = session.get(Payment, payment_id)
            row.last_error, row.updated_at = str(exc), at
            session.add(row)
        raise
    if not created.url:
        with unit_of_work() as session:
            row = session.get(Payment, payment_id)
            row.last_error, row.updated_at = "Stripe answered without a checkout link.", at
            session.add(row)
        raise Unavailable(gateway.UNAVAILABLE)
    with unit_of_work() as session:
        row = session.exec(select(Payment).where(Payment.id == payment_id).with_for_update()).one()
        row.stripe_session_id, row.checkout_url = created.id, created.url
        if row.status == Status.creating:
            row.status = Status.open
        row.last_error, row.updated_at = "", at
        session.add(row)
    return CheckoutStart(payment_id, created.url)


@dataclass(frozen=True)
class PendingPayment:
    payment_id: int
    amount_minor: int
    currency: str
    checkout_url: str  # "" until Stripe has given it a checkout page


def open_invoice_payment(actor: Actor, invoice_id: int, *, at: datetime | None = None) -> PendingPayment:
    """The payment a checkout for what is still owed on an invoice is for (Stripe is not asked:
    ``start_invoice_checkout`` does that); an unexpired one for the same amount is continued."""
    at = at or utcnow()
    with unit_of_work() as session:
        inv = session.exec(select(Invoice).where(Invoice.id == invoice_id).with_for_update()).first()
        if inv is None or (not actor.is_staff and inv.organization_id != actor.organization_id) \
                or inv.status in (InvoiceStatus.draft, InvoiceStatus.void):
            raise NotFound(invoices.INVOICE_NOT_FOUND)
        _require_payer(actor, inv.organization_id)
        if inv.status == InvoiceStatus.paid:
            raise Conflict(f"Invoice {inv.number} is already paid.")
        owed = rules.outstanding(inv.total_minor, inv.amount_paid_minor)
        if owed <= 0:
            raise Conflict(f"Nothing is owed on invoice {inv.number}.")
        existing = session.exec(
            select(Payment).where(Payment.invoice_id == inv.id, Payment.purpose == "invoice",
                                  Payment.status.in_((Status.creating, Status.open)),
                                  Payment.amount_minor == owed, Payment.created_at > at - REUSE_SESSION_FOR)
            .order_by(Payment.id.desc())).first()
        if existing is None:
            existing = Payment(organization_id=inv.organization_id, purpose="invoice", status=Status.creating,
                               invoice_id=inv.id, amount_minor=owed, currency=inv.currency,
                               description=f"Invoice {inv.number}", idempotency_key=f"opsportal-{uuid.uuid4()}",
                               created_by_user_id=actor.user_id or None, created_at=at, updated_at=at)
            session.add(existing)
            session.flush()
        url = existing.checkout_url if existing.status == Status.open and existing.checkout_url else ""
        return PendingPayment(existing.id, existing.amount_minor, existing.currency, url or "")


def start_invoice_checkout(actor: Actor, invoice_id: int, *, return_base: str | None = None,
                           at: datetime | None = None) -> CheckoutStart:
    """A Stripe Checkout Session for what is still owed on an invoice (an unexpired one is offered again)."""
    at = at or utcnow()
    pending = open_invoice_payment(actor, invoice_id, at=at)
    if pending.checkout_url:
        return CheckoutStart(pending.payment_id, pending.checkout_url)
    return _create_session(pending.payment_id, cancel_path=f"/billing/invoices/{invoice_id}?checkout=cancelled",
                           return_base=return_base, email=actor.email, at=at)


def open_hour_block_payment(actor: Actor, block_id: int, *, at: datetime | None = None) -> PendingPayment:
    """The payment a checkout for one hour block is for, at today's catalog price plus the organization's tax
    (Stripe is not asked: ``start_hour_block_checkout`` does that). The lot is granted when it is confirmed."""
    at = at or utcnow()
    if actor.organization_id is None:
        raise PermissionDenied(PAYERS_ONLY)
    _require_payer(actor, actor.organization_id)
    with unit_of_work() as session:
        org = session.exec(select(Organization).where(Organization.id == actor.organization_id)
                           .with_for_update()).one()
        block = session.get(HourBlock, block_id)
        if block is None or not block.active or block.currency != org.currency:
            raise NotFound("That hour block is not on sale.")
        # The tax rule prices it exactly as the Buy hours page showed it (hour_blocks.catalog_for).
        price = rules.priced(InvoiceKind.hour_block, invoices.tax_settings(org), block.price_minor)
        # A double click (same block, same person, a few minutes apart) continues the same checkout.
        existing = session.exec(
            select(Payment).where(Payment.organization_id == org.id, Payment.purpose == "hour_block",
                                  Payment.hour_block_id == block.id, Payment.created_by_user_id == actor.user_id,
                                  Payment.status.in_((Status.creating, Status.open)),
                                  Payment.amount_minor == price.total_minor,
                                  Payment.created_at > at - timedelta(minutes=10))
            .order_by(Payment.id.desc())).first()
        if existing is None:
            existing = Payment(organization_id=org.id, purpose="hour_block", status=Status.creating,
                               amount_minor=price.total_minor, currency=org.currency,
                               description=f"{block.name} ({block.minutes // 60} hours of support)",
                               hour_block_id=block.id, block_minutes=block.minutes,
                               block_price_minor=block.price_minor, block_validity_days=block.validity_days,
                               tax_rate_bp=price.tax_rate_bp, idempotency_key=f"opsportal-{uuid.uuid4()}",
                               created_by_user_id=actor.user_id or None, created_at=at, updated_at=at)
            session.add(existing)
            session.flush()
        url = existing.checkout_url if existing.status == Status.open and existing.checkout_url else ""
        return PendingPayment(existing.id, existing.amount_minor, existing.currency, url or "")


def start_hour_block_checkout(actor: Actor, block_id: int, *, return_base: str | None = None,
                              at: datetime | None = None) -> CheckoutStart:
    """A Stripe Checkout Session for one hour block at today's catalog price plus the organization's tax."""
    at = at or utcnow()
    pending = open_hour_block_payment(actor, block_id, at=at)
    if pending.checkout_url:
        return CheckoutStart(pending.payment_id, pending.checkout_url)
    return _create_session(pending.payment_id, cancel_path="/billing/hours?checkout=cancelled",
                           return_base=return_base, email=actor.email, at=at)


# --- applying what Stripe confirms -----------------------------------------------------------------------


def _lock_payment(session: Session, *, session_id: str | None, payment_ref: str | None) -> Payment | None:
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


def _apply_to_invoice(session: Session, payment: Payment, at: datetime) -> None:
    inv = session.exec(select(Invoice).where(Invoice.id == payment.invoice_id).with_for_update()).one()
    if inv.status != InvoiceStatus.open:
        payment.problem = (f"Invoice {inv.number} was already {inv.status} when this payment arrived: "
                           "refund it or apply it elsewhere.")
        log.warning("payment %s: %s", payment.id, payment.problem)
        return
    inv.amount_paid_minor += payment.amount_minor
    if inv.amount_paid_minor > inv.total_minor:
        over = formats.money(inv.amount_paid_minor - inv.total_minor, inv.currency)
        payment.problem = f"Invoice {inv.number} is overpaid by {over}: refund the difference."
    if inv.amount_paid_minor >= inv.total_minor:
        inv.status, inv.paid_at = InvoiceStatus.paid.value, at
        session.add(inv)
        from opsportal.services import plans  # activates what a paid pre-service invoice bought

        plans.on_invoice_paid(session, inv, at)
    session.add(inv)


def _apply_hour_block(session: Session, payment: Payment, at: datetime) -> None:
    """Grant the purchased lot and issue the paid receipt."""
    org = session.get(Organization, payment.organization_id)
    expires = block_rules.expiry_of_purchase(at.date(), payment.block_validity_days)
    lot = credits.grant_in_session(
        session, org_id=org.id, product="support_hours", quantity=payment.block_minutes, kind=LotKind.purchased,
        expires_at=end_of_day(expires), shared=False, origin=str(Origin.hour_block),
        note=f"{payment.description}, payment {payment.id}", at=at, user_id=payment.created_by_user_id)
    hours = payment.block_minutes // 60
    line = rules.item_line(f"{payment.description}, usable through {formats.day(expires)}", 1,
                           payment.block_price_minor)
    # The receipt's tax is what was charged: the rate fixed when the checkout started (amount_minor was
    # priced from block_price_minor at that rate by the same rule, so the totals agree).
    receipt = invoices.create_in_session(
        session, org=org, kind=InvoiceKind.hour_block, lines=[line], currency=payment.currency, issue_on=at.date(),
        memo=f"Receipt: {hours} hours of prepaid support", created_by=payment.created_by_user_id, paid_at=at,
        charged_rate_bp=payment.tax_rate_bp)
    receipt.due_date = receipt.issue_date
    session.add(receipt)
    payment.lot_id, payment.invoice_id = lot.id, receipt.id


def _complete(session: Session, checkout: gateway.CheckoutSession, source: str, event_id: str | None,
              at: datetime) -> str:
    payment = _lock_payment(session, session_id=checkout.id, payment_ref=checkout.metadata.get("opsportal_payment_id"))
    if payment is None:
        return "ignored: no payment of ours has this session"
    if payment.status == Status.succeeded:
        return f"already applied to payment {payment.id}"
    mismatch = rules.checkout_mismatch(
        expected_amount=payment.amount_minor, expected_currency=payment.currency, expected_payment_id=payment.id,
        amount=checkout.amount_total, currency=checkout.currency,
        payment_id=checkout.metadata.get("opsportal_payment_id"))
    if mismatch:
        payment.problem = f"Stripe confirmed a payment that does not match: {mismatch}."[:500]
        payment.updated_at = at
        session.add(payment)
        log.error("payment %s: %s", payment.id, payment.problem)
        return f"refused: {mismatch}"
    payment.status, payment.completed_at, payment.updated_at = Status.succeeded, at, at
    payment.stripe_session_id = checkout.id
    payment.stripe_payment_intent_id = checkout.payment_intent
    payment.last_error = ""
    _attempt(session, payment, "succeeded", "Paid", source, event_id, at)
    if payment.purpose == "invoice":
        _apply_to_invoice(session, payment, at)
    else:
        _apply_hour_block(session, payment, at)
    session.add(payment)
    return f"applied to payment {payment.id}"


def _expire(session: Session, session_id: str, payment_ref: str | None, at: datetime) -> str:
    payment = _lock_payment(session, session_id=session_id, payment_ref=payment_ref)
    if payment is None:
        return "ignored: no payment of ours has this session"
    if payment.status != Status.open:
        return f"ignored: payment {payment.id} is {payment.status}"
    payment.status, payment.updated_at = Status.expired, at
    session.add(payment)
    return f"payment {payment.id} expired"


def _declined(session: Session, obj: dict[str, Any], event_id: str, at: datetime) -> str:
    metadata = obj.get("metadata") or {}
    payment = _lock_payment(session, session_id=metadata.get("checkout_session"),
                            payment_ref=metadata.get("opsportal_payment_id"))
    if payment is None:
        return "ignored: no payment of ours has this payment intent"
    error = obj.get("last_payment_error") or {}
    message = error.get("message") or "The payment was declined."
    _attempt(session, payment, "declined", message, "webhook", event_id, at)
    if payment.status != Status.succeeded:  # a late failure of an earlier try never undoes a success
        payment.last_error, payment.updated_at = message[:500], at
        session.add(payment)
    return f"declined attempt recorded on payment {payment.id}"


def _dispatch(session: Session, event: dict[str, Any], at: datetime) -> str:
    kind = event.get("type", "")
    obj = (event.get("data") or {}).get("object") or {}
    if kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
        checkout = gateway.CheckoutSession.from_stripe(obj)
        if checkout.payment_status != "paid":
            return "ignored: the session is not paid yet"
        return _complete(session, checkout, "webhook", event.get("id"), at)
    if kind == "checkout.session.expired":
        return _expire(session, obj.get("id"), (obj.get("metadata") or {}).get("opsportal_payment_id"), at)
    if kind in ("payment_intent.payment_failed", "checkout.session.async_payment_failed"):
        return _declined(session, obj, event.get("id"), at)
    return f"ignored: {kind or 'no type'}"


def apply_event(event: dict[str, Any], *, at: datetime | None = None) -> str:
    """Apply a verified Stripe event once: a second delivery of the same event id changes nothing."""
    at = at or utcnow()
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
            record.outcome = _dispatch(session, event, at)[:300]
            session.add(record)
            outcome = record.outcome
    except IntegrityError:
        return "duplicate"
    log.info("stripe event %s (%s): %s", event_id, event.get("type"), outcome)
    return outcome


def handle_webhook(payload: bytes, signature: str | None, *, at: datetime | None = None) -> str:
    """Verify the raw body against its Stripe-Signature, then apply the event (raises InvalidWebhook)."""
    return apply_event(gateway.verify_event(payload, signature), at=at)


# --- asking Stripe ---------------------------------------------------------------------------------------


def _settle_from_stripe(payment_id: int, session_id: str, source: str, at: datetime) -> str:
    checkout = gateway.retrieve_checkout_session(session_id)
    with unit_of_work() as session:
        if checkout.paid:
            return _complete(session, checkout, source, None, at)
        if checkout.status == "expired":
            return _expire(session, checkout.id, str(payment_id), at)
    return "still open"


@dataclass(frozen=True)
class ReconcileResult:
    checked: int
    applied: int
    expired: int
    abandoned: int
    failed: list[str]

    @property
    def summary(self) -> str:
        text = (f"Checked {self.checked} pending checkout session(s): {self.applied} paid, {self.expired} expired; "
                f"{self.abandoned} never-started payment(s) closed.")
        if self.failed:
            text += f" {len(self.failed)} could not be checked: " + "; ".join(self.failed)
        return text


def reconcile(actor: Actor, *, at: datetime | None = None,
              min_age: timedelta = timedelta(minutes=1)) -> ReconcileResult:
    """Ask Stripe about every session still pending, so a lost webhook never leaves a payment unapplied."""
    require_staff_admin(actor)
    at = at or utcnow()
    with unit_of_work(write=False) as session:
        pending = session.exec(select(Payment.id, Payment.stripe_session_id).where(
            Payment.status == Status.open, Payment.stripe_session_id.is_not(None),
            Payment.updated_at <= at - min_age).order_by(Payment.id)).all()
    applied = expired = 0
    failed: list[str] = []
    for payment_id, session_id in pending:
        try:
            outcome = _settle_from_stripe(payment_id, session_id, "reconcile", at)
        except (Unavailable, InvalidInput) as exc:
            failed.append(f"payment {payment_id}: {exc}")
            continue
        applied += outcome.startswith("applied")
        expired += outcome.endswith("expired")
    # A payment whose session was never created never reached the customer: nobody can have paid it.
    with unit_of_work() as session:
        stale = session.exec(select(Payment).where(Payment.status == Status.creating,
                                                   Payment.created_at <= at - ABANDON_CREATING_AFTER)).all()
        for row in stale:
            row.status, row.updated_at = Status.expired, at
            session.add(row)
    return ReconcileResult(len(pending), applied, expired, len(stale), failed)


@dataclass(frozen=True)
class ReturnStatus:
    payment_id: int
    purpose: str
    status: str
    invoice_id: int | None
    invoice_number: str | None
    description: str
    amount: str
    last_error: str


def _return_status(session: Session, payment: Payment) -> ReturnStatus:
    inv = session.get(Invoice, payment.invoice_id) if payment.invoice_id else None
    return ReturnStatus(payment.id, payment.purpose, payment.status, payment.invoice_id, inv.number if inv else None,
                        payment.description, formats.money(payment.amount_minor, payment.currency), payment.last_error)


def confirm_return(actor: Actor, session_id: str, *, ask_stripe: bool = True,
                   at: datetime | None = None) -> ReturnStatus:
    """Where a payment stands when the customer comes back from Checkout (asking Stripe if not yet confirmed)."""
    at = at or utcnow()
    session_id = (session_id or "").strip()
    if not session_id or len(session_id) > 255:
        raise NotFound(PAYMENT_NOT_FOUND)
    with unit_of_work(write=False) as session:
        payment = session.exec(select(Payment).where(Payment.stripe_session_id == session_id)).first()
        if payment is None or (not actor.is_staff and payment.organization_id != actor.organization_id):
            raise NotFound(PAYMENT_NOT_FOUND)
        invoices.require_invoice_reader(actor, payment.organization_id)
        status, payment_id = payment.status, payment.id
    if ask_stripe and status == Status.open:
        try:
            _settle_from_stripe(payment_id, session_id, "return", at)
        except (Unavailable, InvalidInput) as exc:
            log.warning("could not ask Stripe about session %s: %s", session_id, exc)
    with unit_of_work(write=False) as session:
        return _return_status(session, session.get(Payment, payment_id))


@dataclass(frozen=True)
class HoursAdded:
    hours: int
    usable_through: date | None


def hours_added(actor: Actor, payment_id: int) -> HoursAdded | None:
    """What a confirmed hour-block payment granted (the checkout success page); None until Stripe confirms it."""
    with unit_of_work(write=False) as session:
        payment = session.get(Payment, payment_id)
        if payment is None or payment.purpose != "hour_block" \
                or (not actor.is_staff and payment.organization_id != actor.organization_id):
            raise NotFound(PAYMENT_NOT_FOUND)
        require_view_organization(actor, payment.organization_id)
        if payment.status != Status.succeeded or payment.lot_id is None:
            return None
        lot = session.get(CreditLot, payment.lot_id)
        expires = lot.expires_at if lot is not None else None
        return HoursAdded((payment.block_minutes or 0) // 60, last_usable_day(expires) if expires else None)


def close_open_checkouts(invoice_id: int, *, at: datetime | None = None) -> int:
    """Expire the open Checkout Sessions of an invoice that may no longer be paid (it was voided).

    Best effort: a session Stripe cannot expire now still ends on its own within 24 hours, and a payment
    that arrives anyway is flagged for staff (see ``_apply_to_invoice``). Returns the sessions closed.
    """
    at = at or utcnow()
    with unit_of_work(write=False) as session:
        open_ids = session.exec(select(Payment.id, Payment.stripe_session_id).where(
            Payment.invoice_id == invoice_id, Payment.status == Status.open,
            Payment.stripe_session_id.is_not(None))).all()
    closed = 0
    for payment_id, session_id in open_ids:
        try:
            checkout = gateway.expire_checkout_session(session_id)
        except (Unavailable, InvalidInput) as exc:
            log.warning("could not expire checkout session %s of payment %s: %s", session_id, payment_id, exc)
            continue
        with unit_of_work() as session:
            if checkout.paid:  # paid just before we asked: apply it (it will be flagged as a problem)
                _complete(session, checkout, "reconcile", None, at)
            else:
                _expire(session, checkout.id, str(payment_id), at)
                closed += 1
    return closed


# --- history ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentRow:
    id: int
    purpose: str
    description: str
    status: str
    amount_minor: int
    currency: str
    created_at: datetime
    completed_at: datetime | None
    invoice_id: int | None
    last_error: str

    @property
    def amount(self) -> str:
        return formats.money(self.amount_minor, self.currency)


def hour_block_purchases(actor: Actor, organization_id: int, *, limit: int = 10) -> list[PaymentRow]:
    """The organization's latest hour-block checkouts, newest first (for the Buy hours page)."""
    invoices.require_invoice_reader(actor, organization_id)
    with unit_of_work(write=False) as session:
        rows = session.exec(select(Payment).where(Payment.organization_id == organization_id,
                                                  Payment.purpose == "hour_block",
                                                  Payment.status != Status.creating)
                            .order_by(Payment.id.desc()).limit(max(1, min(limit, 50)))).all()
        return [PaymentRow(p.id, p.purpose, p.description, p.status, p.amount_minor, p.currency, p.created_at,
                           p.completed_at, p.invoice_id, p.last_error) for p in rows]


def payments_needing_attention(actor: Actor, *, limit: int = 20) -> list[PaymentRow]:
    """Confirmed payments we could not apply as asked (staff: refund or apply them by hand)."""
    require_staff_admin(actor)
    with unit_of_work(write=False) as session:
        rows = session.exec(select(Payment).where(Payment.problem != "").order_by(Payment.id.desc())
                            .limit(limit)).all()
        return [PaymentRow(p.id, p.purpose, p.description, p.status, p.amount_minor, p.currency, p.created_at,
                           p.completed_at, p.invoice_id, p.problem) for p in rows]
