"""Stripe Checkout Sessions: starting one to pay an invoice or buy an hour block, and closing the ones an invoice
no longer needs.

Stripe is never called inside a database transaction: a payment row is written first (with its
idempotency key), Stripe is asked, then the answer is stored.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlmodel import select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import hour_blocks as block_rules
from opsportal.domain import invoices as rules
from opsportal.domain.invoices import InvoiceKind, InvoiceStatus, PaymentStatus
from opsportal.models import HourBlock, Invoice, Organization, Payment
from opsportal.services import payment_confirmation
from opsportal.services import stripe_gateway as gateway
from opsportal.services.authz import Actor, require_view_organization
from opsportal.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Unavailable
from opsportal.services.invoice_issuing import INVOICE_NOT_FOUND, tax_settings
from opsportal.settings import get_settings

log = logging.getLogger(__name__)

PAYERS_ONLY = ("Only the organization's owners, administrators and billing contacts can pay or buy hours and "
               "service credits.")
# A Checkout Session lives 24 hours; one younger than this is offered again instead of a new one.
REUSE_SESSION_FOR = timedelta(hours=23)
SUCCESS_PATH = "/billing/checkout/success"


@dataclass(frozen=True)
class CheckoutStart:
    payment_id: int
    url: str


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
        if row.status == PaymentStatus.creating:
            row.status = PaymentStatus.open.value
        row.last_error, row.updated_at = "", at
        session.add(row)
    return CheckoutStart(payment_id, created.url)


@dataclass(frozen=True)
class PendingPayment:
    payment_id: int
    amount_minor: int
    currency: str
    checkout_url: str  # "" until Stripe has given it a checkout page


def _pending(payment: Payment) -> PendingPayment:
    url = payment.checkout_url if payment.status == PaymentStatus.open and payment.checkout_url else ""
    return PendingPayment(payment.id, payment.amount_minor, payment.currency, url)


def _checkout(actor: Actor, pending: PendingPayment, cancel_path: str, return_base: str | None,
              at: datetime) -> CheckoutStart:
    """The payment's checkout page: the one Stripe already gave it, else a new Checkout Session."""
    if pending.checkout_url:
        return CheckoutStart(pending.payment_id, pending.checkout_url)
    return _create_session(pending.payment_id, cancel_path=cancel_path, return_base=return_base,
                           email=actor.email, at=at)


def open_invoice_payment(actor: Actor, invoice_id: int, *, at: datetime | None = None) -> PendingPayment:
    """The payment a checkout for what is still owed on an invoice is for (Stripe is not asked:
    ``start_invoice_checkout`` does that); an unexpired one for the same amount is continued."""
    at = at or clock.now()
    with unit_of_work() as session:
        inv = session.exec(select(Invoice).where(Invoice.id == invoice_id).with_for_update()).first()
        if inv is None or (not actor.is_staff and inv.organization_id != actor.organization_id) \
                or inv.status in (InvoiceStatus.draft, InvoiceStatus.void):
            raise NotFound(INVOICE_NOT_FOUND)
        _require_payer(actor, inv.organization_id)
        if inv.status == InvoiceStatus.paid:
            raise Conflict(f"Invoice {inv.number} is already paid.")
        owed = rules.outstanding(inv.total_minor, inv.amount_paid_minor)
        if owed <= 0:
            raise Conflict(f"Nothing is owed on invoice {inv.number}.")
        existing = session.exec(
            select(Payment).where(Payment.invoice_id == inv.id, Payment.purpose == "invoice",
                                  Payment.status.in_((PaymentStatus.creating, PaymentStatus.open)),
                                  Payment.amount_minor == owed, Payment.created_at > at - REUSE_SESSION_FOR)
            .order_by(Payment.id.desc())).first()
        if existing is None:
            existing = Payment(organization_id=inv.organization_id, purpose="invoice",
                               status=PaymentStatus.creating.value, invoice_id=inv.id, amount_minor=owed,
                               currency=inv.currency,
                               description=f"Invoice {inv.number}", idempotency_key=f"opsportal-{uuid.uuid4()}",
                               created_by_user_id=actor.user_id or None, created_at=at, updated_at=at)
            session.add(existing)
            session.flush()
        return _pending(existing)


