"""What a customer can buy now, and why not: the offers the plans page shows, decided before any form is filled.

Built on the purchase rules (``domain.plan_purchase``), never beside them: an offer is buyable only when
``purchase_problems`` accepts exactly the lines it would order, so what the page offers is what the order
service accepts.

- An add-on (or bundle) that Gold Support already carries for its whole term is offered as it is.
- An add-on that would outlive Gold, or that has no Gold under it, is offered together with the shortest Gold
  term that carries it (renewing Gold from the day it ends, or buying it from the add-on's first day): one order,
  one payment, both prices shown. The seed: add-ons are "an add-on to Gold Support and cannot be purchased in
  lieu of Gold Support".
- Anything else that breaks a rule (already held, an unknown region…) is not offered; the reason is shown.
- Pay-per-incident options are offered only with Gold Support in force in the home region today; emergency
  support only while nothing covers the organization (otherwise a regular ticket is the way in).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from opsportal.domain import formats
from opsportal.domain.coverage import Coverage
from opsportal.domain.plan_catalog import Bundle, Catalog, OfferingCode, OfferingKind
from opsportal.domain.plan_purchase import PurchaseLine, Quote, purchase_problems, quote
from opsportal.domain.plan_terms import (
    MAX_TERM_MONTHS,
    TERM_INCREMENT_MONTHS,
    Entitlement,
    gold_covered_until,
    term_end,
)


class OfferState(StrEnum):
    buyable = "buyable"  # one order of exactly what was asked for
    with_gold = "with_gold"  # one order: Gold Support (a renewal or a first term) and what was asked for
    blocked = "blocked"  # not sold to this customer now; the reason says why


@dataclass(frozen=True)
class Offer:
    state: OfferState
    lines: tuple[PurchaseLine, ...]  # the one order to place; empty when blocked
    quote: Quote | None  # its price; None when blocked
    gold: PurchaseLine | None  # the Gold term added to the order (state with_gold)
    reason: str  # blocked: why not; with_gold: why Gold is in the order

    @property
    def buyable(self) -> bool:
        return self.state is not OfferState.blocked


def gold_to_add(lines: Sequence[PurchaseLine], *, home_region: str,
                existing: Iterable[Entitlement]) -> PurchaseLine | None:
    """The shortest Gold term that, bought with ``lines``, carries their add-ons for their whole terms.

    It starts where Gold (renewals included) stops covering the add-ons' first day: the day the current Gold
    ends (a renewal), or the add-ons' first day when no Gold is in force then. None when the lines hold no
    add-on, already hold Gold, or no term of at most five years would reach.
    """
    addons = [line for line in lines if line.code.kind is OfferingKind.addon]
    if not addons or any(line.code is OfferingCode.gold for line in lines):
        return None
    first = min(line.start for line in addons)
    last_end = max(line.end for line in addons)
    start = gold_covered_until(first, home_region, existing)
    if start >= last_end:
        return None
    for months in range(TERM_INCREMENT_MONTHS, MAX_TERM_MONTHS + 1, TERM_INCREMENT_MONTHS):
        if term_end(start, months) >= last_end:
            return PurchaseLine(OfferingCode.gold, start, months)
    return None


def offer(lines: Sequence[PurchaseLine], *, home_region: str, known_regions: Collection[str],
          existing: Iterable[Entitlement], catalog: Catalog) -> Offer:
    """What one order for ``lines`` can be now: as asked, with Gold added, or not at all (and why)."""
    existing = list(existing)
    rules = {"home_region": home_region, "known_regions": known_regions, "existing": existing, "catalog": catalog}
    problems = purchase_problems(lines, **rules)
    if not problems:
        return Offer(OfferState.buyable, tuple(lines), quote(lines, catalog), None, "")
    gold = gold_to_add(lines, home_region=home_region, existing=existing)
    if gold is not None and catalog.find(OfferingCode.gold) is not None:
        combined = (gold, *lines)
        if not purchase_problems(combined, **rules):
            return Offer(OfferState.with_gold, combined, quote(combined, catalog), gold,
                         _gold_reason(gold, lines, home_region, existing))
    return Offer(OfferState.blocked, (), None, None, problems[0])


def _gold_reason(gold: PurchaseLine, lines: Sequence[PurchaseLine], home_region: str,
                 existing: list[Entitlement]) -> str:
    addons = [line for line in lines if line.code.kind is OfferingKind.addon]
    last_day = max(line.end for line in addons) - timedelta(days=1)
    renews = any(e.code is OfferingCode.gold and e.region == home_region and e.end == gold.start for e in existing)
    if renews:
        return (f"Your Gold Support in {home_region} ends on {formats.day(gold.start - timedelta(days=1))}, before "
                f"this runs out on {formats.day(last_day)}: Gold Support is renewed for {gold.months} months from "
                f"{formats.day(gold.start)} in the same order.")
    return (f"Add-ons are bought on top of Gold Support, which you do not hold in {home_region} from "
            f"{formats.day(gold.start)}: {gold.months} months of Gold Support are included in the same order.")


def bundle_lines(bundle: Bundle, start: date, months: int, *, extra_regions: tuple[str, ...] = (),
                 versions: tuple[str, ...] = ()) -> list[PurchaseLine]:
    """The bundle's add-ons as purchase lines with one first day and one term (so its discount applies)."""
    return [PurchaseLine(code, start, months,
                         extra_regions if code is OfferingCode.multi_regional else (),
                         versions if code is OfferingCode.extended_term else ())
            for code in sorted(bundle.addons)]


