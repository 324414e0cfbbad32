"""Invoices: statuses, numbering, tax and totals, billing periods, and who may see and pay them.

Money is integer minor units of the invoice's currency; time is integer minutes.

The tax rule (``invoice_tax_rate``; every service that prices or issues an invoice asks it):

- Every invoice of an organization carries tax at the organization's tax rate, whatever it bills: an
  hour-block purchase, a support-plan term, a pay-per-incident request, pay-as-you-go time of a month, or
  work staff bill up front. No kind of invoice is exempt and none has a rate of its own.
- The rate is a setting of the organization (``organization.tax_rate_bp``) that only staff administrators
  change; zero means the organization is not charged tax (tax-exempt, reverse charge, no sales tax), and
  then no invoice of it carries tax. The tax ID a customer enters is printed on its invoices and changes
  nothing in the amounts.
- Tax is computed once on the invoice's subtotal (not per line), rounded half up to the minor unit.
- The rate that counts is the one in force when the amount is fixed for the customer: when an invoice is
  issued (a draft takes the rate of the day it is issued), and for an hour block when its checkout starts
  (the receipt carries exactly what was charged). An issued invoice keeps its rate.
- What a customer is shown before paying (hour blocks, plan terms, pay-per-incident) is priced by the same
  rule (``priced``), so checkout asks for exactly the total shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from opsportal.domain.percent import format_bp, parse_bp
from opsportal.domain.roles import BILLING_ROLES, Role

MAX_TAX_RATE_BP = 5_000  # 50.00 %: anything higher is a typing mistake
MAX_TERMS_DAYS = 120
NUMBER_PREFIX = "INV"


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
    hour_block = "hour_block"  # the receipt of an hour-block purchase

    @property
    def label(self) -> str:
        return {"post_service": "Post-service", "pre_service": "Pre-service", "hour_block": "Hour block"}[self.value]


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


def format_number(year: int, sequence: int) -> str:
    """``2026, 42`` -> ``INV-2026-00042``: numbers run without gaps within a year."""
    if sequence < 1:
        raise ValueError("invoice sequence numbers start at 1")
    return f"{NUMBER_PREFIX}-{year}-{sequence:05d}"


_WHOLE_NUMBER = re.compile(r"^INV-\d{4}-\d{5,}$")


def whole_number(text: str) -> str | None:
    """A search that is a whole invoice number (any case, e.g. ``inv-2026-00042``) as stored, else None:
    such a search is answered by the unique index on the number instead of a scan."""
    candidate = (text or "").strip().upper()
    return candidate if _WHOLE_NUMBER.match(candidate) else None


def tax_of(subtotal_minor: int, rate_bp: int) -> int:
    """Tax at ``rate_bp`` basis points (2000 = 20.00 %), rounded half up to the minor unit."""
    if subtotal_minor < 0 or rate_bp < 0:
        raise ValueError("subtotal and tax rate must not be negative")
    return (subtotal_minor * rate_bp * 2 + 10_000) // 20_000


def format_tax_rate(rate_bp: int) -> str:
    """``2000`` -> ``20%``, ``1950`` -> ``19.5%``, ``825`` -> ``8.25%``."""
    return format_bp(rate_bp) + "%"


def parse_tax_rate(text: str) -> int:
    """``"20"``, ``"20%"``, ``"8.25"`` -> basis points; ValueError with a readable reason otherwise."""
    try:
        rate = parse_bp(text)
    except ValueError:
        raise ValueError("enter a tax rate such as 20 or 8.25 (per cent)") from None
    if rate > MAX_TAX_RATE_BP:
        raise ValueError(f"the tax rate must be at most {format_tax_rate(MAX_TAX_RATE_BP)}")
    return rate


@dataclass(frozen=True)
class TaxSettings:
    """What of an organization decides the tax on its invoices."""

    rate_bp: int  # basis points, 0 to MAX_TAX_RATE_BP; 0: the organization is not charged tax

    def __post_init__(self) -> None:
        if isinstance(self.rate_bp, bool) or not isinstance(self.rate_bp, int) \
                or not 0 <= self.rate_bp <= MAX_TAX_RATE_BP:
            raise ValueError(f"a tax rate is 0 to {format_tax_rate(MAX_TAX_RATE_BP)}")


def invoice_tax_rate(kind: InvoiceKind | str, settings: TaxSettings) -> int:
    """The tax rate (basis points) an invoice of ``kind`` carries: the organization's, for every kind.

    The one place that decides which invoices carry tax (see the module's docstring); ``kind`` is taken so
    that no caller can decide by kind on its own.
    """
    InvoiceKind(kind)  # an unknown kind is a mistake, not an untaxed invoice
    return settings.rate_bp


def priced(kind: InvoiceKind | str, settings: TaxSettings, subtotal_minor: int) -> Totals:
    """What a customer is shown and charged for ``subtotal_minor`` of ``kind``: the subtotal, its tax, the total."""
    rate = invoice_tax_rate(kind, settings)
    tax = tax_of(subtotal_minor, rate)
    return Totals(subtotal_minor, rate, tax, subtotal_minor + tax)


@dataclass(frozen=True)
class LineDraft:
    description: str
    quantity: int  # minutes when unit is "minute", otherwise a count
    unit: str  # "minute" | "each"
    unit_price_minor: int  # per hour when unit is "minute", per item otherwise
    amount_minor: int


def time_line(description: str, minutes: int, hourly_rate_minor: int, amount_minor: int) -> LineDraft:
    """A line for logged time; its amount is the sum of the entries' frozen pay-as-you-go amounts."""
    if minutes <= 0:
        raise ValueError("a time line needs a positive number of minutes")
    return LineDraft(description, minutes, "minute", hourly_rate_minor, amount_minor)


def item_line(description: str, count: int, unit_price_minor: int) -> LineDraft:
    if count <= 0 or unit_price_minor < 0:
        raise ValueError("an item line needs a positive count and a price that is not negative")
    return LineDraft(description, count, "each", unit_price_minor, count * unit_price_minor)


@dataclass(frozen=True)
class Totals:
    subtotal_minor: int
    tax_rate_bp: int
    tax_minor: int
    total_minor: int


def totals(lines: Iterable[LineDraft], tax_rate_bp: int) -> Totals:
    """Tax is computed once on the subtotal (not per line), so lines never add up to a cent off."""
    subtotal = sum(line.amount_minor for line in lines)
    tax = tax_of(subtotal, tax_rate_bp)
    return Totals(subtotal, tax_rate_bp, tax, subtotal + tax)


def outstanding(total_minor: int, amount_paid_minor: int) -> int:
    return max(0, total_minor - amount_paid_minor)


def due_date(issue_date: date, terms_days: int) -> date:
    if not 0 <= terms_days <= MAX_TERMS_DAYS:
        raise ValueError(f"payment terms must be 0 to {MAX_TERMS_DAYS} days")
    return issue_date + timedelta(days=terms_days)


@dataclass(frozen=True)
class BillingPeriod:
    year: int
    month: int

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        following = date(self.year + self.month // 12, self.month % 12 + 1, 1)
        return following - timedelta(days=1)

    @property
    def label(self) -> str:
        return self.first_day.strftime("%B %Y")


_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


def parse_period(text: str) -> BillingPeriod:
    """``"2026-10"`` -> the period; ValueError with a readable reason otherwise."""
    match = _PERIOD.match((text or "").strip())
    if not match:
        raise ValueError("give the billing period as YYYY-MM, e.g. 2026-10")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or year < 2000:
        raise ValueError("give the billing period as YYYY-MM, e.g. 2026-10")
    return BillingPeriod(year, month)


def period_before(day: date) -> BillingPeriod:
    first = day.replace(day=1) - timedelta(days=1)
    return BillingPeriod(first.year, first.month)


def billable_problem(period: BillingPeriod, today: date) -> str | None:
    """A period is billed once it has ended: billing it earlier would leave later time of it unbilled."""
    if period.last_day >= today:
        return f"{period.label} has not ended yet; bill it from {period.last_day + timedelta(days=1):%Y-%m-%d}"
    return None


def checkout_mismatch(*, expected_amount: int, expected_currency: str, expected_payment_id: int,
                      amount: int | None, currency: str | None, payment_id: str | None) -> str | None:
    """Why a confirmed Stripe payment does not match what we asked for, or None when it does."""
    if str(expected_payment_id) != str(payment_id or ""):
        return f"the payment reference {payment_id!r} is not payment {expected_payment_id}"
    if (currency or "").upper() != expected_currency.upper():
        return f"currency {currency!r} differs from {expected_currency}"
    if amount != expected_amount:
        return f"amount {amount} differs from the {expected_amount} asked for"
    return None
