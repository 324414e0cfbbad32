"""The prepaid-block catalog: blocks of support hours and packs of service credits, sold by card with volume
pricing and a validity period. A block sells one ledger product: ``support_hours`` (whole hours, held as minutes)
or ``service_credits`` (whole credits)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

SUPPORT_HOURS = "support_hours"
SERVICE_CREDITS = "service_credits"
BLOCK_PRODUCTS = (SUPPORT_HOURS, SERVICE_CREDITS)
MIN_VALIDITY_DAYS = 30
MAX_VALIDITY_DAYS = 3 * 366
MAX_BLOCK_MINUTES = 1_000 * 60
MAX_PACK_CREDITS = 100_000
# A shortfall that needs more packs than this is not offered as packs: the customer asks the support team instead.
MAX_PACKS_OFFERED = 10


@dataclass(frozen=True)
class BlockTerms:
    quantity: int  # in the product's ledger unit: minutes of support hours, or credits
    price_minor: int
    validity_days: int
    product: str = SUPPORT_HOURS


def units(terms: BlockTerms) -> int:
    """What the customer counts: hours of a block of support hours, credits of a pack."""
    return terms.quantity // 60 if terms.product == SUPPORT_HOURS else terms.quantity


def block_problem(terms: BlockTerms) -> str | None:
    """Why these terms cannot be sold, or None."""
    if terms.product not in BLOCK_PRODUCTS:
        return "a block sells support hours or service credits"
    if terms.product == SUPPORT_HOURS:
        if terms.quantity <= 0 or terms.quantity % 60:
            return "a block is a whole number of hours"
        if terms.quantity > MAX_BLOCK_MINUTES:
            return f"a block has at most {MAX_BLOCK_MINUTES // 60:,} hours"
    elif not 1 <= terms.quantity <= MAX_PACK_CREDITS:
        return f"a pack has 1 to {MAX_PACK_CREDITS:,} credits"
    if terms.price_minor <= 0:
        return "the price must be more than zero"
    if not MIN_VALIDITY_DAYS <= terms.validity_days <= MAX_VALIDITY_DAYS:
        return f"validity must be {MIN_VALIDITY_DAYS} to {MAX_VALIDITY_DAYS} days"
    return None


def per_unit_minor(terms: BlockTerms) -> int:
    """The price of one hour (or one credit) in the block, rounded half up (for showing the volume discount)."""
    count = units(terms)
    return (terms.price_minor * 2 + count) // (2 * count)


def discount_percent(terms: BlockTerms, reference: BlockTerms) -> int:
    """Whole per cent saved per unit against the reference (usually the smallest) block; 0 if none."""
    ref, own = per_unit_minor(reference), per_unit_minor(terms)
    if ref <= 0 or own >= ref:
        return 0
    return (ref - own) * 100 // ref


def purchase_description(name: str, terms: BlockTerms) -> str:
    """What the checkout, the receipt and the purchase list call a block bought."""
    what = f"{units(terms):,} service credits" if terms.product == SERVICE_CREDITS else \
        f"{units(terms):,} hours of support"
    return f"{name} ({what})"


def expiry_of_purchase(paid_on: date, validity_days: int) -> date:
    """A purchased block is usable through the last day of its validity, counting the day of payment."""
    return paid_on + timedelta(days=validity_days - 1)


def packs_covering(missing: int, packs: dict[int, int]) -> list[int]:
    """The packs (id -> credits) to buy for ``missing`` credits, as ids, one per pack bought: the smallest pack
    that covers them alone; else as many of the largest as needed, then the smallest covering the rest. Empty when
    nothing is missing, no pack is on sale, or it would take more than ``MAX_PACKS_OFFERED`` packs."""
    chosen = _covering(missing, packs)
    return chosen if len(chosen) <= MAX_PACKS_OFFERED else []


def _covering(missing: int, packs: dict[int, int]) -> list[int]:
    if missing <= 0 or not packs:
        return []
    by_size = sorted(packs, key=lambda i: (packs[i], i))
    alone = next((i for i in by_size if packs[i] >= missing), None)
    if alone is not None:
        return [alone]
    largest = by_size[-1]
    times, rest = divmod(missing, packs[largest])
    return [largest] * times + _covering(rest, packs)
