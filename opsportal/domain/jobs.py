"""Background jobs (a billing run, ...): what a job is called, how far it is, when a running one counts as dead,
and the sentences that say so. Pure: no database, no clock of its own."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from opsportal.domain import formats
from opsportal.domain.invoices import parse_period

BILLING = "billing"
KINDS = (BILLING,)
RUNNING, SUCCEEDED, FAILED = "running", "succeeded", "failed"
STATUSES = (RUNNING, SUCCEEDED, FAILED)
# A running job writes a heartbeat with its progress (at least once a minute while it works); one silent for
# this long died with its process and may be started again.
STALE_AFTER = timedelta(minutes=10)
# How often a runner writes its progress to the job row (others' pages read it from there).
HEARTBEAT_EVERY = timedelta(seconds=1)
MAX_SUMMARY = 2000
_UNITS = {BILLING: "organizations"}


def billing_key(period_key: str) -> str:
    """The job key of a billing run: one run per month at a time (``"billing:2026-10"``)."""
    return f"{BILLING}:{parse_period(period_key).key}"


def billing_period_of(key: str) -> str:
    """The month a billing job's key names (``"billing:2026-10"`` -> ``"2026-10"``)."""
    kind, _, period = key.partition(":")
    if kind != BILLING:
        raise ValueError(f"not a billing job key: {key!r}")
    return parse_period(period).key


def subject(kind: str, key: str) -> str:
    """What a job does, for sentences: ``"billing run for October 2026"``."""
    if kind == BILLING:
        return f"billing run for {parse_period(key.split(':', 1)[-1]).label}"
    return f"{kind} job"


def heading(kind: str, key: str) -> str:
    """What a job does, for its progress line: ``"Billing October 2026"``."""
    if kind == BILLING:
        return f"Billing {parse_period(key.split(':', 1)[-1]).label}"
    return kind.capitalize()


def is_stale(heartbeat_at: datetime, now: datetime, stale_after: timedelta = STALE_AFTER) -> bool:
    """A running job whose last heartbeat is ``stale_after`` old (or more) is considered dead."""
    return now - heartbeat_at >= stale_after


def percent_done(done: int, total: int) -> int:
    """Whole percent, rounded down (100 only when everything is done); 0 while the total is unknown."""
    if total <= 0:
        return 0
    return max(0, min(100, done * 100 // total))


def progress_text(kind: str, key: str, done: int, total: int) -> str:
    """``"Billing October 2026: 1,234 of 2,400 organizations"`` (``"...: starting"`` before the total is known)."""
    if total <= 0:
        return f"{heading(kind, key)}: starting"
    return f"{heading(kind, key)}: {formats.count(done)} of {formats.count(total)} {_UNITS.get(kind, 'items')}"


def when_text(value: datetime, now: datetime, time_zone: str | tzinfo | None) -> str:
    """When a job did something, in the reader's zone with the zone named: the time alone today (``10:02 GMT``),
    else the day too (``3 Nov 2026, 10:02 GMT``)."""
    if formats.local_date(value, time_zone) == formats.local_date(now, time_zone):
        return formats.clock_time(value, time_zone)
    return formats.instant(value, time_zone)


def already_running(kind: str, key: str, started_by: str, started_at: datetime, done: int, total: int,
                    now: datetime, time_zone: str | tzinfo | None = None) -> str:
    """Why a second start is refused, in the zone of whoever asked: ``"A billing run for October 2026 is already
    running, started by Sam Taylor at 10:02 UTC; it is 40% done."``"""
    how_far = f"it is {percent_done(done, total)}% done" if total > 0 else "it is just starting"
    return (f"A {subject(kind, key)} is already running, started by {started_by or 'someone'} at "
            f"{when_text(started_at, now, time_zone)}; {how_far}.")


def stale_summary(last_heartbeat: datetime, stale_after: timedelta = STALE_AFTER) -> str:
    """What a dead job's row says once another start replaces it. Stored and read by anyone, so written in UTC
    (named)."""
    minutes = int(stale_after.total_seconds() // 60)
    return (f"Stopped answering (last heartbeat {formats.clock_time(last_heartbeat, formats.DEFAULT_TIME_ZONE)}, "
            f"nothing for {minutes} minutes); considered dead and replaced by a new run.")


def clip(text: str, limit: int = MAX_SUMMARY) -> str:
    """A result summary short enough to store and show (long lists end in an ellipsis)."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


class Throttle:
    """At most one update per ``every``: ``due(now)`` says whether to send one now (and remembers that it did)."""

    def __init__(self, every: timedelta) -> None:
        self.every = every
        self._last: datetime | None = None

    def due(self, now: datetime, *, force: bool = False) -> bool:
        if force or self._last is None or now - self._last >= self.every:
            self._last = now
            return True
        return False
