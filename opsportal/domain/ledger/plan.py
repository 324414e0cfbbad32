"""Planning a draw: how a quantity is taken from lots in the consumption order, all or nothing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from opsportal.domain.ledger.lots import Lot
from opsportal.domain.ledger.order import Candidate, ordered_candidates


class InsufficientBalance(ValueError):
    def __init__(self, requested: int, available: int):
        super().__init__(f"requested {requested} but only {available} is available")
        self.requested = requested
        self.available = available


@dataclass(frozen=True)
class Draw:
    lot_id: int
    quantity: int
    candidate: Candidate


def plan_draw(lots: Iterable[Lot], *, org_id: int, ancestors: Sequence[int], product: str, quantity: int,
              at: datetime) -> list[Draw]:
    """The draws that take ``quantity`` in order; InsufficientBalance (and no draws) if it is not there."""
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    candidates = ordered_candidates(lots, org_id, ancestors, product, at)
    available = sum(c.lot.free for c in candidates)
    if quantity > available:
        raise InsufficientBalance(quantity, available)
    draws, left = [], quantity
    for candidate in candidates:
        take = min(left, candidate.lot.free)
        draws.append(Draw(lot_id=candidate.lot.id, quantity=take, candidate=candidate))
        left -= take
        if left == 0:
            break
    return draws


def plan_still_holds(planned: Sequence[tuple[int, int]], lots: Iterable[Lot], *, org_id: int,
                     ancestors: Sequence[int], product: str, at: datetime) -> bool:
    """Whether ``lots`` as they are now still give exactly the ``planned`` (lot id, quantity) draws.

    ``lots`` are the planned lots read again (under lock): each must still be usable, hold at least what
    the plan takes from it, and come in the same order. A lot the plan emptied that has gained free
    quantity since changes the draws too (more would come from it), so the plan does not hold then either.
    """
    total = sum(quantity for _lot_id, quantity in planned)
    if total <= 0:
        return False
    try:
        again = plan_draw(lots, org_id=org_id, ancestors=ancestors, product=product, quantity=total, at=at)
    except InsufficientBalance:
        return False
    return [(d.lot_id, d.quantity) for d in again] == list(planned)


def available(lots: Iterable[Lot], *, org_id: int, ancestors: Sequence[int], product: str, at: datetime) -> int:
    return sum(c.lot.free for c in ordered_candidates(lots, org_id, ancestors, product, at))