def start_invoice_checkout(actor: Actor, invoice_id: int, *, return_base: str | None = None,
                           at: datetime | None = None) -> CheckoutStart:
    """A Stripe Checkout Session for what is still owed on an invoice (an unexpired one is offered again)."""
    at = at or clock.now()
    return _checkout(actor, open_invoice_payment(actor, invoice_id, at=at),
                     f"/billing/invoices/{invoice_id}?checkout=cancelled", return_base, at)


def _terms(block: HourBlock) -> block_rules.BlockTerms:
    return block_rules.BlockTerms(block.quantity, block.price_minor, block.validity_days, block.product_code)


def open_hour_block_payment(actor: Actor, block_id: int, *, at: datetime | None = None) -> PendingPayment:
    """The payment a checkout for one block (hours, or a pack of service credits) is for, at today's catalog price
    plus the organization's tax (Stripe is not asked: ``start_hour_block_checkout`` does that). The lot is granted
    when it is confirmed."""
    at = at or clock.now()
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
        price = rules.priced(InvoiceKind.hour_block, tax_settings(org), block.price_minor)
        # A double click (same block, same person, a few minutes apart) continues the same checkout.
        existing = session.exec(
            select(Payment).where(Payment.organization_id == org.id, Payment.purpose == "hour_block",
                                  Payment.hour_block_id == block.id, Payment.created_by_user_id == actor.user_id,
                                  Payment.status.in_((PaymentStatus.creating, PaymentStatus.open)),
                                  Payment.amount_minor == price.total_minor,
                                  Payment.created_at > at - timedelta(minutes=10))
            .order_by(Payment.id.desc())).first()
        if existing is None:
            existing = Payment(organization_id=org.id, purpose="hour_block", status=PaymentStatus.creating.value,
                               amount_minor=price.total_minor, currency=org.currency,
                               description=block_rules.purchase_description(block.name, _terms(block)),
                               hour_block_id=block.id, block_product=block.product_code,
                               block_quantity=block.quantity,
                               block_price_minor=block.price_minor, block_validity_days=block.validity_days,
                               tax_rate_bp=price.tax_rate_bp, idempotency_key=f"opsportal-{uuid.uuid4()}",
                               created_by_user_id=actor.user_id or None, created_at=at, updated_at=at)
            session.add(existing)
            session.flush()
        return _pending(existing)


def start_hour_block_checkout(actor: Actor, block_id: int, *, return_base: str | None = None,
                              at: datetime | None = None) -> CheckoutStart:
    """A Stripe Checkout Session for one block (hours or credits) at today's catalog price plus the organization's
    tax."""
    at = at or clock.now()
    return _checkout(actor, open_hour_block_payment(actor, block_id, at=at), "/billing/hours?checkout=cancelled",
                     return_base, at)


# --- applying what Stripe confirms -----------------------------------------------------------------------


# --- closing ---------------------------------------------------------------------------------------------


def expire_open_checkouts(invoice_id: int, *, at: datetime) -> tuple[int, list[gateway.CheckoutSession]]:
    """Expire the open Checkout Sessions of an invoice that may no longer be paid (it was voided, or paid).

    Best effort: a session Stripe cannot expire now still ends on its own within 24 hours, and a payment
    that arrives anyway is flagged for staff. Returns the sessions closed, and those Stripe says were paid
    just before we asked (``invoice_events.close_open_checkouts`` applies them).
    """
    with unit_of_work(write=False) as session:
        open_ids = session.exec(select(Payment.id, Payment.stripe_session_id).where(
            Payment.invoice_id == invoice_id, Payment.status == PaymentStatus.open,
            Payment.stripe_session_id.is_not(None))).all()
    closed, paid = 0, []
    for payment_id, session_id in open_ids:
        try:
            checkout = gateway.expire_checkout_session(session_id)
        except (Unavailable, InvalidInput) as exc:
            log.warning("could not expire checkout session %s of payment %s: %s", session_id, payment_id, exc)
            continue
        if checkout.paid:
            paid.append(checkout)
            continue
        with unit_of_work() as session:
            payment_confirmation.expire(session, checkout.id, str(payment_id), at)
        closed += 1
    return closed, paid
