"""Managed-service periods: a subscription grants N hours each period, expiring at its end or one
period later when it rolls over once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class PeriodLength(StrEnum):
    monthly = "monthly"
    quarterly = "quarterly"

    @property
    def months(self) -> int:
        return 1 if self is PeriodLength.monthly else 3


@dataclass(frozen=True)
class Period:
    start: date  # first day
    end: date  # last day (inclusive)


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    return date(day.year + month_index // 12, month_index % 12 + 1, 1)


def period_containing(starts_on: date, length: PeriodLength, day: date) -> Period | None:
    """The subscription's period that contains ``day`` (periods start on the 1st of ``starts_on``'s month)."""
    first = starts_on.replace(day=1)
    if day < starts_on:
        return None
    months_between = (day.year - first.year) * 12 + day.month - first.month
    index = months_between // length.months
    start = _add_months(first, index * length.months)
    end = _add_months(start, length.months) - timedelta(days=1)
    return Period(start=max(start, starts_on), end=end)


def next_period(period: Period, length: PeriodLength) -> Period:
    start = period.end + timedelta(days=1)
    return Period(start=start, end=_add_months(start, length.months) - timedelta(days=1))


def lot_last_day(period: Period, length: PeriodLength, rolls_over_once: bool) -> date:
    """The period's hours are usable through its last day, or through the next period's when they roll over."""
    return next_period(period, length).end if rolls_over_once else period.end


def periods_usable_on(starts_on: date, length: PeriodLength, rolls_over_once: bool, day: date) -> list[Period]:
    """The subscription's periods whose hours are usable on ``day``, oldest first: the current period and,
    when hours roll over once, the one before it (if the subscription had started by then).

    The period job grants each of these once, so a period it missed (the portal was down when it began)
    is still granted while its hours can be used; a period whose hours have expired is not granted late.
    """
    current = period_containing(starts_on, length, day)
    if current is None:
        return []
    if not rolls_over_once or current.start <= starts_on:
        return [current]
    previous = period_containing(starts_on, length, current.start - timedelta(days=1))
    return [previous, current] if previous is not None else [current]
