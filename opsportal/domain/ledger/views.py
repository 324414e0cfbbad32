"""Read models over lots, as pure functions (the services compute the same in SQL)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from opsportal.domain.ledger.lots import Lot, last_usable_day

BUCKETS = ("0-30", "31-60", "61-90", "91-120", "later", "none")


def days_until_expiry(lot: Lot, at: datetime) -> int | None:
    """Whole days from ``at``'s UTC date to the lot's last usable day (0 = expires at the end of today)."""
    if lot.expires_at is None:
        return None
    return (last_usable_day(lot.expires_at) - at.astimezone(UTC).date()).days


def bucket_for(days: int | None) -> str:
    if days is None:
        return "none"
    for upper, name in ((30, "0-30"), (60, "31-60"), (90, "61-90"), (120, "91-120")):
        if days <= upper:
            return name
    return "later"


def expiry_schedule(lots: Iterable[Lot], at: datetime) -> dict[str, int]:
    """Free quantity by how soon it expires, over lots usable and not expired at ``at``."""
    schedule = dict.fromkeys(BUCKETS, 0)
    for lot in lots:
        if lot.free > 0 and lot.is_live(at):
            schedule[bucket_for(days_until_expiry(lot, at))] += lot.free
    return schedule
