"""Allocating part of a lot: "50 of 200 credits to Northwind Logistics".

The part becomes a new lot of the same holder, product, type, grant and expiry (so it keeps its place in the
consumption order), allocated where the owner chose; the lot it came from keeps the rest and every hold. Two
``adjust`` entries record the move, so both lots' balances stay sums of their entries and the two remainders
add up to what the lot had before. Only free quantity moves: what is held for open tickets stays where it is.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from opsportal.domain import formats
from opsportal.domain.ledger.entries import EntryKind, EntrySpec
from opsportal.domain.ledger.lots import Lot, Scope
from opsportal.domain.ledger.products import Product, Unit
from opsportal.domain.ledger.sharing import allocated_scope


def serves(lot: Lot, target_org_id: int | None) -> bool:
    """Whether ``lot`` is already allocated to ``target_org_id`` (None = all organizations)."""
    if target_org_id is None:
        return lot.scope is Scope.shared
    return lot.usable_by() == target_org_id


def takes_whole_lot(lot: Lot, quantity: int) -> bool:
    """Allocating ``quantity`` moves the whole lot (nothing held, all of it chosen): no new lot is needed."""
    return lot.held == 0 and quantity == lot.remaining


def part_problem(lot: Lot, product: Product, quantity: object, target_org_id: int | None, *,
                 at: datetime) -> str | None:
    """Why ``quantity`` of ``lot`` cannot be allocated to ``target_org_id`` at ``at``, or None.

    The rules of a whole allocation (``sharing.allocation_problem``) apply as well; these are the quantity's.
    """
    whole = "hours such as 10, 7:30 or 45m" if product.unit is Unit.minute else "a whole number of credits"
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        return f"enter {whole} greater than zero"
    if lot.is_expired(at):
        return f"lot {lot.id} has expired: what is left of it can no longer be allocated"
    if quantity > lot.free:
        if lot.free <= 0:
            return f"nothing of lot {lot.id} is free: all of it is held for open tickets"
        held = f" ({formats.quantity(lot.held, product.unit)} held for open tickets)" if lot.held else ""
        verb = "is" if lot.free == 1 or product.unit is Unit.minute else "are"
        return (f"only {formats.quantity(lot.free, product.unit)} of lot {lot.id} {verb} free{held}: "
                f"allocate at most that")
    if serves(lot, target_org_id):
        return f"lot {lot.id} is already allocated there: choose another organization"
    return None


def part_of(lot: Lot, quantity: int, target_org_id: int | None) -> Lot:
    """The new lot ``quantity`` of ``lot`` becomes, before its entry (id 0 until stored, nothing in it yet)."""
    scope, assigned = allocated_scope(target_org_id, lot.holder_org_id)
    return replace(lot, id=0, quantity=quantity, scope=scope, assigned_org_id=assigned, remaining=0, held=0)


def split_entries(lot: Lot, part: Lot, *, at: datetime, target_name: str) -> list[EntrySpec]:
    """The two entries that move ``part.quantity`` of ``lot``'s free quantity into the stored ``part``."""
    quantity = part.quantity
    if part.id <= 0 or part.id == lot.id:
        raise ValueError("the part must be stored as a lot of its own first")
    if not 0 < quantity <= lot.free:
        raise ValueError(f"lot {lot.id} has {lot.free} free, cannot split off {quantity}")
    return [
        EntrySpec(lot.id, EntryKind.adjust, quantity, -quantity, 0, lot.owner_org_id, at,
                  reason=f"split off as lot {part.id}, allocated to {target_name}"),
        EntrySpec(part.id, EntryKind.adjust, quantity, quantity, 0, part.owner_org_id, at,
                  reason=f"split from lot {lot.id}, allocated to {target_name}"),
    ]
