"""The invoice as an aggregate: its transitions (issue, record a payment, mark paid, void), their guards, and
the events each transition returns.

A transition takes the invoice's state and returns the new state with its events; it never writes anything.
Services apply the state to the stored invoice and hand the events to ``services.invoice_events``, which
routes them (an invoice paid activates what it bought; an invoice voided gives its time back).

The rules:

- A draft is issued once: it gets its number, issue date and due date, and becomes open.
- Only an open invoice takes payments. A payment that arrives for a draft, paid or void invoice changes
  nothing on the invoice and is flagged for staff (refund it or apply it elsewhere).
- Payments add up; the invoice is paid when they reach its total, at that moment and exactly once (a paid
  invoice takes no more payments). Paying more than the total is flagged (refund the difference).
- Staff mark an open invoice paid (a bank transfer, or the receipt of an hour block bought through Checkout):
  what is still owed is paid at once; a payment date before the issue date is refused.
- An unpaid invoice (draft or open, nothing paid on it) can be voided, with a reason; a paid or void one
  cannot. Paid and void are final.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from opsportal.domain import formats
from opsportal.domain.invoices.statuses import InvoiceKind, InvoiceStatus
from opsportal.domain.invoices.tax import outstanding

MAX_TERMS_DAYS = 120
VOID_REASON_LENGTH = (3, 300)


def due_date(issue_date: date, terms_days: int) -> date:
    if not 0 <= terms_days <= MAX_TERMS_DAYS:
        raise ValueError(f"payment terms must be 0 to {MAX_TERMS_DAYS} days")
    return issue_date + timedelta(days=terms_days)


class Refused(Exception):
    """A transition the invoice's rules refuse; the message is the sentence to show.

    ``bad_input``: what was asked is wrong (a date, a reason) rather than the invoice's state.
    """

    def __init__(self, message: str, *, bad_input: bool = False) -> None:
        super().__init__(message)
        self.bad_input = bad_input


class PaidThrough(StrEnum):
    checkout = "checkout"  # Stripe confirmed a Checkout payment (an invoice, or the receipt of an hour block)
    bank_transfer = "bank_transfer"  # staff recorded money that did not come through Stripe


@dataclass(frozen=True)
class InvoicePaid:
    invoice_id: int
    kind: InvoiceKind
    at: datetime
    through: PaidThrough
    payment_id: int | None = None  # the payment that completed it, when one row did


@dataclass(frozen=True)
class InvoiceVoided:
    invoice_id: int
    at: datetime


@dataclass(frozen=True)
class PaymentFlagged:
    """A confirmed payment the invoice could not take as asked: staff refund it or apply it by hand."""

    invoice_id: int
    payment_id: int
    problem: str


Event = InvoicePaid | InvoiceVoided | PaymentFlagged


@dataclass(frozen=True)
class InvoiceState:
    """What of an invoice its lifecycle reads and changes (money in minor units of ``currency``)."""

    id: int
    kind: InvoiceKind
    status: InvoiceStatus
    currency: str
    total_minor: int
    amount_paid_minor: int = 0
    number: str | None = None
    issue_date: date | None = None
    due_date: date | None = None
    paid_at: datetime | None = None
    voided_at: datetime | None = None
    void_reason: str = ""

    @property
    def owed_minor(self) -> int:
        return outstanding(self.total_minor, self.amount_paid_minor) if self.status is InvoiceStatus.open else 0


@dataclass(frozen=True)
class Transition:
    invoice: InvoiceState
    events: tuple[Event, ...] = ()


def issue(invoice: InvoiceState, *, number: str, issue_on: date, terms_days: int) -> Transition:
    """A draft becomes open: numbered, dated, due ``terms_days`` later."""
    if invoice.status is not InvoiceStatus.draft:
        raise Refused(f"Invoice {invoice.number} is already issued.")
    return Transition(replace(invoice, status=InvoiceStatus.open, number=number, issue_date=issue_on,
                              due_date=due_date(issue_on, terms_days)))


def record_payment(invoice: InvoiceState, *, payment_id: int, amount_minor: int, at: datetime) -> Transition:
    """A payment Stripe confirmed: it adds to what is paid; reaching the total pays the invoice (once)."""
    if amount_minor <= 0:
        raise ValueError("a payment is a positive amount")
    if invoice.status is not InvoiceStatus.open:
        return Transition(invoice, (PaymentFlagged(invoice.id, payment_id, (
            f"Invoice {invoice.number} was already {invoice.status} when this payment arrived: "
            "refund it or apply it elsewhere.")),))
    paid = invoice.amount_paid_minor + amount_minor
    events: list[Event] = []
    if paid > invoice.total_minor:
        over = formats.money(paid - invoice.total_minor, invoice.currency)
        events.append(PaymentFlagged(invoice.id, payment_id,
                                     f"Invoice {invoice.number} is overpaid by {over}: refund the difference."))
    state = replace(invoice, amount_paid_minor=paid)
    if paid >= invoice.total_minor:
        state = replace(state, status=InvoiceStatus.paid, paid_at=at)
        events.append(InvoicePaid(invoice.id, invoice.kind, at, PaidThrough.checkout, payment_id))
    return Transition(state, tuple(events))


def mark_paid(invoice: InvoiceState, *, at: datetime, through: PaidThrough,
              payment_id: int | None = None) -> Transition:
    """What is still owed on an open invoice is paid at ``at`` (not before its issue date)."""
    if invoice.status is InvoiceStatus.paid:
        raise Refused(f"Invoice {invoice.number} is already paid.")
    if invoice.status is InvoiceStatus.draft:
        raise Refused("Issue the draft before marking it paid.")
    if invoice.status is InvoiceStatus.void:
        raise Refused(f"Invoice {invoice.number} is void; it cannot be marked paid.")
    if invoice.issue_date is not None and at.date() < invoice.issue_date:
        raise Refused(f"The payment date cannot be before the invoice's issue date, {formats.day(invoice.issue_date)}.",
                      bad_input=True)
    if invoice.owed_minor <= 0:
        raise Refused(f"Nothing is owed on invoice {invoice.number}.")
    return Transition(replace(invoice, status=InvoiceStatus.paid, amount_paid_minor=invoice.total_minor, paid_at=at),
                      (InvoicePaid(invoice.id, invoice.kind, at, through, payment_id),))


def void_reason(text: str | None) -> str:
    """The reason given for voiding, its spaces tidied; refused unless 3 to 300 characters."""
    reason = " ".join((text or "").split())
    low, high = VOID_REASON_LENGTH
    if not low <= len(reason) <= high:
        raise Refused(f"Give a reason of {low} to {high} characters for voiding the invoice.", bad_input=True)
    return reason


def void(invoice: InvoiceState, *, reason: str, at: datetime) -> Transition:
    """An unpaid invoice is voided; nothing may be paid on it any more."""
    reason = void_reason(reason)
    if invoice.status is InvoiceStatus.void:
        raise Refused(f"Invoice {invoice.number} is already void.")
    if invoice.status is InvoiceStatus.paid or invoice.amount_paid_minor > 0:
        raise Refused("A paid invoice cannot be voided; refund the payment instead.")
    return Transition(replace(invoice, status=InvoiceStatus.void, voided_at=at, void_reason=reason),
                      (InvoiceVoided(invoice.id, at),))
