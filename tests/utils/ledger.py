"""Ledger builders and SQL checks for the credit service and CLI tests.

Every time is fixed: tests pass ``at`` to the services so nothing depends on the wall clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text

from opsportal.db import get_engine
from opsportal.services import credits
from opsportal.services.operator import OPERATOR

# The clock of the ledger tests: a Monday morning, in the middle of a month.
NOW = datetime(2025, 3, 10, 9, 30, tzinfo=UTC)
LEDGER_TABLES = ("credit_lot", "ledger_entry", "credit_hold", "ticket")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0,
        microsecond: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, microsecond, tzinfo=UTC)


def day(offset: int, base: datetime = NOW) -> date:
    """The UTC calendar day ``offset`` days after ``base``."""
    return (base + timedelta(days=offset)).date()


def grant(org, quantity: int, *, product: str = "service_credits", kind: str = "purchased",
          expires: date | None = None, shared: bool = False, at: datetime = NOW) -> credits.LotPublic:
    """A lot granted by the operator (a staff administrator)."""
    return credits.grant(OPERATOR, org_id=org.id, product=product, quantity=quantity, kind=kind, expires=expires,
                         shared=shared, at=at)


def consume(org, quantity: int, *, product: str = "service_credits", category: str = "Infrastructure",
            ticket_id: int | None = None, at: datetime = NOW) -> list[credits.DrawPublic]:
    return credits.consume(OPERATOR, org_id=org.id, product=product, quantity=quantity, category=category,
                           ticket_id=ticket_id, at=at)


def open_ticket(org, *, title: str = "Printer on fire", category: str = "Infrastructure") -> int:
    return credits.open_ticket(OPERATOR, org_id=org.id, title=title, category=category)


def drawn(draws) -> list[tuple[int, int]]:
    """(lot id, quantity) of each draw, in draw order."""
    return [(d.lot_id, d.quantity) for d in draws]


def _rows(sql: str, **params) -> list[tuple]:
    with get_engine().connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def lot_balances() -> dict[int, tuple[int, int]]:
    """Every lot's cached (remaining, held)."""
    return {i: (r, h) for i, r, h in _rows("SELECT id, remaining, held FROM credit_lot ORDER BY id")}


def lot_row(lot_id: int) -> dict:
    with get_engine().connect() as conn:
        return dict(conn.execute(text("SELECT * FROM credit_lot WHERE id = :i"), {"i": lot_id}).mappings().one())


def ledger_counts() -> dict[str, int]:
    return {t: _rows(f"SELECT COUNT(*) FROM {t}")[0][0] for t in LEDGER_TABLES}


def ledger_state() -> dict[str, list[tuple]]:
    """Every row of the ledger's tables, in id order (to prove a refused call wrote nothing)."""
    return {t: _rows(f"SELECT * FROM {t} ORDER BY id") for t in LEDGER_TABLES}


def entries(lot_id: int | None = None) -> list[tuple]:
    """(kind, lot id, org id, quantity, delta_remaining, delta_held, ticket id, reason) in id order."""
    where = "" if lot_id is None else "WHERE lot_id = :lot"
    return _rows(f"SELECT kind, lot_id, org_id, quantity, delta_remaining, delta_held, ticket_id, reason "
                 f"FROM ledger_entry {where} ORDER BY id", lot=lot_id)


def cache_mismatches() -> list[str]:
    """Where a cached number disagrees with the sum of the entries it caches (empty when all agree).

    - every lot: remaining == SUM(delta_remaining) and held == SUM(delta_held) over its entries;
    - every (lot, ticket) pair: the credit_hold row's quantity == SUM(delta_held) of the pair's entries,
      and a pair whose sum is not zero has a credit_hold row;
    - no lot goes negative or holds more than it has.
    """
    problems = []
    lots = _rows("""
        SELECT l.id, l.remaining, l.held, COALESCE(SUM(e.delta_remaining), 0), COALESCE(SUM(e.delta_held), 0)
        FROM credit_lot l LEFT JOIN ledger_entry e ON e.lot_id = l.id
        GROUP BY l.id, l.remaining, l.held ORDER BY l.id""")
    for lot_id, remaining, held, sum_remaining, sum_held in lots:
        if (remaining, held) != (sum_remaining, sum_held):
            problems.append(f"lot {lot_id}: cached ({remaining}, {held}) != entries ({sum_remaining}, {sum_held})")
        if held < 0 or remaining < held:
            problems.append(f"lot {lot_id}: remaining {remaining} held {held}")
    holds = {(lot, ticket): q for lot, ticket, q in _rows("SELECT lot_id, ticket_id, quantity FROM credit_hold")}
    sums = {(lot, ticket): q for lot, ticket, q in _rows("""
        SELECT lot_id, ticket_id, SUM(delta_held) FROM ledger_entry WHERE ticket_id IS NOT NULL
        GROUP BY lot_id, ticket_id""")}
    for pair, quantity in holds.items():
        if sums.get(pair, 0) != quantity:
            problems.append(f"hold {pair}: row {quantity} != entries {sums.get(pair, 0)}")
    for pair, total in sums.items():
        if total and pair not in holds:
            problems.append(f"hold {pair}: entries sum to {total} but there is no credit_hold row")
    return problems
