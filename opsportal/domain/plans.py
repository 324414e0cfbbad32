"""Support plans: the catalog (Gold, Premier add-ons, pay-per-incident), what may be bought, and its price.

From the K2 support offering (seed 001):
- Gold Support is "the foundation for all K2 support offerings", for "a 12-month period", with support
  "during regular business hours for the region in which the software is purchased" (the home region).
- Premier add-ons "can be added separately or bundled for a discount", are "an add-on to Gold Support and
  cannot be purchased in lieu of Gold Support", and "can be purchased in 12-month increments".
- Incident-based options: "Payment is required before services are rendered and is paid per time unit of
  service used". Emergency after-hours is for customers who "don't subscribe to any after-hours support
  options or have not scheduled after-hours".

The codes carry the rules, so they are fixed here; names, prices and bundles are data that staff edit
(the service layer stores them in tables; ``DEFAULT_CATALOG`` is the demo data).

Money is integer minor units plus an ISO currency, rounded half up; never floats. Terms are months.
An entitlement covers the calendar days ``start`` up to but not including ``end`` (end is exclusive, so a
renewal starts on the previous term's ``end``), counted in the local calendar of its home region.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from opsportal.domain import formats
from opsportal.domain.regions import Region, local_time, require_aware

if TYPE_CHECKING:
    from opsportal.domain.coverage import Coverage

TERM_INCREMENT_MONTHS = 12
MAX_TERM_MONTHS = 60
MAX_BUNDLE_DISCOUNT_BP = 5_000  # 50.00 %: anything higher is a typing mistake


class PlanError(ValueError):
    """A purchase or catalog that breaks a plan rule; the message says why."""


class OfferingKind(StrEnum):
    base = "base"  # Gold: every add-on needs it
    addon = "addon"  # Premier subscriptions, 12-month increments
    incident = "incident"  # paid per time unit, before service


class OfferingCode(StrEnum):
    gold = "gold"
    business_day_after_hours = "business_day_after_hours"
    everyday_after_hours = "everyday_after_hours"
    multi_regional = "multi_regional"
    extended_term = "extended_term"
    scheduled_after_hours = "ppi_scheduled_after_hours"
    emergency_after_hours = "ppi_emergency_after_hours"

    @property
    def kind(self) -> OfferingKind:
        if self is OfferingCode.gold:
            return OfferingKind.base
        if self in (OfferingCode.scheduled_after_hours, OfferingCode.emergency_after_hours):
            return OfferingKind.incident
        return OfferingKind.addon

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    OfferingCode.gold: "Gold Support",
    OfferingCode.business_day_after_hours: "Business-Day After-Hours",
    OfferingCode.everyday_after_hours: "Everyday After-Hours",
    OfferingCode.multi_regional: "Multi-Regional",
    OfferingCode.extended_term: "Extended-Term",
    OfferingCode.scheduled_after_hours: "Pay-Per-Incident Scheduled After-Hours",
    OfferingCode.emergency_after_hours: "Pay-Per-Incident Emergency After-Hours",
}


@dataclass(frozen=True)
class Offering:
    code: OfferingCode
    name: str
    currency: str
    price_minor: int = 0  # subscriptions: per 12 months (Multi-Regional: per additional region)
    unit_price_minor: int = 0  # incidents: per time unit of service
    unit_minutes: int = 60  # incidents: the time unit
    min_units: int = 1  # incidents: the fewest units billed for one incident

    @property
    def kind(self) -> OfferingKind:
        return self.code.kind


@dataclass(frozen=True)
class Bundle:
    """Add-ons sold together at a discount, when bought in one purchase with the same start and term."""

    code: str
    name: str
    addons: frozenset[OfferingCode]
    discount_bp: int  # basis points off the bundled add-ons' price: 1000 = 10.00 %


@dataclass(frozen=True)
class Catalog:
    offerings: tuple[Offering, ...]
    bundles: tuple[Bundle, ...] = ()

    def find(self, code: OfferingCode | str) -> Offering | None:
        return next((o for o in self.offerings if o.code == code), None)

    def offering(self, code: OfferingCode | str) -> Offering:
        found = self.find(code)
        if found is None:
            raise PlanError(f"{_label(code)} is not in the catalog")
        return found

    @property
    def currency(self) -> str:
        return self.offerings[0].currency if self.offerings else ""


def _label(code: OfferingCode | str) -> str:
    try:
        return OfferingCode(code).label
    except ValueError:
        return repr(code)


DEFAULT_CATALOG = Catalog(
    offerings=(
        Offering(OfferingCode.gold, "Gold Support", "USD", price_minor=480_000),
        Offering(OfferingCode.business_day_after_hours, "Business-Day After-Hours", "USD", price_minor=240_000),
        Offering(OfferingCode.everyday_after_hours, "Everyday After-Hours", "USD", price_minor=420_000),
        Offering(OfferingCode.multi_regional, "Multi-Regional", "USD", price_minor=180_000),
        Offering(OfferingCode.extended_term, "Extended-Term", "USD", price_minor=360_000),
        Offering(OfferingCode.scheduled_after_hours, "Pay-Per-Incident Scheduled After-Hours", "USD",
                 unit_price_minor=20_000, unit_minutes=60, min_units=2),
        Offering(OfferingCode.emergency_after_hours, "Pay-Per-Incident Emergency After-Hours", "USD",
                 unit_price_minor=25_000, unit_minutes=60, min_units=1),
    ),
    bundles=(
        Bundle("everyday_global", "Everyday After-Hours + Multi-Regional",
               frozenset({OfferingCode.everyday_after_hours, OfferingCode.multi_regional}), 1_000),
        Bundle("premier_complete", "Everyday After-Hours + Multi-Regional + Extended-Term",
               frozenset({OfferingCode.everyday_after_hours, OfferingCode.multi_regional,
                          OfferingCode.extended_term}), 1_500),
    ),
)


# ------------------------------------------------------------------------------------------ catalog rules


def offering_problem(offering: Offering) -> str | None:
    """Why staff cannot save this offering, or None."""
    if not offering.name.strip():
        return "give the offering a name"
    if len(offering.currency) != 3 or not offering.currency.isalpha() or not offering.currency.isupper():
        return "the currency is a three-letter ISO code such as USD"
    if offering.kind is OfferingKind.incident:
        if offering.unit_price_minor <= 0:
            return f"{offering.name}: the price per time unit must be more than zero"
        if not 1 <= offering.unit_minutes <= 24 * 60:
            return f"{offering.name}: the time unit is 1 minute to 24 hours"
        if offering.min_units < 1:
            return f"{offering.name}: at least one time unit is billed per incident"
    elif offering.price_minor <= 0:
        return f"{offering.name}: the price per 12 months must be more than zero"
    return None


def bundle_definition_problem(bundle: Bundle) -> str | None:
    if not bundle.name.strip():
        return "give the bundle a name"
    if len(bundle.addons) < 2:
        return f"{bundle.name}: a bundle has at least two add-ons"
    if any(code.kind is not OfferingKind.addon for code in bundle.addons):
        return f"{bundle.name}: only Premier add-ons are bundled, not Gold Support or pay-per-incident options"
    if not 1 <= bundle.discount_bp <= MAX_BUNDLE_DISCOUNT_BP:
        return f"{bundle.name}: the discount is 0.01 % to {MAX_BUNDLE_DISCOUNT_BP // 100} %"
    return None


def catalog_problems(catalog: Catalog) -> list[str]:
    problems = [p for p in map(offering_problem, catalog.offerings) if p]
    codes = [o.code for o in catalog.offerings]
    problems += [f"{_label(c)} is in the catalog twice" for c in sorted(set(codes)) if codes.count(c) > 1]
    if OfferingCode.gold not in codes:
        problems.append("the catalog needs Gold Support: every add-on is bought on top of it")
    if len({o.currency for o in catalog.offerings}) > 1:
        problems.append("all offerings are priced in one currency")
    for bundle in catalog.bundles:
        problems += [p for p in [bundle_definition_problem(bundle)] if p]
        problems += [f"{bundle.name}: {_label(c)} is not in the catalog" for c in sorted(bundle.addons)
                     if c not in codes]
    return problems


# ------------------------------------------------------------------------------------------ terms and entitlements


def term_problem(months: int) -> str | None:
    """Terms are whole 12-month increments: 12, 24, 36... (and at most five years)."""
    if months <= 0 or months % TERM_INCREMENT_MONTHS:
        return f"a term is a whole number of 12-month increments (12, 24, 36…), not {months} months"
    if months > MAX_TERM_MONTHS:
        return f"a term is at most {MAX_TERM_MONTHS} months"
    return None


def term_end(start: date, months: int) -> date:
    """The exclusive end of a term: the same day ``months`` later (a term from 29 February ends on 1 March)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    try:
        return date(year, month, start.day)
    except ValueError:  # that month is too short for the start day
        return date(year, month + 1, 1)


