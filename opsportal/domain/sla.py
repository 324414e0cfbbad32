"""Service levels: first-response and resolution targets per priority, and the clock they are counted on.

The targets (``TARGETS``) are business time: minutes during which the organization is covered. Which minutes
count is the organization's support plan, by the same rules that say whether support is available right now
(``domain.coverage``):
- no active Gold Support: best effort, no targets (``clock_for`` answers None);
- Gold Support: the business hours of the home region, on its business days, not on its public holidays;
  Multi-Regional adds the business hours of its additional regions (each in its own zone, with its own holidays);
- urgent and high tickets also count the after-hours the plan covers: Everyday After-Hours runs the clock around
  the clock (weekends and public holidays included); Business-Day After-Hours from Monday's opening to Friday's
  closing, nights included, not on a public holiday. Normal and low tickets wait for business hours even then:
  after-hours support is for what cannot wait.
The clock is fixed when the targets are set (the ticket is opened, or its priority changes), from the plan in
force at that instant; a later plan change does not move a running ticket's targets.

Pauses: the resolution clock stops while the ticket waits on the customer and while it is solved (resolved or
closed); it resumes where it stopped when the ticket moves back to an open state. First response never pauses:
the first staff reply ends it. A pause begun after the target had passed does not undo the breach.

Time is counted exactly (``business_time_between`` is a timedelta) and shown in whole minutes.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from opsportal.domain.coverage import OrgPlan
from opsportal.domain.plan_catalog import OfferingCode
from opsportal.domain.plan_terms import entitlement_day
from opsportal.domain.regions import SEARCH_DAYS, Region, business_hours, public_holiday, require_aware, wall_instant
from opsportal.domain.tasks import Priority, TaskStatus

NEAR_BREACH_MINUTES = 60  # less business time than this left: the queue flags the ticket
EXTENDED_PRIORITIES = frozenset({Priority.urgent, Priority.high})  # count after-hours the plan covers
PAUSED_STATUSES = frozenset({TaskStatus.waiting_on_customer, TaskStatus.resolved, TaskStatus.closed})
SOLVED_STATUSES = frozenset({TaskStatus.resolved, TaskStatus.closed})
_MIDNIGHT = time(0, 0)
_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class Target:
    first_response: int  # business minutes from opening to the first staff reply
    resolution: int  # business minutes from opening to solved, pauses excluded


# Gold Support's targets in business minutes (a region's business day is 10 hours, 08:00-18:00, by default):
# urgent 1 h / 8 h, high 4 h / 2 days, normal 1 day-ish (8 h) / 5 days, low 2 days / 10 days.
TARGETS: Mapping[Priority, Target] = {
    Priority.urgent: Target(first_response=60, resolution=8 * 60),
    Priority.high: Target(first_response=4 * 60, resolution=20 * 60),
    Priority.normal: Target(first_response=8 * 60, resolution=50 * 60),
    Priority.low: Target(first_response=20 * 60, resolution=100 * 60),
}


class ClockMode(StrEnum):
    business = "business"  # business hours of the clock's regions
    workweek = "workweek"  # business hours, plus the home region's workweek nights (Business-Day After-Hours)
    always = "always"  # every minute (Everyday After-Hours)

    @property
    def label(self) -> str:
        return {ClockMode.business: "business hours", ClockMode.workweek: "business-day hours and nights",
                ClockMode.always: "around the clock"}[self]


@dataclass(frozen=True)
class SlaClock:
    """Which minutes count: ``mode`` over ``regions`` (the home region first)."""

    mode: ClockMode
    regions: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.regions:
            raise ValueError("an SLA clock needs the home region")

    @property
    def key(self) -> str:
        """How the clock is stored on a ticket: ``business:EMEA+AMER``."""
        return f"{self.mode.value}:{'+'.join(self.regions)}"

    @classmethod
    def parse(cls, key: str) -> SlaClock:
        mode, _, regions = key.partition(":")
        return cls(ClockMode(mode), tuple(r for r in regions.split("+") if r))


def clock_for(plan: OrgPlan | None, regions: Mapping[str, Region], priority: Priority | str,
              at: datetime) -> SlaClock | None:
    """The clock a ticket of ``priority`` opened at ``at`` is counted on; None without active Gold Support."""
    if plan is None:
        return None
    at = require_aware(at)
    priority = Priority(priority)
    home = regions.get(plan.home_region)
    today = entitlement_day(home, at)
    active = [e for e in plan.entitlements if e.region == plan.home_region and e.is_active_on(today)]
    codes = {e.code for e in active}
    if OfferingCode.gold not in codes:
        return None
    regions = [plan.home_region]
    regions += [r for e in active if e.code is OfferingCode.multi_regional for r in e.extra_regions]
    regions = tuple(dict.fromkeys(regions))
    mode = ClockMode.business
    if priority in EXTENDED_PRIORITIES:
        if OfferingCode.everyday_after_hours in codes:
            mode = ClockMode.always
        elif OfferingCode.business_day_after_hours in codes:
            mode = ClockMode.workweek
    return SlaClock(mode, regions)


def target_for(priority: Priority | str) -> Target:
    return TARGETS[Priority(priority)]


# --- the clock's windows ----------------------------------------------------------------------------------------


def _business_windows(region: Region, first: date) -> Iterator[tuple[datetime, datetime]]:
    day, idle = first, 0
    while True:
        window = business_hours(region, day)
        if window is not None:
            idle = 0
            yield window
        else:
            idle += 1
            if idle > SEARCH_DAYS:
                raise ValueError(f"{region.code} has no business day within {SEARCH_DAYS} days")
        day += timedelta(days=1)


def _workweek_windows(region: Region, first: date) -> Iterator[tuple[datetime, datetime]]:
    """Business-Day After-Hours with the business hours inside it: Monday's opening to Friday's closing,
    whole local days between, a public holiday's whole local day left out (as ``coverage`` decides)."""
    lo, hi = min(region.business_days), max(region.business_days)
    day, idle = first, 0
    while True:
        weekday = day.weekday()
        if lo <= weekday <= hi and public_holiday(region, day) is None:
            idle = 0
            start = wall_instant(region, day, region.business_start if weekday == lo else _MIDNIGHT)
            end = (wall_instant(region, day, region.business_end) if weekday == hi
                   else wall_instant(region, day + timedelta(days=1), _MIDNIGHT))
            yield start, end
        else:
            idle += 1
            if idle > SEARCH_DAYS:
                raise ValueError(f"{region.code} has no business day within {SEARCH_DAYS} days")
        day += timedelta(days=1)


