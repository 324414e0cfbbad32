"""Invoice and payment statuses, invoice kinds, and who may see and pay invoices.

The enums are ``StrEnum``: their values are the strings stored in the database.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from opsportal.domain.roles import BILLING_ROLES, Role


class InvoiceStatus(StrEnum):
    """What is stored."""

    draft = "draft"
    open = "open"
    paid = "paid"
    void = "void"


class ShownStatus(StrEnum):
    """What people see: an open invoice is pending until its due date has passed, then overdue."""

    draft = "draft"
    pending = "pending"
    overdue = "overdue"
    paid = "paid"
    void = "void"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class InvoiceKind(StrEnum):
    post_service = "post_service"  # pay-as-you-go time of a billing period
    pre_service = "pre_service"  # work that starts only once this is paid
    hour_block = "hour_block"  # the receipt of a prepaid block (hours or service credits) bought by card

    @property
    def label(self) -> str:
        return {"post_service": "Post-service", "pre_service": "Pre-service", "hour_block": "Prepaid block"}[self.value]


class PaymentStatus(StrEnum):
    """A payment's stored status: ``creating`` until Stripe has given its checkout session, ``open`` while the
    customer may pay it, ``succeeded`` once Stripe confirmed it (or staff recorded a bank transfer), ``expired``
    when its session ended unpaid."""

    creating = "creating"
    open = "open"
    succeeded = "succeeded"
    expired = "expired"


def may_see_invoices(role: Role) -> bool:
    return role.is_staff or role in BILLING_ROLES


def may_pay_invoices(role: Role) -> bool:
    """Paying (and buying hours) is for the customer's billing people, not for the vendor's staff."""
    return role in BILLING_ROLES


def shown_status(status: InvoiceStatus | str, due_date: date | None, today: date) -> ShownStatus:
    status = InvoiceStatus(status)
    if status is InvoiceStatus.open:
        # Due "on" a date means payable through that whole day.
        if due_date is not None and today > due_date:
            return ShownStatus.overdue
        return ShownStatus.pending
    return ShownStatus(status.value)
