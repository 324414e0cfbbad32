"""An independent statement of the consumption order, used as the oracle in property tests.

It is written from DESIGN.md and seed 002 directly (walking the organization tree) rather than by
calling ``order.tier_for``/``order.sort_key``, so a slip in those functions shows up as a mismatch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from opsportal.domain.ledger.lots import Lot

FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


class Tree:
    def __init__(self, parent: Mapping[int, int | None]):
        self.parent = dict(parent)

    @property
    def orgs(self) -> list[int]:
        return sorted(self.parent)

    def ancestors(self, org: int) -> list[int]:
        """Nearest first: parent, grandparent, ..."""
        out, node = [], self.parent[org]
        while node is not None:
            out.append(node)
            node = self.parent[node]
        return out

    def subtree(self, org: int) -> set[int]:
        return {o for o in self.parent if o == org or org in self.ancestors(o)}

    def tier(self, lot: Lot, org: int) -> int | None:
        """0 own, 1 parent's shared, 2 grandparent's shared, ...; None if ``org`` may not use ``lot``."""
        if lot.scope.value == "org":
            only = lot.holder_org_id if lot.assigned_org_id is None else lot.assigned_org_id
            return 0 if only == org else None
        lineage = [org, *self.ancestors(org)]
        return lineage.index(lot.holder_org_id) if lot.holder_org_id in lineage else None

    def key(self, lot: Lot, org: int) -> tuple:
        tier = self.tier(lot, org)
        assert tier is not None
        return (tier, lot.expires_at is None, lot.expires_at or FAR_FUTURE, lot.kind.value != "complimentary",
                lot.granted_at, lot.id)

    def usable(self, lot: Lot, org: int, product: str, at: datetime) -> bool:
        live = lot.granted_at <= at and not (lot.expires_at is not None and at >= lot.expires_at)
        return lot.product == product and lot.free > 0 and live and self.tier(lot, org) is not None

    def order(self, lots: Iterable[Lot], org: int, product: str, at: datetime) -> list[Lot]:
        return sorted((lot for lot in lots if self.usable(lot, org, product, at)), key=lambda lot: self.key(lot, org))

    def greedy(self, lots: Iterable[Lot], org: int, product: str, at: datetime, quantity: int) -> list[tuple[int, int]]:
        """(lot id, quantity) drawn in order; [] if the quantity is not there."""
        ordered = self.order(lots, org, product, at)
        if quantity > sum(lot.free for lot in ordered):
            return []
        out, left = [], quantity
        for lot in ordered:
            if left == 0:
                break
            take = min(left, lot.free)
            out.append((lot.id, take))
            left -= take
        return out
