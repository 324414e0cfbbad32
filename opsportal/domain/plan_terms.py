"""Support-plan terms and entitlements: 12-month increments, and which held offering covers which days.

An entitlement covers the calendar days ``start`` up to but not including ``end`` (end is exclusive, so a
renewal starts on the previous term's ``end``), counted in the local calendar of its home region. Add-ons need
Gold Support under them for their whole term; the same offering for the same region (or version) is held once.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from opsportal.domain import formats
from opsportal.domain.plan_catalog import OfferingCode
from opsportal.domain.regions import Region, local_time, require_aware

TERM_INCREMENT_MONTHS = 12
MAX_TERM_MONTHS = 60


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


class EntitlementStatus(StrEnum):
    upcoming = "upcoming"  # bought ahead (a renewal): starts on a later day
    active = "active"  # in force today
    ended = "ended"
    revoked = "revoked"  # withdrawn by staff: kept for the record, counts for nothing


def entitlement_day(home: Region | None, at: datetime) -> date:
    """The day entitlements are counted in at the instant ``at``: the home region's local calendar day (UTC's
    when the organization has no home region yet). Every page that says whether a term is in force asks this."""
    return local_time(home, at).date() if home is not None else require_aware(at).astimezone(UTC).date()


def entitlement_status(start: date, end: date, today: date, *, revoked: bool = False) -> EntitlementStatus:
    """Where a term [start, end) stands on ``today`` (``entitlement_day``)."""
    if revoked:
        return EntitlementStatus.revoked
    if today < start:
        return EntitlementStatus.upcoming
    return EntitlementStatus.active if today < end else EntitlementStatus.ended


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
        return entitlement_status(self.start, self.end, day) is EntitlementStatus.active

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


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
