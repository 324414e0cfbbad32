"""What the credit list shows of a lot beyond its balance (seed 002, the Kaizen Platform credit list).

A credit shows its service usage period (from its grant through its last usable day, or without end) unless its
product hides it (Kaizen Platform Jumpstart); the number of offers it carries when its product carries some
("w/ 7 Tokens": 7 tokens a credit); and its credit holder: for products that are never allocated (Kaizen Platform
Enterprise, Demo, Jumpstart) "All organizations", whatever the holder and whoever reads the list; for the others the
holding organization, with where the lot is allocated beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from opsportal.domain.ledger.lots import last_usable_day
from opsportal.domain.ledger.products import Product

ALL_ORGANIZATIONS = "All organizations"


@dataclass(frozen=True)
class UsagePeriod:
    starts: datetime  # the grant: a day in the reader's time zone, like the list's "Granted"
    last_day: date | None  # the last usable UTC day; None: no end


def usage_period(product: Product, granted_at: datetime, expires_at: datetime | None) -> UsagePeriod | None:
    """The lot's service usage period, or None when its product does not show one."""
    if not product.shows_usage_period:
        return None
    return UsagePeriod(starts=granted_at, last_day=last_usable_day(expires_at) if expires_at else None)


def offers(product: Product, credits: int) -> int | None:
    """The offers (tokens) ``credits`` credits of the product carry; None for products that carry none."""
    if product.tokens_per_credit <= 0:
        return None
    return product.tokens_per_credit * max(credits, 0)


def credit_holder(product: Product, holder_name: str) -> str:
    """The "Credit holder" column: "All organizations" for credits that are never allocated (they are shared with
    all organizations when issued, whatever the organization's place in its tree), else the holder's name."""
    return holder_name if product.allocatable else ALL_ORGANIZATIONS


def needs_allocation(product: Product) -> bool:
    """Whether the list offers to allocate the product's lots at all (platform credits are never allocated)."""
    return product.allocatable
