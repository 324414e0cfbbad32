"""The one place the portal asks the time.

``now()`` is the current UTC instant: what happened when (sessions, payments, ledger entries, jobs, audit).

``coverage_now()`` is the instant support coverage, plan terms and pay-per-incident requests are judged at: the
same, unless ``OPSPORTAL_CLOCK_OVERRIDE`` (an ISO instant with a time zone) fixes it, for the end-to-end tests
only, so that "outside business hours" does not depend on when they run. The settings refuse it in production.
"""

from __future__ import annotations

from datetime import UTC, datetime

from opsportal.settings import get_settings


def now() -> datetime:
    return datetime.now(UTC)


def coverage_now() -> datetime:
    override = get_settings().clock_override
    return override.astimezone(UTC) if override is not None else now()


def on_coverage_clock(at: datetime) -> datetime:
    """``at`` (an instant on the real clock, e.g. when a payment was confirmed) as the coverage clock reads it:
    itself, or the fixed override instant. A paid emergency window starts there, so that coverage sees it."""
    override = get_settings().clock_override
    return override.astimezone(UTC) if override is not None else at