@dataclass(frozen=True)
class Entitlement:
    """An offering an organization bought, in force on the days ``start`` <= day < ``end``."""

    code: OfferingCode
    region: str  # the home region: where it was bought, whose calendar its dates are in
    start: date
    end: date  # exclusive
    extra_regions: tuple[str, ...] = ()  # Multi-Regional: the additional regions it covers
    versions: tuple[str, ...] = ()  # Extended-Term: the product versions past end of life it covers

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("an entitlement ends after it starts")

    def is_active_on(self, day: date) -> bool:
        return self.start <= day < self.end

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


def renewal(entitlement: Entitlement, months: int = TERM_INCREMENT_MONTHS) -> Entitlement:
    """The next term: it starts on the day the current one ends, so coverage has no gap."""
    if problem := term_problem(months):
        raise PlanError(problem)
    return replace(entitlement, start=entitlement.end, end=term_end(entitlement.end, months))


def gold_covered_until(start: date, home_region: str, entitlements: Iterable[Entitlement]) -> date:
    """The first day from ``start`` on that Gold Support in the home region does not cover (``start`` itself when
    Gold is not in force that day). Gold terms that follow each other without a gap (a renewal) count together."""
    golds = sorted((e for e in entitlements if e.code is OfferingCode.gold and e.region == home_region),
                   key=lambda e: e.start)
    covered_until = start
    for gold in golds:
        if gold.start <= covered_until < gold.end:
            covered_until = gold.end
    return covered_until


