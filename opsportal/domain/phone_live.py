"""A support line's "Open now — until 18:00 GMT" / "Closed — opens Monday at 08:00 GMT" on an open page, following
the clock between reads of the database.

When the page reads the lines, ``capture`` keeps each line's states from the read on: the instants where the
entitlement it is open under changes (``support_phone.change_points``: a line's state is constant between two of
them) for ``HORIZON`` plus the ``support_phone.HORIZON_DAYS`` that ``line_status`` looks ahead. ``status_at`` then
gives, at any later instant within ``HORIZON``, exactly the ``LineStatus`` that ``line_status`` would work out then
from the same plan and business hours, without reading anything again; ``words`` says it as the server does.

Changes to the plan or the hours themselves come through the change feed, which reads the lines again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from opsportal.domain.coverage import OrgPlan
from opsportal.domain.regions import Region, require_aware
from opsportal.domain.support_phone import (
    HORIZON_DAYS,
    LineStatus,
    change_points,
    known_regions_only,
    open_basis,
    status_words,
)

HORIZON = timedelta(days=7)  # a page left open longer keeps its last words until something changes
_LOOK_AHEAD = timedelta(days=HORIZON_DAYS)


@dataclass(frozen=True)
class LiveLine:
    region: str
    since: datetime  # when the lines were read
    until: datetime  # ``since + HORIZON``: no words from then on
    states: tuple[tuple[datetime, str], ...]  # (from, basis): the basis ("" closed) from that instant to the next


def capture(plan: OrgPlan, regions: Mapping[str, Region], code: str, since: datetime) -> LiveLine:
    at = require_aware(since)
    plan = known_regions_only(plan, regions, code)
    states = [(at, open_basis(plan, regions, code, at))]
    for point in change_points(plan, regions, code, at, days=(HORIZON + _LOOK_AHEAD).days):
        basis = open_basis(plan, regions, code, point)
        if basis != states[-1][1]:
            states.append((point, basis))
    return LiveLine(code, at, at + HORIZON, tuple(states))


def status_at(line: LiveLine, now: datetime) -> LineStatus | None:
    """The line's state at ``now`` and when it changes next, as ``line_status`` says; None outside the horizon."""
    if not line.since <= now < line.until:
        return None
    current = max(i for i, (start, _) in enumerate(line.states) if start <= now)
    basis = line.states[current][1]
    for start, other in line.states[current + 1:]:
        if start > now + _LOOK_AHEAD:
            break
        if bool(other) != bool(basis):
            return LineStatus(line.region, bool(basis), start if basis else None, None if basis else start, basis)
    return LineStatus(line.region, bool(basis), None, None, basis)


def words(line: LiveLine, time_zone: str, now: datetime) -> tuple[str, bool, str] | None:
    """(status words, open, basis) at ``now`` in the reader's zone; None past the horizon (keep the last ones)."""
    status = status_at(line, now)
    if status is None:
        return None
    return status_words(status, time_zone, now), status.open, status.basis
