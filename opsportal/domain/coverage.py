"""Is support available right now? For an organization and an instant: each of its regions, whether support is
available there and under which entitlement, and one headline for the dashboard.

What covers what (seed 001):
- Gold business hours: "during regular business hours for the region in which the software is purchased"
  (the home region), on its business days; not on its public holidays.
- Multi-Regional business hours: "extends Gold-level support to additional regions during normal business
  hours for that region", each in its own time zone and with its own holidays.
- Everyday After-Hours: "support anytime inside or outside of normal business hours, including weekends and
  public holidays, in the region where the software was purchased".
- Business-Day After-Hours: "after-hours support during the workweek, defined as the start of business on
  Monday to the end of business Friday, in the region where the software was purchased": every instant from
  Monday's opening to Friday's closing that is outside business hours, nights in between included
  (Mon 18:00 -> Tue 08:00). Not weekends, and not public holidays: the seed names "weekends and public
  holidays" only for Everyday After-Hours, so a weekday public holiday (its whole local day) is left out;
  the night before it and the night after it are covered.
- Pay-Per-Incident Scheduled After-Hours: a paid, scheduled window covers itself; so does paid
  Emergency After-Hours support, from the moment it is paid for the time bought.
Add-ons are "an add-on to Gold Support and cannot be purchased in lieu of Gold Support", so none of them
counts at an instant when Gold is not active. Entitlement dates are calendar days of the home region.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from opsportal.domain.incidents import IncidentOffer, ScheduledWindow
from opsportal.domain.plan_catalog import Catalog, OfferingCode
from opsportal.domain.plan_terms import Entitlement, entitlement_day
from opsportal.domain.regions import Region, is_business_time, local_time, public_holiday, require_aware, wall_instant


class Basis(StrEnum):
    """Under which entitlement support is available."""

    gold_business_hours = "Gold business hours"
    multi_regional_business_hours = "Multi-Regional business hours"
    everyday_after_hours = "Everyday After-Hours"
    business_day_after_hours = "Business-Day After-Hours"
    scheduled_after_hours = "Pay-Per-Incident Scheduled After-Hours"
    emergency_after_hours = "Pay-Per-Incident Emergency After-Hours"

    @property
    def is_business_hours(self) -> bool:
        return self in (Basis.gold_business_hours, Basis.multi_regional_business_hours)


@dataclass(frozen=True)
class OrgPlan:
    home_region: str  # where the software was bought
    extra_regions: tuple[str, ...] = ()  # other regions the organization has teams in
    entitlements: tuple[Entitlement, ...] = ()
    scheduled: tuple[ScheduledWindow, ...] = ()  # paid pay-per-incident windows (scheduled and emergency)


@dataclass(frozen=True)
class RegionCoverage:
    region: str
    home: bool
    local: datetime  # the region's wall clock at the instant
    business_time: bool  # the region's business hours are on (business day, not a public holiday)
    basis: Basis | None  # None: support is not available in this region right now
    entitlement: Entitlement | None  # the entitlement behind ``basis`` (None for a scheduled window)

    @property
    def covered(self) -> bool:
        return self.basis is not None


@dataclass(frozen=True)
class Coverage:
    instant: datetime  # UTC
    regions: tuple[RegionCoverage, ...]  # home region first, then the others in the plan's order
    gold_active: bool
    extended_versions: tuple[str, ...]  # product versions past end of life covered by Extended-Term
    emergency: IncidentOffer | None  # offered when nothing covers the instant
    headline: str

    @property
    def covered(self) -> bool:
        return any(r.covered for r in self.regions)

    @property
    def emergency_eligible(self) -> bool:
        """Emergency after-hours support may be requested only while nothing covers the organization right now.

        Like every Premier option it is bought on top of Gold, so it needs Gold active at that moment; it is not
        for an instant that business hours, an after-hours subscription or a scheduled window cover (a regular
        ticket is the way in then). The one rule the coverage headline, the plans page, the request form and the
        request service follow (seed 001: for customers who "don't subscribe to any after-hours support options
        or have not scheduled after-hours").
        """
        return self.gold_active and not self.covered


def is_workweek_after_hours(region: Region, instant: datetime) -> bool:
    """Whether Business-Day After-Hours covers ``instant``: between the week's first opening (Monday) and last
    closing (Friday), outside business hours, and not on a public holiday."""
    at = require_aware(instant)
    day = at.astimezone(region.tz).date()
    if public_holiday(region, day) is not None or is_business_time(region, at):
        return False
    monday = day - timedelta(days=day.weekday())
    opens = wall_instant(region, monday + timedelta(days=min(region.business_days)), region.business_start)
    closes = wall_instant(region, monday + timedelta(days=max(region.business_days)), region.business_end)
    return opens <= at < closes


def _first(entitlements: list[Entitlement], code: OfferingCode) -> Entitlement | None:
    return next((e for e in entitlements if e.code is code), None)


def _home_basis(region: Region, at: datetime, active: list[Entitlement], gold: Entitlement,
                scheduled: tuple[ScheduledWindow, ...]) -> tuple[Basis, Entitlement | None] | None:
    if is_business_time(region, at):
        return Basis.gold_business_hours, gold
    if everyday := _first(active, OfferingCode.everyday_after_hours):
        return Basis.everyday_after_hours, everyday
    business_day = _first(active, OfferingCode.business_day_after_hours)
    if business_day and is_workweek_after_hours(region, at):
        return Basis.business_day_after_hours, business_day
    if window := next((w for w in scheduled if w.contains(at)), None):
        return (Basis.emergency_after_hours if window.emergency else Basis.scheduled_after_hours), None
    return None


def _headline(regions: tuple[RegionCoverage, ...], gold_active: bool, emergency: IncidentOffer | None) -> str:
    for region in regions:
        if region.basis is not None and region.basis.is_business_hours:
            return f"Support available now — {region.region} business hours"
    home = regions[0]
    if home.basis is not None:
        return f"After-hours covered by {home.basis.value}"
    if not gold_active:
        return "Not covered — no active Gold Support"
    if emergency is not None:
        return f"Not covered — emergency support available at {emergency.text}"
    return "Not covered"


def emergency_offer(coverage: Coverage, catalog: Catalog) -> IncidentOffer | None:
    """The emergency after-hours offer and its rate when the coverage is ``emergency_eligible``; None otherwise."""
    if not coverage.emergency_eligible:
        return None
    offering = catalog.find(OfferingCode.emergency_after_hours)
    return IncidentOffer(offering) if offering is not None else None


def coverage_at(plan: OrgPlan, regions: Mapping[str, Region], instant: datetime,
                catalog: Catalog | None = None) -> Coverage:
    """Where and under which entitlement support is available at ``instant`` (aware; naive is refused).

    With a catalog, an uncovered moment carries the emergency after-hours offer and its rate in the headline.
    """
    at = require_aware(instant)
    codes = [plan.home_region, *plan.extra_regions]
    codes += [r for e in plan.entitlements if e.code is OfferingCode.multi_regional for r in e.extra_regions]
    codes = list(dict.fromkeys(codes))
    unknown = [c for c in codes if c not in regions]
    if unknown:
        raise ValueError(f"unknown region {unknown[0]}")
    home = regions[plan.home_region]
    today = entitlement_day(home, at)
    active = [e for e in plan.entitlements if e.region == home.code and e.is_active_on(today)]
    gold = _first(active, OfferingCode.gold)
    if gold is None:
        active = []  # add-ons never count without Gold

    rows = []
    for code in codes:
        region = regions[code]
        business = is_business_time(region, at)
        found: tuple[Basis, Entitlement | None] | None = None
        if gold is not None and code == home.code:
            found = _home_basis(region, at, active, gold, plan.scheduled)
        elif gold is not None and business:
            multi = next((e for e in active if e.code is OfferingCode.multi_regional and code in e.extra_regions),
                         None)
            if multi is not None:
                found = (Basis.multi_regional_business_hours, multi)
        rows.append(RegionCoverage(code, code == home.code, local_time(region, at), business,
                                   found[0] if found else None, found[1] if found else None))

    versions = tuple(dict.fromkeys(v for e in active if e.code is OfferingCode.extended_term for v in e.versions))
    coverage = Coverage(at, tuple(rows), gold is not None, versions, None, "")
    offer = emergency_offer(coverage, catalog) if catalog is not None else None
    return replace(coverage, emergency=offer, headline=_headline(coverage.regions, gold is not None, offer))