def gold_cover_problem(start: date, end: date, home_region: str, entitlements: Iterable[Entitlement]) -> str | None:
    """An add-on needs Gold Support in its home region on every day of its term [start, end)."""
    covered_until = gold_covered_until(start, home_region, entitlements)
    if covered_until >= end:
        return None
    if covered_until == start:
        return f"an add-on needs active Gold Support in {home_region} from its first day, {formats.day(start)}"
    return (f"Gold Support in {home_region} runs only through {formats.day(covered_until - timedelta(days=1))}, "
            f"but the add-on runs through {formats.day(end - timedelta(days=1))}: renew Gold Support first")


def multi_regional_problem(extra_regions: Sequence[str], home_region: str,
                           known_regions: Collection[str]) -> str | None:
    """Multi-Regional extends Gold-level business hours to regions other than the one of purchase."""
    if not extra_regions:
        return "Multi-Regional needs at least one additional region"
    if home_region in extra_regions:
        return f"{home_region} is the home region, already covered by Gold Support; choose other regions"
    if len(set(extra_regions)) != len(extra_regions):
        return "each additional region is named once"
    unknown = [r for r in extra_regions if r not in known_regions]
    if unknown:
        return f"unknown region {unknown[0]}"
    return None


def extended_term_problem(versions: Sequence[str]) -> str | None:
    """Extended-Term covers named product versions past end of life; it means nothing without them."""
    names = [v.strip() for v in versions]
    if not names or not all(names):
        return "Extended-Term needs the product versions it covers (at least one)"
    if len(set(names)) != len(names):
        return "each product version is named once"
    return None


def _scope(entitlement: Entitlement) -> set[str]:
    if entitlement.code is OfferingCode.multi_regional:
        return set(entitlement.extra_regions)
    if entitlement.code is OfferingCode.extended_term:
        return {v.strip() for v in entitlement.versions}
    return {entitlement.region}


def overlap_problem(new: Entitlement, existing: Iterable[Entitlement]) -> str | None:
    """The same offering for the same region (or version) cannot be held twice on one day; renew instead."""
    for held in existing:
        if held.code is new.code and held.start < new.end and new.start < held.end:
            shared = _scope(held) & _scope(new)
            if shared:
                return (f"{new.code.label} for {', '.join(sorted(shared))} is already held from "
                        f"{formats.day(held.start)} through {formats.day(held.last_day)}; "
                        f"renew it from {formats.day(held.end)}")
    return None


# ------------------------------------------------------------------------------------------ purchases


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


