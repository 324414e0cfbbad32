"""Support-plan purchases: which lines may be bought together (``purchase_problems``) and their price
(``quote``: per 12-month increment, Multi-Regional per additional region, less the best bundle discount).

Money is integer minor units plus an ISO currency, rounded half up; never floats.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from opsportal.domain.plan_catalog import Bundle, Catalog, OfferingCode, OfferingKind, PlanError, code_label
from opsportal.domain.plan_terms import (
    TERM_INCREMENT_MONTHS,
    Entitlement,
    extended_term_problem,
    gold_cover_problem,
    multi_regional_problem,
    overlap_problem,
    term_end,
    term_problem,
)


class OrderStatus(StrEnum):
    """A plan order: one pre-service invoice for its lines, which become entitlements once it is paid."""

    pending = "pending"  # its invoice is not paid yet
    active = "active"  # paid: its entitlements are granted
    cancelled = "cancelled"  # shown only: pending with a voided invoice, never to be activated


def shown_order_status(stored: OrderStatus | str, *, invoice_void: bool) -> OrderStatus:
    """An order still pending whose invoice was voided will never be activated: it reads cancelled."""
    status = OrderStatus(stored)
    return OrderStatus.cancelled if status is OrderStatus.pending and invoice_void else status


@dataclass(frozen=True)
class PurchaseLine:
    code: OfferingCode
    start: date
    months: int = TERM_INCREMENT_MONTHS
    extra_regions: tuple[str, ...] = ()
    versions: tuple[str, ...] = ()

    @property
    def end(self) -> date:
        return term_end(self.start, self.months)

    def entitlement(self, home_region: str) -> Entitlement:
        return Entitlement(self.code, home_region, self.start, self.end, self.extra_regions,
                           tuple(v.strip() for v in self.versions))


def purchase_problems(lines: Sequence[PurchaseLine], *, home_region: str, known_regions: Collection[str],
                      existing: Iterable[Entitlement], catalog: Catalog) -> list[str]:
    """Every reason these lines, bought together, cannot be sold; empty when they can.

    Gold bought in the same purchase counts for the add-ons next to it.
    """
    existing = list(existing)
    if not lines:
        return ["choose at least one offering"]
    problems: list[str] = []
    if home_region not in known_regions:
        problems.append(f"unknown home region {home_region}")
    new_gold = [line.entitlement(home_region) for line in lines
                if line.code is OfferingCode.gold and not term_problem(line.months)]
    accepted: list[Entitlement] = []
    for line in lines:
        label = line.code.label
        if catalog.find(line.code) is None:
            problems.append(f"{label} is not in the catalog")
            continue
        if line.code.kind is OfferingKind.incident:
            problems.append(f"{label} is paid per incident before the service, not bought for a term")
            continue
        if problem := term_problem(line.months):
            problems.append(f"{label}: {problem}")
            continue
        if line.code.kind is OfferingKind.addon and (
                problem := gold_cover_problem(line.start, line.end, home_region, existing + new_gold)):
            problems.append(f"{label}: {problem}")
        if line.code is OfferingCode.multi_regional and (
                problem := multi_regional_problem(line.extra_regions, home_region, known_regions)):
            problems.append(problem)
        if line.code is OfferingCode.extended_term and (problem := extended_term_problem(line.versions)):
            problems.append(problem)
        entitlement = line.entitlement(home_region)
        if problem := overlap_problem(entitlement, existing + accepted):
            problems.append(problem)
        accepted.append(entitlement)
    return problems


# ------------------------------------------------------------------------------------------ prices


def discount_of(amount_minor: int, discount_bp: int) -> int:
    """``discount_bp`` basis points of an amount, rounded half up to the minor unit."""
    if amount_minor < 0 or discount_bp < 0:
        raise ValueError("amount and discount must not be negative")
    return (amount_minor * discount_bp * 2 + 10_000) // 20_000


def line_price(line: PurchaseLine, catalog: Catalog) -> int:
    """Price per 12 months times the number of increments; Multi-Regional is priced per additional region."""
    if problem := term_problem(line.months):
        raise PlanError(problem)
    offering = catalog.offering(line.code)
    if offering.kind is OfferingKind.incident:
        raise PlanError(f"{offering.name} is priced per time unit, not per term")
    per_term = offering.price_minor * (line.months // TERM_INCREMENT_MONTHS)
    if line.code is OfferingCode.multi_regional:
        return per_term * max(1, len(line.extra_regions))
    return per_term


def bundle_problem(bundle: Bundle, lines: Sequence[PurchaseLine]) -> str | None:
    """Why the bundle's discount does not apply to these lines, or None when it does.

    Conditions: every add-on of the bundle is in this purchase, and all of them start on the same day and
    run for the same term.
    """
    missing = sorted(bundle.addons - {line.code for line in lines})
    if missing:
        return f"{bundle.name} also needs {', '.join(code_label(c) for c in missing)} in the same purchase"
    bundled = [line for line in lines if line.code in bundle.addons]
    if len({(line.start, line.months) for line in bundled}) > 1:
        return f"{bundle.name} applies when its add-ons start on the same day and run for the same term"
    return None


@dataclass(frozen=True)
class Quote:
    currency: str
    lines: tuple[tuple[PurchaseLine, int], ...]  # each line with its price before discount
    bundle: Bundle | None
    subtotal_minor: int
    discount_minor: int
    total_minor: int


def quote(lines: Sequence[PurchaseLine], catalog: Catalog) -> Quote:
    """The price of a purchase: each line's price, less the one bundle discount worth most (bundles don't stack).

    The discount is taken off the bundled add-ons' total (not per line), rounded half up.
    """
    priced = tuple((line, line_price(line, catalog)) for line in lines)
    best: tuple[int, Bundle] | None = None
    for bundle in catalog.bundles:
        if bundle_problem(bundle, lines) is None:
            bundled = sum(price for line, price in priced if line.code in bundle.addons)
            discount = discount_of(bundled, bundle.discount_bp)
            if best is None or discount > best[0]:
                best = (discount, bundle)
    subtotal = sum(price for _, price in priced)
    discount = best[0] if best else 0
    return Quote(catalog.currency, priced, best[1] if best else None, subtotal, discount, subtotal - discount)
