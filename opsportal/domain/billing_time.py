"""How logged time is paid for: prepaid hours first, the rest pay-as-you-go at the hourly rate."""

from __future__ import annotations


def payg_amount(minutes: int, hourly_rate_minor: int) -> int:
    """The price of ``minutes`` at an hourly rate, in minor units, rounded half up to the unit."""
    if minutes < 0 or hourly_rate_minor < 0:
        raise ValueError("minutes and rate must not be negative")
    return (minutes * hourly_rate_minor * 2 + 60) // 120
