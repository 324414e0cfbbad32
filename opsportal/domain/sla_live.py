"""Service-level words that follow the clock on an open page, between reads of the ticket.

"Resolution overdue by 2 h 5 min" and "Response due in 40 min" count business time, so the page cannot work them
out from the due instant alone. When the ticket is read, ``capture`` keeps what the words need: the due instant, the
business time from the read to it, and the clock's running windows for ``HORIZON`` after the read. ``words`` then
gives, at any later instant, exactly what ``services.sla`` would say then (the same sums of the same windows, the
same ``formats.duration``), without reading anything again. Business time is additive over intervals, so
``T(now, due) = T(read, due) - T(read, now)`` and ``T(due, now) = T(read, now) - T(read, due)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from opsportal.domain import formats
from opsportal.domain.regions import Region
from opsportal.domain.sla import NEAR_BREACH_MINUTES, SlaClock, Standing, business_time_between, windows

HORIZON = timedelta(days=7)  # a page left open longer keeps its last words until something changes
_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class LiveTarget:
    what: str  # "First response", "Resolution", "Response"
    style: str  # "by": "… due by <instant>" until breached (task page); "in": "… due in 40 min" (queue)
    due: datetime
    since: datetime  # when the ticket was read
    until: datetime  # the end of ``windows``
    since_to_due: timedelta  # business time from ``since`` to ``due``; negative when ``due`` came first
    windows: tuple[tuple[datetime, datetime], ...]  # the clock's running windows within [since, until)
    due_words: str = ""  # the "by" style's words before the target, formatted in the reader's zone at the read


def capture(clock: SlaClock, regions: Mapping[str, Region], *, what: str, style: str, due: datetime,
            since: datetime, due_words: str = "") -> LiveTarget:
    until = since + HORIZON
    kept = []
    for lo, hi in windows(clock, regions, since):
        if lo >= until:
            break
        kept.append((lo, min(hi, until)))
    if due > since:
        since_to_due = business_time_between(clock, regions, since, due)
    else:
        since_to_due = -business_time_between(clock, regions, due, since)
    return LiveTarget(what, style, due, since, until, since_to_due, tuple(kept), due_words)


def _elapsed(target: LiveTarget, now: datetime) -> timedelta:
    total = timedelta(0)
    for lo, hi in target.windows:
        if lo >= now:
            break
        total += min(hi, now) - lo
    return total


def words(target: LiveTarget, now: datetime) -> tuple[str, str] | None:
    """(text, standing) at ``now``, as the server words it then; None past the horizon (read the ticket again)."""
    if now >= target.until or now < target.since:
        return None
    elapsed = _elapsed(target, now)
    if now < target.due:
        left = (target.since_to_due - elapsed) // _MINUTE
        tone = Standing.near if left < NEAR_BREACH_MINUTES else Standing.due
        text = target.due_words if target.style == "by" else f"{target.what} due in {formats.duration(left)}"
        return text, tone.value
    over = (elapsed - target.since_to_due) // _MINUTE
    return f"{target.what} overdue by {formats.duration(over)}", Standing.breached.value
