"""Ledger entries and what each does to a lot.

A lot keeps two running numbers, both sums of its entries:
- ``remaining``: granted and not yet consumed or expired (free + held);
- ``held``: reserved for open tickets ("in play").
Entries are append-only; a correction is a new entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from opsportal.domain.ledger.lots import Lot
from opsportal.domain.ledger.order import sort_key, tier_for
from opsportal.domain.ledger.plan import Draw, InsufficientBalance, plan_draw


class EntryKind(StrEnum):
    grant = "grant"
    allocate = "allocate"  # hold for an open ticket
    release = "release"  # give a hold back
    consume = "consume"  # used
    expire = "expire"
    adjust = "adjust"
    refund = "refund"


@dataclass(frozen=True)
class EntrySpec:
    lot_id: int
    kind: EntryKind
    quantity: int  # always positive: how much the entry is about
    delta_remaining: int
    delta_held: int
    org_id: int  # the organization on whose behalf (the spender; the holder for grant/expire)
    at: datetime
    ticket_id: int | None = None
    category: str | None = None
    reason: str = ""


def grant(lot: Lot, at: datetime) -> EntrySpec:
    return EntrySpec(lot.id, EntryKind.grant, lot.quantity, lot.quantity, 0, lot.holder_org_id, at,
                     reason="granted")


def _draw_entries(draws: Sequence[Draw], kind: EntryKind, org_id: int, at: datetime, ticket_id: int | None,
                  category: str | None, explain) -> list[EntrySpec]:
    out = []
    for d in draws:
        held = d.quantity if kind is EntryKind.allocate else 0
        remaining = -d.quantity if kind is EntryKind.consume else 0
        out.append(EntrySpec(d.lot_id, kind, d.quantity, remaining, held, org_id, at, ticket_id, category,
                             explain(d.candidate)))
    return out


def hold(lots: Iterable[Lot], *, org_id: int, ancestors: Sequence[int], product: str, quantity: int,
         at: datetime, ticket_id: int, category: str, explain) -> list[EntrySpec]:
    """Reserve ``quantity`` for an open ticket, lot by lot in the consumption order."""
    draws = plan_draw(lots, org_id=org_id, ancestors=ancestors, product=product, quantity=quantity, at=at)
    return _draw_entries(draws, EntryKind.allocate, org_id, at, ticket_id, category, explain)


def consume(lots: Iterable[Lot], *, org_id: int, ancestors: Sequence[int], product: str, quantity: int,
            at: datetime, category: str, ticket_id: int | None, explain) -> list[EntrySpec]:
    """Use ``quantity`` straight from free balances, in the consumption order."""
    draws = plan_draw(lots, org_id=org_id, ancestors=ancestors, product=product, quantity=quantity, at=at)
    return _draw_entries(draws, EntryKind.consume, org_id, at, ticket_id, category, explain)


def hold_order_key(lot: Lot, org_id: int, ancestors: Sequence[int]) -> tuple:
    """The order a ticket's holds are used in: the consumption order."""
    # A lot re-allocated away since the hold was taken is consumed last, so what is released
    # goes back to the organization that may now use it.
    tier = tier_for(lot, org_id, ancestors)
    return sort_key(lot, tier if tier is not None else len(ancestors) + 1)


def settle_holds(lots_by_id: Mapping[int, Lot], holds: Mapping[int, int], *, org_id: int,
                 ancestors: Sequence[int], used: int, at: datetime, ticket_id: int,
                 category: str) -> list[EntrySpec]:
    """A ticket closes: ``used`` of its holds become consumed, the rest is released.

    Holds are consumed in the consumption order. What is released from a lot already past its
    expiry expires at once. ``used`` may not exceed what is held.
    """
    total = sum(holds.values())
    if used < 0:
        raise ValueError("used must not be negative")
    if used > total:
        raise InsufficientBalance(used, total)
    order = sorted(
        (lot_id for lot_id, q in holds.items() if q > 0),
        key=lambda lot_id: hold_order_key(lots_by_id[lot_id], org_id, ancestors),
    )
    out, left = [], used
    for lot_id in order:
        lot, qty = lots_by_id[lot_id], holds[lot_id]
        take = min(left, qty)
        left -= take
        if take:
            out.append(EntrySpec(lot_id, EntryKind.consume, take, -take, -take, org_id, at, ticket_id, category,
                                 "used on the ticket it was held for"))
        rest = qty - take
        if rest:
            out.append(EntrySpec(lot_id, EntryKind.release, rest, 0, -rest, org_id, at, ticket_id, category,
                                 "not needed when the ticket closed"))
            if lot.is_expired(at):
                out.append(EntrySpec(lot_id, EntryKind.expire, rest, -rest, 0, lot.owner_org_id, at, None, None,
                                     "released after the lot's expiry"))
    return out


def expire_due(lots: Iterable[Lot], at: datetime) -> list[EntrySpec]:
    """Expire the free remainder of every lot past its expiry instant; holds stay until released."""
    return [
        EntrySpec(lot.id, EntryKind.expire, lot.free, -lot.free, 0, lot.owner_org_id, lot.expires_at, None, None,
                  "expired unused")
        for lot in lots
        if lot.is_expired(at) and lot.free > 0
    ]


def apply(lot: Lot, entries: Iterable[EntrySpec]) -> Lot:
    """The lot after ``entries``; ValueError if any would break the lot's invariants."""
    remaining, held = lot.remaining, lot.held
    for e in entries:
        if e.lot_id != lot.id:
            continue
        remaining += e.delta_remaining
        held += e.delta_held
        if held < 0 or remaining < held:
            raise ValueError(f"entry {e.kind} would leave lot {lot.id} with remaining={remaining} held={held}")
    return lot.with_balance(remaining=remaining, held=held)
