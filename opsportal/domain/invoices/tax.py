"""The tax rule, invoice lines and totals. Money is integer minor units of the invoice's currency.

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

from collections.abc import Iterable
from dataclasses import dataclass

from opsportal.domain.invoices.statuses import InvoiceKind
from opsportal.domain.percent import format_bp, parse_bp

MAX_TAX_RATE_BP = 5_000  # 50.00 %: anything higher is a typing mistake


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
