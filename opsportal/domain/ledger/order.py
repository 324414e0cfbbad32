"""The consumption order: which lots an organization may draw from, and in which order.

For organization O:
1. lots that are O's own (held by O, or allocated to O alone) before lots inherited from
   ancestors' shared lots, nearest ancestor first;
2. within a tier, nearest expiry first, lots without expiry last;
3. then complimentary before purchased, then the oldest grant, then the lowest id.
A parent never uses a child's lots, and siblings never share.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from opsportal.domain import formats
from opsportal.domain.ledger.lots import Lot, LotKind, Scope, last_usable_day

OWN_TIER = 0


def tier_for(lot: Lot, org_id: int, ancestors: Sequence[int]) -> int | None:
    """0 for O's own lots, 1 for the parent's shared lots, 2 for the grandparent's ...; None if unusable.

    ``ancestors`` is O's ancestry nearest first (parent, grandparent, ...).
    """
    if lot.scope is Scope.org:
        return OWN_TIER if lot.usable_by() == org_id else None
    if lot.holder_org_id == org_id:
        return OWN_TIER
    try:
        return 1 + list(ancestors).index(lot.holder_org_id)
    except ValueError:
        return None


def sort_key(lot: Lot, tier: int) -> tuple:
    no_expiry = lot.expires_at is None
    return (
        tier,
        no_expiry,
        lot.expires_at if not no_expiry else datetime.max.replace(tzinfo=lot.granted_at.tzinfo),
        lot.kind is not LotKind.complimentary,
        lot.granted_at,
        lot.id,
    )


def in_leading_window(lot: Lot, org_id: int, ancestors: Sequence[int], expiring_by: datetime) -> bool:
    """Whether ``lot`` is one of O's own lots expiring by ``expiring_by``: the head of the order.

    Tier comes first and nearest expiry second, so every usable lot in this window comes before every
    usable lot outside it, in the same relative order. A request the window's lots cover therefore
    draws only on them, exactly as it would from all the lots: a store may read the window first and
    everything else only when the window falls short.
    """
    return (lot.expires_at is not None and lot.expires_at <= expiring_by
            and tier_for(lot, org_id, ancestors) == OWN_TIER)


@dataclass(frozen=True)
class Candidate:
    lot: Lot
    tier: int
    rank: int  # 1-based position in the order


def ordered_candidates(lots: Iterable[Lot], org_id: int, ancestors: Sequence[int], product: str,
                       at: datetime) -> list[Candidate]:
    """The lots O may draw ``product`` from at ``at`` (free quantity left, granted, not expired), in order."""
    usable = []
    for lot in lots:
        if lot.product != product or lot.free <= 0 or not lot.is_live(at):
            continue
        tier = tier_for(lot, org_id, ancestors)
        if tier is not None:
            usable.append((sort_key(lot, tier), lot, tier))
    usable.sort(key=lambda item: item[0])
    return [Candidate(lot=lot, tier=tier, rank=i) for i, (_key, lot, tier) in enumerate(usable, start=1)]


def explain(candidate: Candidate, holder_name: str | None = None) -> str:
    """Why this lot came when it did, in words a customer understands."""
    lot = candidate.lot
    if candidate.tier == OWN_TIER:
        source = "own credit" if lot.scope is Scope.shared or lot.usable_by() == lot.holder_org_id \
            else "credit allocated to this organization alone"
    else:
        whose = holder_name or f"organization {lot.holder_org_id}"
        level = "parent" if candidate.tier == 1 else f"ancestor ({candidate.tier} levels up)"
        source = f"shared by {level} {whose}, used after own credit"
    expiry = (f"expires {formats.day(last_usable_day(lot.expires_at))}" if lot.expires_at
              else "no expiry, so used after expiring credit")
    ordinal = _ordinal(candidate.rank)
    granted = formats.day(lot.granted_at.astimezone(UTC).date())
    return f"{ordinal} choice: {source}; {expiry}; {lot.kind.value}; granted {granted}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
