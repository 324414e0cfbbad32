"""Billing periods: the calendar month of pay-as-you-go time a post-service invoice bills."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class BillingPeriod:
    year: int
    month: int

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        following = date(self.year + self.month // 12, self.month % 12 + 1, 1)
        return following - timedelta(days=1)

    @property
    def label(self) -> str:
        return self.first_day.strftime("%B %Y")


_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


def parse_period(text: str) -> BillingPeriod:
    """``"2026-10"`` -> the period; ValueError with a readable reason otherwise."""
    match = _PERIOD.match((text or "").strip())
    if not match:
        raise ValueError("give the billing period as YYYY-MM, e.g. 2026-10")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or year < 2000:
        raise ValueError("give the billing period as YYYY-MM, e.g. 2026-10")
    return BillingPeriod(year, month)


def period_before(day: date) -> BillingPeriod:
    first = day.replace(day=1) - timedelta(days=1)
    return BillingPeriod(first.year, first.month)


def billable_problem(period: BillingPeriod, today: date) -> str | None:
    """A period is billed once it has ended: billing it earlier would leave later time of it unbilled."""
    if period.last_day >= today:
        return f"{period.label} has not ended yet; bill it from {period.last_day + timedelta(days=1):%Y-%m-%d}"
    return None