def bundle_saving(bundle: Bundle, start: date, months: int, catalog: Catalog, *,
                  extra_regions: tuple[str, ...] = ()) -> tuple[int, int]:
    """(the bundle's price, what it saves against buying its add-ons separately), from the catalog's prices.

    Multi-Regional is priced per additional region: with none named yet, for one."""
    q = quote(bundle_lines(bundle, start, months, extra_regions=extra_regions), catalog)
    separately = sum(price for _, price in q.lines)
    return q.total_minor, separately - q.total_minor


# ------------------------------------------------------------------------------------------ pay-per-incident


class Remedy(StrEnum):
    none = ""
    buy_gold = "buy_gold"  # buy (or renew) Gold Support first
    open_ticket = "open_ticket"  # support is available now: a regular ticket is the way in


@dataclass(frozen=True)
class IncidentOption:
    code: OfferingCode
    available: bool
    reason: str  # why it is not offered now ("" when it is)
    remedy: Remedy  # what the page offers instead
    until: date | None  # scheduled windows: the last day Gold Support (renewals included) covers


def incident_option(code: OfferingCode, *, coverage: Coverage, home_region: str, today: date,
                    entitlements: Iterable[Entitlement], catalog: Catalog) -> IncidentOption:
    """Whether a pay-per-incident option can be requested now, and if not why and what to do instead.

    Both options are bought on top of Gold Support, so they need it in force in the home region today.
    Emergency support is "if you don't subscribe to any after-hours support options or have not scheduled
    after-hours": only while nothing covers the organization right now.
    """
    if code.kind is not OfferingKind.incident:
        raise ValueError(f"{code.label} is not a pay-per-incident option")
    offering = catalog.find(code)
    if offering is None:
        return IncidentOption(code, False, f"{code.label} is not on sale at the moment.", Remedy.none, None)
    if not coverage.gold_active:
        return IncidentOption(code, False, f"{offering.name} is bought on top of Gold Support, and there is no "
                                           f"active Gold Support in {home_region}.", Remedy.buy_gold, None)
    if code is OfferingCode.emergency_after_hours and not coverage.emergency_eligible:
        return IncidentOption(code, False, f"Support is available right now ({coverage.headline}): open a regular "
                                           "ticket instead.", Remedy.open_ticket, None)
    until = gold_covered_until(today, home_region, entitlements) - timedelta(days=1)
    return IncidentOption(code, True, "", Remedy.none, until)
