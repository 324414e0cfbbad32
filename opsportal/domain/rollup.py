"""The parent-company roll-up: who may read a subsidiary's support work, and the period its totals cover.

Owners and administrators of an organization read, without changing anything, the tasks and hours of every
organization below it in the tree (and of their own). Nothing flows upward or sideways: a subsidiary's users never
read the parent's or a sibling's work through the roll-up. Billing contacts and members of the parent do not get it
(the issue grants it to owners and administrators: they manage the organization; a billing contact follows money,
not the subsidiaries' support work). Staff read every organization's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from opsportal.domain.access import Principal
from opsportal.domain.formats import zone
from opsportal.domain.roles import ORG_MANAGER_ROLES

MAX_PERIOD_DAYS = 366


def may_roll_up(principal: Principal, lineage: Sequence[int]) -> bool:
    """Whether ``principal`` may read, read-only, the support work of the organization whose ``lineage`` is given
    (the organization itself first, then its ancestors, nearest first)."""
    if principal.is_staff:
        return True
    return principal.role in ORG_MANAGER_ROLES and principal.organization_id in lineage


class PeriodChoice(StrEnum):
    this_month = "this_month"
    last_month = "last_month"
    custom = "custom"

    @property
    def label(self) -> str:
        return {"this_month": "This month", "last_month": "Last month", "custom": "Custom range"}[self.value]


@dataclass(frozen=True)
class Window:
    """Calendar days ``first``..``last`` (inclusive) in the reader's zone, and the UTC instants that bound them
    (``start`` inclusive, ``end`` exclusive: local midnight after ``last``)."""

    first: date
    last: date
    start: datetime
    end: datetime


def period_days(choice: PeriodChoice | str, today: date, first: date | None = None,
                last: date | None = None) -> tuple[date, date]:
    """The days a period covers; ValueError (a sentence) for an unknown choice or an unusable custom range."""
    try:
        choice = PeriodChoice(choice)
    except ValueError:
        raise ValueError("Choose this month, last month or a custom range.") from None
    if choice is PeriodChoice.this_month:
        return today.replace(day=1), today
    if choice is PeriodChoice.last_month:
        last_day = today.replace(day=1) - timedelta(days=1)
        return last_day.replace(day=1), last_day
    if first is None or last is None:
        raise ValueError("Give both the first and the last day of the range.")
    if first > last:
        raise ValueError("The first day must not be after the last day.")
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        raise ValueError(f"Choose a range of at most {MAX_PERIOD_DAYS} days.")
    return first, last


def window(first: date, last: date, time_zone: str) -> Window:
    """The UTC instants that bound the days ``first``..``last`` in ``time_zone`` (local midnights; a day that
    starts in a daylight-saving gap starts at the first instant that exists)."""
    tz = zone(time_zone)

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)

    return Window(first=first, last=last, start=midnight(first), end=midnight(last + timedelta(days=1)))
