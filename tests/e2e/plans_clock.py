"""The instant the end-to-end portal's support-coverage clock is fixed at (``OPSPORTAL_CLOCK_OVERRIDE``,
``opsportal.clock``): the latest Saturday 03:00 UTC, outside business hours in every region, so "not covered"
does not depend on when the tests run. Payments and sessions keep the real clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def last_saturday_night(now: datetime | None = None) -> datetime:
    now = now or datetime.now(UTC)
    at = now.replace(hour=3, minute=0, second=0, microsecond=0) - timedelta(days=(now.weekday() - 5) % 7)
    return at if at < now else at - timedelta(days=7)


CLOCK_OVERRIDE = last_saturday_night()
