"""Concurrent writers never spend the same credit twice (SQLite: BEGIN IMMEDIATE; PostgreSQL: row locks)."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from sqlalchemy import text

from opsportal.db import get_engine
from opsportal.services import credits
from opsportal.services.errors import Conflict
from opsportal.services.operator import OPERATOR
from tests.utils.ledger import NOW, cache_mismatches, grant, lot_balances, lot_row, open_ticket

SC = "service_credits"
THREADS = 8
TRIES = 10
TAKE = 2


def run_consumers(orgs) -> tuple[Counter, list[BaseException], int]:
    """One thread per entry of ``orgs``, all released at once, each trying TRIES times to take TAKE.

    Returns successes per organization id, unexpected errors, and the lowest cached remaining or
    free quantity any lot showed while the threads ran.
    """
    barrier = threading.Barrier(len(orgs) + 1)
    done = threading.Event()
    successes: Counter = Counter()
    unexpected: list[BaseException] = []
    lowest = [0]
    lock = threading.Lock()

    def consumer(org_id: int) -> None:
        barrier.wait()
        for _ in range(TRIES):
            try:
                credits.consume(OPERATOR, org_id=org_id, product=SC, quantity=TAKE, category="Load test", at=NOW)
            except Conflict:
                continue
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                with lock:
                    unexpected.append(exc)
                return
            with lock:
                successes[org_id] += 1

    def watcher() -> None:
        barrier.wait()
        while not done.is_set():
            for remaining, held in lot_balances().values():
                lowest[0] = min(lowest[0], remaining, remaining - held)

    threads = [threading.Thread(target=consumer, args=(org.id,)) for org in orgs]
    watch = threading.Thread(target=watcher)
    for t in threads:
        t.start()
    watch.start()
    for t in threads:
        t.join(timeout=60)
    done.set()
    watch.join(timeout=10)
    assert not any(t.is_alive() for t in threads), "a consumer hung"
    return successes, unexpected, lowest[0]


def consumed_by(org_id: int) -> int:
    with get_engine().connect() as conn:
        return conn.execute(text("SELECT COALESCE(SUM(quantity), 0) FROM ledger_entry "
                                 "WHERE kind = 'consume' AND org_id = :o"), {"o": org_id}).scalar_one()


def test_eight_threads_consuming_one_lot_take_exactly_what_is_there_and_the_rest_is_refused(world):
    lot = grant(world.retail, 100)

    successes, unexpected, lowest = run_consumers([world.retail] * THREADS)

    assert unexpected == []
    requested = THREADS * TRIES * TAKE
    assert successes[world.retail.id] * TAKE == min(requested, 100) == consumed_by(world.retail.id)
    assert lot_row(lot.id)["remaining"] == 0
    assert lowest >= 0
    assert cache_mismatches() == []


def test_children_racing_for_their_parents_shared_lot_never_overdraw_it(world):
    retail_own = grant(world.retail, 20)
    logistics_own = grant(world.logistics, 20)
    shared = grant(world.holdings, 60, shared=True)

    successes, unexpected, lowest = run_consumers([world.retail, world.logistics] * (THREADS // 2))

    assert unexpected == []
    # Each child asks for 80 (its own 20 and all 60 shared); together they can only get 100.
    total = (successes[world.retail.id] + successes[world.logistics.id]) * TAKE
    assert total == 100 == consumed_by(world.retail.id) + consumed_by(world.logistics.id)
    assert [lot_row(i)["remaining"] for i in (retail_own.id, logistics_own.id, shared.id)] == [0, 0, 0]
    assert lowest >= 0
    assert cache_mismatches() == []


def _wait_until_blocked(url: str, seconds: float = 10.0) -> None:
    """Until another connection waits for a lock (PostgreSQL), or a moment (SQLite's busy wait is invisible)."""
    if url.startswith("sqlite"):
        time.sleep(0.3)
        return
    deadline = time.monotonic() + seconds
    with get_engine().connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute(text("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                                        "AND wait_event_type = 'Lock'")).scalar_one()
            conn.rollback()
            if waiting:
                return
            time.sleep(0.02)
    raise AssertionError("the use case never waited for the ticket's lock")


@pytest.mark.parametrize("action", ["hold", "settle"])
def test_a_ticket_closed_while_a_use_case_waits_for_it_is_treated_as_closed(world, database_url, action):
    lot = grant(world.retail, 100)
    ticket = open_ticket(world.retail)
    credits.hold_for_ticket(OPERATOR, ticket_id=ticket, product=SC, quantity=10, at=NOW)
    calls = {
        "hold": lambda: credits.hold_for_ticket(OPERATOR, ticket_id=ticket, product=SC, quantity=5, at=NOW),
        "settle": lambda: credits.settle_ticket(OPERATOR, ticket_id=ticket, used={SC: 10}, at=NOW),
    }
    outcome: list[object] = []

    # Another writer (a second settle, say) holds the ticket's row (PostgreSQL) or the write lock (SQLite).
    other = get_engine().connect().execution_options(opsportal_write=True)
    tx = other.begin()
    try:
        other.execute(text("SELECT id FROM ticket WHERE id = :t FOR UPDATE" if not database_url.startswith("sqlite")
                           else "SELECT id FROM ticket WHERE id = :t"), {"t": ticket})

        def call() -> None:
            try:
                outcome.append(calls[action]())
            except BaseException as exc:  # noqa: BLE001 - inspected below
                outcome.append(exc)

        worker = threading.Thread(target=call)
        worker.start()
        _wait_until_blocked(database_url)
        other.execute(text("UPDATE ticket SET status = 'closed' WHERE id = :t"), {"t": ticket})
        tx.commit()
    finally:
        if tx.is_active:
            tx.rollback()
        other.close()
    worker.join(timeout=30)

    assert len(outcome) == 1 and isinstance(outcome[0], Conflict), outcome
    assert str(outcome[0]) == f"Ticket {ticket} is closed."
    assert (lot_row(lot.id)["remaining"], lot_row(lot.id)["held"]) == (100, 10)
