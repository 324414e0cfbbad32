"""Support plans: the catalog (Gold, Premier add-ons, pay-per-incident options), its codes and its rules.

From the K2 support offering (seed 001):
- Gold Support is "the foundation for all K2 support offerings", for "a 12-month period", with support
  "during regular business hours for the region in which the software is purchased" (the home region).
- Premier add-ons "can be added separately or bundled for a discount", are "an add-on to Gold Support and
  cannot be purchased in lieu of Gold Support", and "can be purchased in 12-month increments".
- Incident-based options: "Payment is required before services are rendered and is paid per time unit of
  service used". Emergency after-hours is for customers who "don't subscribe to any after-hours support
  options or have not scheduled after-hours".

The codes carry the rules, so they are fixed here; names, prices and bundles are data that staff edit
(the service layer stores them in tables; ``DEFAULT_CATALOG`` is the demo data). Money is integer minor units
plus an ISO currency; never floats.

The rest of the plan rules: ``plan_terms`` (terms and entitlements), ``plan_purchase`` (what may be bought
together, and its price), ``incidents`` (pay-per-incident windows and the emergency offer).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from opsportal.domain import formats

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
            raise PlanError(f"{code_label(code)} is not in the catalog")
        return found

    @property
    def currency(self) -> str:
        return self.offerings[0].currency if self.offerings else ""


def code_label(code: OfferingCode | str) -> str:
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
    problems += [f"{code_label(c)} is in the catalog twice" for c in sorted(set(codes)) if codes.count(c) > 1]
    if OfferingCode.gold not in codes:
        problems.append("the catalog needs Gold Support: every add-on is bought on top of it")
    if len({o.currency for o in catalog.offerings}) > 1:
        problems.append("all offerings are priced in one currency")
    for bundle in catalog.bundles:
        problems += [p for p in [bundle_definition_problem(bundle)] if p]
        problems += [f"{bundle.name}: {code_label(c)} is not in the catalog" for c in sorted(bundle.addons)
                     if c not in codes]
    return problems


# ------------------------------------------------------------------------------------------ time units


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
