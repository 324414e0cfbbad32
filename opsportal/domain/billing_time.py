"""How logged time is paid for: prepaid hours first, the rest pay-as-you-go at the hourly rate."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TimeSplit:
    prepaid_minutes: int
    payg_minutes: int


def split_time(minutes: int, prepaid_available: int) -> TimeSplit:
    """Prepaid hours cover what they can; the remainder is pay-as-you-go."""
    if minutes < 0 or prepaid_available < 0:
        raise ValueError("minutes and availability must not be negative")
    prepaid = min(minutes, prepaid_available)
    return TimeSplit(prepaid_minutes=prepaid, payg_minutes=minutes - prepaid)


def payg_amount(minutes: int, hourly_rate_minor: int) -> int:
    """The price of ``minutes`` at an hourly rate, in minor units, rounded half up to the unit."""
    if minutes < 0 or hourly_rate_minor < 0:
        raise ValueError("minutes and rate must not be negative")
    return (minutes * hourly_rate_minor * 2 + 60) // 120
