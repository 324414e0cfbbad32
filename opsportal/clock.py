"""The portal's "now" for support coverage, plan terms and pay-per-incident requests.

``now()`` is the current UTC instant, unless ``OPSPORTAL_CLOCK_OVERRIDE`` (an ISO instant with a time zone)
fixes it: for the end-to-end tests only, so that "outside business hours" does not depend on when they run.
The settings refuse it in production. Payments, sessions and everything else keep the real clock.
"""

from __future__ import annotations

from datetime import UTC, datetime

from opsportal.models.types import utcnow
from opsportal.settings import get_settings


def now() -> datetime:
    override = get_settings().clock_override
    return override.astimezone(UTC) if override is not None else utcnow()


def real_now() -> datetime:
    """The current UTC instant, never the override: for what happened when (jobs, payments received)."""
    return utcnow()


def on_coverage_clock(at: datetime) -> datetime:
    """``at`` (an instant on the real clock, e.g. when a payment was confirmed) as the coverage clock reads it:
    itself, or the fixed override instant. A paid emergency window starts there, so that coverage sees it."""
    override = get_settings().clock_override
    return override.astimezone(UTC) if override is not None else at