def windows(clock: SlaClock, regions: Mapping[str, Region], start: datetime) -> Iterator[tuple[datetime, datetime]]:
    """The clock's running windows [open, close) in UTC, in order, merged, from the one around ``start`` on."""
    start = require_aware(start)
    if clock.mode is ClockMode.always:
        yield start, datetime.max.replace(tzinfo=start.tzinfo)
        return
    unknown = [c for c in clock.regions if c not in regions]
    if unknown:
        raise ValueError(f"unknown region {unknown[0]}")
    sources = []
    for index, code in enumerate(clock.regions):
        region = regions[code]
        first = start.astimezone(region.tz).date() - timedelta(days=1)
        if index == 0 and clock.mode is ClockMode.workweek:
            sources.append(_workweek_windows(region, first))
        else:
            sources.append(_business_windows(region, first))
    merged = heapq.merge(*sources)
    current: tuple[datetime, datetime] | None = None
    for lo, hi in merged:
        if hi <= start:
            continue
        lo = max(lo, start)
        if current is None:
            current = (lo, hi)
        elif lo <= current[1]:
            current = (current[0], max(current[1], hi))
        else:
            yield current
            current = (lo, hi)
    if current is not None:  # pragma: no cover - the sources never end
        yield current


def running(clock: SlaClock, regions: Mapping[str, Region], at: datetime) -> bool:
    """Whether the clock counts the instant ``at``."""
    lo, _ = next(windows(clock, regions, at))
    return lo == require_aware(at)


def add_business_minutes(clock: SlaClock, regions: Mapping[str, Region], start: datetime, minutes: int) -> datetime:
    """The instant at which ``minutes`` of the clock's time have passed since ``start`` (``start`` for 0)."""
    if minutes < 0:
        raise ValueError("add a non-negative number of minutes")
    start = require_aware(start)
    left = timedelta(minutes=minutes)
    if not left:
        return start
    for lo, hi in windows(clock, regions, start):
        if hi - lo >= left:
            return lo + left
        left -= hi - lo
    raise AssertionError("unreachable: the windows never end")  # pragma: no cover


def business_time_between(clock: SlaClock, regions: Mapping[str, Region], start: datetime,
                          end: datetime) -> timedelta:
    """How much of the clock's time lies in [start, end) (zero when ``end`` is not after ``start``)."""
    start, end = require_aware(start), require_aware(end)
    total = timedelta(0)
    if end <= start:
        return total
    for lo, hi in windows(clock, regions, start):
        if lo >= end:
            break
        total += min(hi, end) - lo
    return total


def business_minutes_between(clock: SlaClock, regions: Mapping[str, Region], start: datetime, end: datetime) -> int:
    """Whole minutes of the clock's time in [start, end)."""
    return business_time_between(clock, regions, start, end) // _MINUTE


# --- where a target stands ----------------------------------------------------------------------------------------


class Standing(StrEnum):
    due = "due"  # running, more than NEAR_BREACH_MINUTES left
    near = "near"  # running, less than NEAR_BREACH_MINUTES left
    breached = "breached"  # running (or paused), the target passed
    paused = "paused"  # resolution while waiting on the customer, not yet breached
    met = "met"  # done in time
    missed = "missed"  # done, late


def standing(due: datetime, done: datetime | None, *, now: datetime, paused_at: datetime | None = None,
             left_minutes: int = NEAR_BREACH_MINUTES) -> Standing:
    """Where a target due at ``due`` stands: done at ``done`` (or not yet), paused since ``paused_at``;
    ``left_minutes`` is the clock's time from ``now`` to ``due``."""
    if done is not None:
        return Standing.met if done <= due else Standing.missed
    if due <= (paused_at or now):
        return Standing.breached
    if paused_at is not None:
        return Standing.paused
    return Standing.near if left_minutes < NEAR_BREACH_MINUTES else Standing.due


def resolution_due(clock: SlaClock, regions: Mapping[str, Region], opened: datetime, priority: Priority | str,
                   paused_minutes: int) -> datetime:
    """The resolution target: the priority's resolution time after opening, pushed back by the paused minutes."""
    return add_business_minutes(clock, regions, opened, target_for(priority).resolution + paused_minutes)


def target_text(minutes: int, clock: SlaClock) -> str:
    """``1 business hour``, ``20 business hours``, ``8 hours`` (around the clock): a target as a plan reads it."""
    business = clock.mode is not ClockMode.always
    unit_hours = minutes // 60
    if minutes % 60 == 0:
        word = "business hour" if business else "hour"
        return f"{unit_hours} {word}" + ("" if unit_hours == 1 else "s")
    return f"{minutes} {'business ' if business else ''}minutes"
