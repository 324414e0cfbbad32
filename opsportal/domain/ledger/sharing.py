"""Allocating a lot to all organizations of the holder's tree or to one organization (seed 002)."""

from __future__ import annotations

from collections.abc import Collection

from opsportal.domain.ledger.lots import Lot, Scope
from opsportal.domain.ledger.products import Product


def allocation_problem(lot: Lot, product: Product, target_org_id: int | None,
                       holder_subtree: Collection[int], *, held_for_window: bool = False) -> str | None:
    """Why ``lot`` cannot be allocated to ``target_org_id`` (None = all organizations), or None.

    ``holder_subtree`` is the holder and all its descendants. ``held_for_window``: the lot holds the prepaid
    units of a scheduled pay-per-incident window; they belong to that task until it closes, wherever the
    lot is allocated, so moving the lot would only mislead.
    """
    if lot.product != product.code:
        return f"lot {lot.id} holds {lot.product}, not {product.code}"
    if not product.allocatable:
        return f"{product.name} credits are always shared with all organizations and cannot be re-allocated"
    if held_for_window:
        return (f"lot {lot.id} holds the prepaid hours of a scheduled pay-per-incident window and cannot be "
                "re-allocated while that task is open")
    if target_org_id is not None and target_org_id not in holder_subtree:
        return "a lot can only be allocated to its holder or one of the holder's sub-organizations"
    return None


def allocated_scope(target_org_id: int | None, holder_org_id: int) -> tuple[Scope, int | None]:
    """(scope, assigned organization) for an allocation to ``target_org_id`` (None = all organizations)."""
    if target_org_id is None:
        return Scope.shared, None
    return Scope.org, target_org_id
