"""Pay-per-incident support: the kinds and statuses of a request, scheduled after-hours windows, the offer.

From the K2 support offering (seed 001): "Payment is required before services are rendered and is paid per
time unit of service used". Who may ask for emergency after-hours support right now is a question of coverage:
``coverage.Coverage.emergency_eligible``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from opsportal.domain import formats
from opsportal.domain.plan_catalog import Offering, OfferingCode, rate_text
from opsportal.domain.plan_terms import Entitlement
from opsportal.domain.regions import Region, local_time, require_aware


class IncidentKind(StrEnum):
    scheduled = "scheduled"  # a window booked ahead, outside business hours
    emergency = "emergency"  # support now, while nothing covers the organization; starts when paid

    @property
    def code(self) -> OfferingCode:
        """The catalog offering a request of this kind is priced by."""
        return OfferingCode.emergency_after_hours if self is IncidentKind.emergency \
            else OfferingCode.scheduled_after_hours

    @classmethod
    def of(cls, code: OfferingCode) -> IncidentKind:
        """The kind of request a pay-per-incident offering is sold for."""
        found = next((kind for kind in cls if kind.code is code), None)
        if found is None:
            raise ValueError(f"{code.label} is not a pay-per-incident option")
        return found


class IncidentStatus(StrEnum):
    awaiting_payment = "awaiting_payment"  # its pre-service invoice is not paid yet
    scheduled = "scheduled"  # paid: the window is booked and its units are held for the task
    cancelled = "cancelled"  # never to be scheduled (its invoice was voided before it was paid)


def shown_status(stored: IncidentStatus | str, *, invoice_void: bool) -> IncidentStatus:
    """A request still awaiting payment whose invoice was voided will never be scheduled: it reads cancelled."""
    status = IncidentStatus(stored)
    return IncidentStatus.cancelled if status is IncidentStatus.awaiting_payment and invoice_void else status


@dataclass(frozen=True)
class ScheduledWindow:
    """A paid pay-per-incident window, [start, end): a Scheduled After-Hours window booked ahead (e.g. a
    production upgrade), or Emergency After-Hours support, which starts when it is paid."""

    start: datetime
    end: datetime
    emergency: bool = False

    def contains(self, instant: datetime) -> bool:
        return require_aware(self.start) <= require_aware(instant) < require_aware(self.end)

    @property
    def minutes(self) -> int:
        return int((require_aware(self.end) - require_aware(self.start)).total_seconds() // 60)


def _gold_active_on(entitlements: Iterable[Entitlement], home: Region, day: date) -> bool:
    return any(e.code is OfferingCode.gold and e.region == home.code and e.is_active_on(day) for e in entitlements)


def scheduled_window_problem(window: ScheduledWindow, *, now: datetime, home: Region,
                             entitlements: Iterable[Entitlement]) -> str | None:
    """A scheduled window is booked (and paid) ahead of the work, with Gold active throughout it."""
    try:
        start, end, at = require_aware(window.start), require_aware(window.end), require_aware(now)
    except ValueError as exc:
        return str(exc)
    if end <= start:
        return "the window ends after it starts"
    if start < at:
        return "a scheduled window is booked and paid before it starts"
    entitlements = list(entitlements)
    first_day = local_time(home, start).date()
    last_day = local_time(home, end - timedelta(microseconds=1)).date()
    day = first_day
    while day <= last_day:
        if not _gold_active_on(entitlements, home, day):
            return (f"pay-per-incident support needs active Gold Support; there is none in {home.code} on "
                    f"{formats.day(day)}")
        day += timedelta(days=1)
    return None


@dataclass(frozen=True)
class IncidentOffer:
    offering: Offering

    @property
    def text(self) -> str:
        return rate_text(self.offering)