def check_purchase(lines: Sequence[PurchaseLine], *, home_region: str, known_regions: Collection[str],
                   existing: Iterable[Entitlement], catalog: Catalog) -> list[Entitlement]:
    """The entitlements these lines grant; PlanError with every reason when they cannot be sold."""
    problems = purchase_problems(lines, home_region=home_region, known_regions=known_regions,
                                 existing=existing, catalog=catalog)
    if problems:
        raise PlanError("; ".join(problems))
    return [line.entitlement(home_region) for line in lines]


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
        return f"{bundle.name} also needs {', '.join(_label(c) for c in missing)} in the same purchase"
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


# ------------------------------------------------------------------------------------------ incidents


def incident_units(offering: Offering, minutes: int) -> int:
    """Time units billed for an incident: started units count whole, and never fewer than the minimum."""
    if offering.kind is not OfferingKind.incident:
        raise PlanError(f"{offering.name} is not a pay-per-incident option")
    if minutes <= 0:
        raise ValueError("an incident lasts a positive number of minutes")
    return max(offering.min_units, -(-minutes // offering.unit_minutes))


def incident_price(offering: Offering, minutes: int) -> int:
    """What is paid before the service: units times the price per unit."""
    return incident_units(offering, minutes) * offering.unit_price_minor


def unit_label(offering: Offering) -> str:
    """The offering's time unit in words (``unit_text``)."""
    return unit_text(offering.unit_minutes)


def unit_text(minutes: int) -> str:
    """``60`` -> ``hour``, ``120`` -> ``2 hours``, ``30`` -> ``30 minutes``."""
    if minutes % 60:
        return "minute" if minutes == 1 else f"{minutes} minutes"
    hours = minutes // 60
    return "hour" if hours == 1 else f"{hours} hours"


def rate_text(offering: Offering) -> str:
    """``USD 250.00 per hour``."""
    return f"{formats.money(offering.unit_price_minor, offering.currency)} per {unit_label(offering)}"


@dataclass(frozen=True)
class ScheduledWindow:
    """A paid pay-per-incident window, [start, end): a Scheduled After-Hours window booked ahead (e.g. a
    production upgrade), or Emergency After-Hours support, which starts when it is paid."""

    start: datetime
    end: datetime
    emergency: bool = False

    def contains(self, instant: datetime) -> bool:
        return require_aware(self.start) <= require_aware(instant) < require_aware(self.end)

    @property
    def minutes(self) -> int:
        return int((require_aware(self.end) - require_aware(self.start)).total_seconds() // 60)


def _gold_active_on(entitlements: Iterable[Entitlement], home: Region, day: date) -> bool:
    return any(e.code is OfferingCode.gold and e.region == home.code and e.is_active_on(day) for e in entitlements)


def scheduled_window_problem(window: ScheduledWindow, *, now: datetime, home: Region,
                             entitlements: Iterable[Entitlement]) -> str | None:
    """A scheduled window is booked (and paid) ahead of the work, with Gold active throughout it."""
    try:
        start, end, at = require_aware(window.start), require_aware(window.end), require_aware(now)
    except ValueError as exc:
        return str(exc)
    if end <= start:
        return "the window ends after it starts"
    if start < at:
        return "a scheduled window is booked and paid before it starts"
    entitlements = list(entitlements)
    first_day = local_time(home, start).date()
    last_day = local_time(home, end - timedelta(microseconds=1)).date()
    day = first_day
    while day <= last_day:
        if not _gold_active_on(entitlements, home, day):
            return (f"pay-per-incident support needs active Gold Support; there is none in {home.code} on "
                    f"{formats.day(day)}")
        day += timedelta(days=1)
    return None


@dataclass(frozen=True)
class IncidentOffer:
    offering: Offering

    @property
    def text(self) -> str:
        return rate_text(self.offering)


def emergency_offer(coverage: Coverage, catalog: Catalog) -> IncidentOffer | None:
    """Emergency after-hours support is offered only when nothing covers the organization right now.

    Like every Premier option it is bought on top of Gold, so it needs Gold active at that moment; it is not
    offered while business hours, an after-hours subscription or a scheduled window cover the instant.
    """
    if coverage.covered or not coverage.gold_active:
        return None
    offering = catalog.find(OfferingCode.emergency_after_hours)
    return IncidentOffer(offering) if offering is not None else None
