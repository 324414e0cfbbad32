"""Small builders for ledger unit tests: lots, a fixed organization tree and a fixed clock.

The tree used by the example tests::

    1 root
    ├── 2 child A
    │   └── 4 grandchild (under A)
    └── 3 child B
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from opsportal.domain.ledger.lots import Lot, LotKind, Scope, end_of_day
from opsportal.domain.ledger.order import explain, ordered_candidates

ROOT, CHILD_A, CHILD_B, GRANDCHILD = 1, 2, 3, 4
ANCESTORS = {ROOT: [], CHILD_A: [ROOT], CHILD_B: [ROOT], GRANDCHILD: [CHILD_A, ROOT]}

PRODUCT = "service_credits"
NOW = datetime(2025, 3, 10, 9, 30, tzinfo=UTC)
GRANTED = datetime(2025, 1, 1, tzinfo=UTC)


def expiry(value: date | datetime | None) -> datetime | None:
    """A date means "usable through that UTC day"; a datetime is an exact instant."""
    if value is None or isinstance(value, datetime):
        return value
    return end_of_day(value)


def days_from_now(days: int) -> date:
    return (NOW + timedelta(days=days)).date()


def make_lot(lot_id: int, *, holder: int = ROOT, quantity: int = 10, kind: LotKind = LotKind.purchased,
             expires: date | datetime | None = None, scope: Scope = Scope.shared, assigned: int | None = None,
             granted: datetime = GRANTED, product: str = PRODUCT, remaining: int | None = None,
             held: int = 0) -> Lot:
    return Lot(id=lot_id, product=product, holder_org_id=holder, kind=kind, quantity=quantity, granted_at=granted,
               expires_at=expiry(expires), scope=scope, assigned_org_id=assigned,
               remaining=quantity if remaining is None else remaining, held=held)


def order_of(lots, org_id: int, at: datetime = NOW, product: str = PRODUCT) -> list[int]:
    """The lot ids ``org_id`` would draw from, in the consumption order."""
    return [c.lot.id for c in ordered_candidates(lots, org_id, ANCESTORS[org_id], product, at)]


def explain_plain(candidate) -> str:
    return explain(candidate)
