"""Support regions: a time zone, local business hours, business days and a public-holiday calendar.

Business hours are local wall-clock times of the region (08:00-18:00 by default): the window opens at
its start and closes at its end, so 08:00:00 is inside and 18:00:00 is outside. Instants are aware
datetimes (normally UTC); a naive datetime is refused with ValueError, because it names no instant.

Daylight-saving time is handled through ``zoneinfo``. A day's window runs from the first instant whose
local wall time reaches the start to the first instant whose wall time reaches the end:
- a start that falls in a spring-forward gap (a wall time that does not exist) opens at the jump;
- a start that falls in a fall-back overlap (a wall time that happens twice) opens at the first one,
  and the window stays open through the repeated hour.

Public holidays come from the ``holidays`` library (the country's public holidays, with its observed
substitute days, e.g. Christmas Day (observed) on the Monday after a Saturday Christmas); a public holiday
is not a business day. ``DEFAULT_REGIONS`` is the demo data the service layer will store in a table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

MONDAY_TO_FRIDAY = frozenset(range(5))  # date.weekday(): Monday is 0
# How far ``next_business_start`` looks before deciding a region has no business days at all.
SEARCH_DAYS = 2 * 366
_MICROSECOND = timedelta(microseconds=1)


@lru_cache(maxsize=256)
def _holiday_names(country: str, subdivision: str | None, year: int) -> Mapping[date, str]:
    calendar = holidays.country_holidays(country, subdiv=subdivision, years=year)
    return MappingProxyType(dict(calendar.items()))


@dataclass(frozen=True)
class Region:
    code: str  # "AMER", "EMEA", "APAC"
    name: str
    time_zone: str  # IANA name, e.g. "Europe/London"
    holiday_country: str  # ISO 3166-1 alpha-2 code understood by the holidays library, e.g. "GB"
    holiday_subdivision: str | None = None  # e.g. "ENG" for England's bank holidays
    business_start: time = time(8, 0)
    business_end: time = time(18, 0)
    business_days: frozenset[int] = field(default=MONDAY_TO_FRIDAY)

    def __post_init__(self) -> None:
        if not self.code or self.code != self.code.strip().upper():
            raise ValueError(f"a region code is upper case without spaces, not {self.code!r}")
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{self.time_zone!r} is not a known time zone") from exc
        if self.business_start.tzinfo is not None or self.business_end.tzinfo is not None:
            raise ValueError("business hours are local wall-clock times without a time zone")
        if self.business_start >= self.business_end:
            raise ValueError("business hours must start before they end on the same day")
        if not self.business_days or not self.business_days <= frozenset(range(7)):
            raise ValueError("business days are one or more weekdays numbered 0 (Monday) to 6 (Sunday)")
        try:
            _holiday_names(self.holiday_country, self.holiday_subdivision, 2000)
        except NotImplementedError as exc:
            raise ValueError(f"no public-holiday calendar for {self.holiday_country!r}"
                             f"{'/' + self.holiday_subdivision if self.holiday_subdivision else ''}") from exc

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def hours_label(self) -> str:
        return f"{self.business_start:%H:%M}-{self.business_end:%H:%M}"


# The seed's example: software bought in North America, teams in London and Hong Kong.
DEFAULT_REGIONS: Mapping[str, Region] = MappingProxyType({
    "AMER": Region("AMER", "Americas", "America/New_York", "US"),
    "EMEA": Region("EMEA", "Europe, Middle East and Africa", "Europe/London", "GB", "ENG"),
    "APAC": Region("APAC", "Asia Pacific", "Asia/Hong_Kong", "HK"),
})


def require_aware(instant: datetime) -> datetime:
    """The instant in UTC; ValueError for a naive datetime, which could be any of 24+ hours."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("give an aware datetime (with a time zone), not a naive one")
    return instant.astimezone(UTC)


def local_time(region: Region, instant: datetime) -> datetime:
    """The region's wall clock at ``instant`` (aware, in the region's zone)."""
    return require_aware(instant).astimezone(region.tz)


def public_holiday(region: Region, day: date) -> str | None:
    """The holiday's name if ``day`` (a local calendar day of the region) is a public holiday there."""
    return _holiday_names(region.holiday_country, region.holiday_subdivision, day.year).get(day)


def is_business_day(region: Region, day: date) -> bool:
    return day.weekday() in region.business_days and public_holiday(region, day) is None


def wall_instant(region: Region, day: date, at: time) -> datetime:
    """The first instant (UTC) at which the region's wall clock on ``day`` reads ``at`` or later.

    Usually just ``day at`` in the region; in an overlap the earlier of the two; in a gap the jump itself.
    """
    tz = region.tz
    wanted = datetime.combine(day, at)
    first, second = (wanted.replace(tzinfo=tz, fold=fold).astimezone(UTC) for fold in (0, 1))
    lo, hi = min(first, second), max(first, second)
    if lo.astimezone(tz).replace(tzinfo=None) == wanted:
        return lo  # exists (once, or twice in an overlap: the earlier)
    # ``at`` is in a gap: ``lo`` reads earlier than ``at``, ``hi`` later; bisect to the jump.
    while hi - lo > _MICROSECOND:
        mid = lo + (hi - lo) / 2
        if mid.astimezone(tz).replace(tzinfo=None) >= wanted:
            hi = mid
        else:
            lo = mid
    return hi


def business_hours(region: Region, day: date) -> tuple[datetime, datetime] | None:
    """The UTC window [open, close) of business on a local day, or None when it is no business day."""
    if not is_business_day(region, day):
        return None
    return wall_instant(region, day, region.business_start), wall_instant(region, day, region.business_end)


def is_business_time(region: Region, instant: datetime) -> bool:
    """Whether the region's business hours are on at ``instant`` (start inclusive, end exclusive)."""
    at = require_aware(instant)
    window = business_hours(region, at.astimezone(region.tz).date())
    return window is not None and window[0] <= at < window[1]


def next_business_start(region: Region, instant: datetime) -> datetime:
    """The first instant at or after ``instant`` that is business time: ``instant`` itself during business hours,
    otherwise the next opening (skipping weekends and public holidays), in UTC."""
    at = require_aware(instant)
    day = at.astimezone(region.tz).date()
    for offset in range(SEARCH_DAYS):
        window = business_hours(region, day + timedelta(days=offset))
        if window is not None and at < window[1]:
            return max(at, window[0])
    raise ValueError(f"{region.code} has no business day within {SEARCH_DAYS} days")
