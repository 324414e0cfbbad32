"""Phone support: a region's support numbers, and whether an organization may call them right now.

Seed 001: "Phone support is available to customers during regular business hours for the region in which the
software is purchased." A line is open for an organization exactly when the coverage rules (``domain.coverage``)
cover it in that region: Gold business hours in the home region, Multi-Regional business hours in the regions it
names, and in the home region whatever the add-ons extend (Everyday After-Hours: at any time; Business-Day
After-Hours: the workweek's nights) and a paid pay-per-incident window. Without Gold no line is open.

``line_status`` also finds when the state changes next (closes / opens). Coverage can change only at a few
instants: a local midnight (a public holiday, a term's first or last day), a business day's opening or closing
(the workweek starts at Monday's opening and ends at Friday's closing), a paid window's start or end. Between
two of those it is constant, so the first of them (in order) with a different state is the change.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta

from opsportal.domain.coverage import OrgPlan, coverage_at
from opsportal.domain.plan_catalog import OfferingCode
from opsportal.domain.plan_terms import entitlement_day
from opsportal.domain.regions import Region, local_time, require_aware, wall_instant

# How far ahead the next opening or closing is looked for (longer than any run of weekend and holidays).
HORIZON_DAYS = 21
MAX_LABEL = 80
_SEPARATORS = re.compile(r"[\s().\-/]")


def normalized_number(text: str) -> str:
    """The number in E.164 form (``+442071234567``); ValueError with a sentence when it is not one.

    Staff may type spaces, dashes, dots, slashes and brackets; the number starts with + and the country code, then
    has 7 to 14 more digits (E.164 allows 15 digits in all and no leading zero in the country code).
    """
    raw = (text or "").strip()
    compact = _SEPARATORS.sub("", raw)
    if raw.startswith("00"):
        compact = "+" + compact[2:]
    if not compact.startswith("+") or not compact[1:].isdigit() or not compact[1:].isascii():
        raise ValueError(f"{raw or 'An empty number'} is not an international phone number: write it with + and "
                         "the country code, e.g. +44 20 7123 4567.")
    digits = compact[1:]
    if digits[0] == "0":
        raise ValueError("A country code never starts with 0: write the number as +44 20 7123 4567, not +0….")
    if not 8 <= len(digits) <= 15:
        raise ValueError(f"{raw} has {len(digits)} digits; an international number has 8 to 15 (E.164).")
    return compact


def label_problem(label: str) -> str | None:
    text = " ".join((label or "").split())
    if not text:
        return "Give the number a label, e.g. Main line or Toll-free."
    if len(text) > MAX_LABEL:
        return f"Keep the label under {MAX_LABEL} characters."
    return None


def hours_problem(start: time, end: time, days: frozenset[int]) -> str | None:
    """Why a region's business hours are not sane (None when they are): whole minutes, start before end, and
    at least one hour; one or more weekdays."""
    if start.second or start.microsecond or end.second or end.microsecond:
        return "Business hours are whole minutes (HH:MM)."
    if start >= end:
        return "Business hours must start before they end on the same day."
    if (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute) < 60:
        return "Business hours are at least one hour long."
    if not days or not days <= frozenset(range(7)):
        return "Choose one or more business days."
    return None


def phone_regions(plan: OrgPlan, regions: Mapping[str, Region], instant: datetime) -> tuple[str, ...]:
    """The regions whose support lines are the organization's: the home region (where the software was bought)
    and the regions a Multi-Regional term in force today (home region's day) names."""
    home = regions[plan.home_region]
    today = entitlement_day(home, require_aware(instant))
    codes = [plan.home_region]
    codes += [r for e in plan.entitlements if e.code is OfferingCode.multi_regional and e.is_active_on(today)
              for r in e.extra_regions if r in regions]
    return tuple(dict.fromkeys(codes))


@dataclass(frozen=True)
class LineStatus:
    region: str
    open: bool
    until: datetime | None  # while open: when it closes (None: not within HORIZON_DAYS, i.e. around the clock)
    opens: datetime | None  # while closed: when it opens next (None: not within HORIZON_DAYS)
    basis: str  # the entitlement it is open under ("Gold business hours"), "" when closed


def _change_points(plan: OrgPlan, regions: Mapping[str, Region], code: str, at: datetime) -> list[datetime]:
    points: set[datetime] = set()
    for region in {regions[code], regions[plan.home_region]}:
        first = local_time(region, at).date() - timedelta(days=1)
        for k in range(HORIZON_DAYS + 2):
            day = first + timedelta(days=k)
            points.update(wall_instant(region, day, t) for t in (time(0), region.business_start, region.business_end))
    for window in plan.scheduled:
        points.update((require_aware(window.start), require_aware(window.end)))
    last = at + timedelta(days=HORIZON_DAYS)
    return sorted(p for p in points if at < p <= last)


def _open_at(plan: OrgPlan, regions: Mapping[str, Region], code: str, at: datetime) -> str:
    row = next((r for r in coverage_at(plan, regions, at).regions if r.region == code), None)
    return row.basis.value if row is not None and row.basis is not None else ""


def line_status(plan: OrgPlan, regions: Mapping[str, Region], code: str, instant: datetime) -> LineStatus:
    """Whether the organization may call ``code``'s support line at ``instant`` and when that changes next."""
    at = require_aware(instant)
    if code not in regions or plan.home_region not in regions:
        raise ValueError(f"unknown region {code}")
    plan = replace(plan, extra_regions=tuple(r for r in plan.extra_regions if r in regions))
    basis = _open_at(plan, regions, code, at)
    for point in _change_points(plan, regions, code, at):
        if bool(_open_at(plan, regions, code, point)) != bool(basis):
            return LineStatus(code, bool(basis), point if basis else None, None if basis else point, basis)
    return LineStatus(code, bool(basis), None, None, basis)
