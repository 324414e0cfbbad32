"""The hour-block catalog: blocks of prepaid support hours with volume pricing and a validity period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

MIN_VALIDITY_DAYS = 30
MAX_VALIDITY_DAYS = 3 * 366
MAX_BLOCK_MINUTES = 1_000 * 60


@dataclass(frozen=True)
class BlockTerms:
    minutes: int
    price_minor: int
    validity_days: int


def block_problem(terms: BlockTerms) -> str | None:
    """Why these terms cannot be sold, or None."""
    if terms.minutes <= 0 or terms.minutes % 60:
        return "a block is a whole number of hours"
    if terms.minutes > MAX_BLOCK_MINUTES:
        return f"a block has at most {MAX_BLOCK_MINUTES // 60:,} hours"
    if terms.price_minor <= 0:
        return "the price must be more than zero"
    if not MIN_VALIDITY_DAYS <= terms.validity_days <= MAX_VALIDITY_DAYS:
        return f"validity must be {MIN_VALIDITY_DAYS} to {MAX_VALIDITY_DAYS} days"
    return None


def per_hour_minor(terms: BlockTerms) -> int:
    """The price of one hour in the block, rounded half up (for showing the volume discount)."""
    hours = terms.minutes // 60
    return (terms.price_minor * 2 + hours) // (2 * hours)


def discount_percent(terms: BlockTerms, reference: BlockTerms) -> int:
    """Whole per cent saved per hour against the reference (usually the smallest) block; 0 if none."""
    ref, own = per_hour_minor(reference), per_hour_minor(terms)
    if ref <= 0 or own >= ref:
        return 0
    return (ref - own) * 100 // ref


def expiry_of_purchase(paid_on: date, validity_days: int) -> date:
    """A purchased block is usable through the last day of its validity, counting the day of payment."""
    return paid_on + timedelta(days=validity_days - 1)
