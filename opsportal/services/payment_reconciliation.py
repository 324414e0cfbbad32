"""Asking Stripe where a payment stands: the customer's return from Checkout, and the reconciliation that
makes sure a lost webhook never leaves a payment unapplied.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain import formats
from opsportal.domain.hour_blocks import SERVICE_CREDITS
from opsportal.domain.invoices import PaymentStatus
from opsportal.domain.ledger.lots import last_usable_day
from opsportal.models import CreditLot, Invoice, Payment
from opsportal.services import invoice_events, payment_confirmation
from opsportal.services import stripe_gateway as gateway
from opsportal.services.authz import Actor, require_staff_admin, require_view_organization
from opsportal.services.errors import InvalidInput, NotFound, Unavailable
from opsportal.services.invoice_views import require_invoice_reader

log = logging.getLogger(__name__)

PAYMENT_NOT_FOUND = "That payment was not found or you do not have access to it."
ABANDON_CREATING_AFTER = timedelta(hours=24)


def _settle_from_stripe(payment_id: int, session_id: str, source: str, at: datetime) -> str:
    checkout = gateway.retrieve_checkout_session(session_id)
    with unit_of_work() as session:
        if checkout.paid:
            outcome, events = payment_confirmation.confirm(session, checkout, source, None, at)
            invoice_events.dispatch(session, events)
            return outcome
        if checkout.status == "expired":
            return payment_confirmation.expire(session, checkout.id, str(payment_id), at)
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
    at = at or clock.now()
    with unit_of_work(write=False) as session:
        pending = session.exec(select(Payment.id, Payment.stripe_session_id).where(
            Payment.status == PaymentStatus.open, Payment.stripe_session_id.is_not(None),
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
        stale = session.exec(select(Payment).where(Payment.status == PaymentStatus.creating,
                                                   Payment.created_at <= at - ABANDON_CREATING_AFTER)).all()
        for row in stale:
            row.status, row.updated_at = PaymentStatus.expired.value, at
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
    at = at or clock.now()
    session_id = (session_id or "").strip()
    if not session_id or len(session_id) > 255:
        raise NotFound(PAYMENT_NOT_FOUND)
    with unit_of_work(write=False) as session:
        payment = session.exec(select(Payment).where(Payment.stripe_session_id == session_id)).first()
        if payment is None or (not actor.is_staff and payment.organization_id != actor.organization_id):
            raise NotFound(PAYMENT_NOT_FOUND)
        require_invoice_reader(actor, payment.organization_id)
        status, payment_id = payment.status, payment.id
    if ask_stripe and status == PaymentStatus.open:
        try:
            _settle_from_stripe(payment_id, session_id, "return", at)
        except (Unavailable, InvalidInput) as exc:
            log.warning("could not ask Stripe about session %s: %s", session_id, exc)
    with unit_of_work(write=False) as session:
        return _return_status(session, session.get(Payment, payment_id))


@dataclass(frozen=True)
class HoursAdded:
    hours: int  # support hours added (0 for a credit pack)
    usable_through: date | None
    credits: int = 0  # service credits added (0 for hours)


def hours_added(actor: Actor, payment_id: int) -> HoursAdded | None:
    """What a confirmed block payment granted, hours or credits (the checkout success page); None until Stripe
    confirms it."""
    with unit_of_work(write=False) as session:
        payment = session.get(Payment, payment_id)
        if payment is None or payment.purpose != "hour_block" \
                or (not actor.is_staff and payment.organization_id != actor.organization_id):
            raise NotFound(PAYMENT_NOT_FOUND)
        require_view_organization(actor, payment.organization_id)
        if payment.status != PaymentStatus.succeeded or payment.lot_id is None:
            return None
        lot = session.get(CreditLot, payment.lot_id)
        expires = lot.expires_at if lot is not None else None
        usable = last_usable_day(expires) if expires else None
        if payment.block_product == SERVICE_CREDITS:
            return HoursAdded(0, usable, credits=payment.block_quantity or 0)
        return HoursAdded((payment.block_quantity or 0) // 60, usable)
