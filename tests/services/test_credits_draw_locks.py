"""A draw locks only the lots it takes from, re-checks them under lock, and plans again when they changed.

PostgreSQL: the head of the consumption order is read without locks, the domain plans, and only the
planned lots are locked, by the UPDATE that moves their balance, and checked as they were just before
it. SQLite: a writer holds the whole database (BEGIN IMMEDIATE), so the tests about interleavings
between planning and locking run on PostgreSQL only.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from opsportal.db import get_engine
from opsportal.services import ledger_store
from opsportal.services.errors import Conflict
from tests.utils.ledger import cache_mismatches, consume, day, drawn, grant, lot_row

SC = "service_credits"
NO_ROW_LOCKS = "SQLite has no row locks: a writer holds the whole database from its first statement"


def _postgres_only(database_url: str) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip(NO_ROW_LOCKS)


def test_many_threads_drawing_on_one_organization_never_spend_a_credit_twice_and_drain_lots_in_order(world):
    # 30 lots of 10, nearest expiry first; 8 threads ask for 2 at a time, 100 in all: most lots stay untouched.
    lots = [grant(world.retail, 10, expires=day(10 + i)) for i in range(30)]
    threads, tries, take = 8, 6, 2
    barrier = threading.Barrier(threads)
    ok: Counter = Counter()
    unexpected: list[BaseException] = []
    guard = threading.Lock()

    def consumer() -> None:
        barrier.wait()
        for _ in range(tries):
            try:
                consume(world.retail, take)
            except Conflict:  # LotsBusy: other writers kept draining the planned lots; nothing drawn
                with guard:
                    ok["busy"] += 1
                continue
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                with guard:
                    unexpected.append(exc)
                return
            with guard:
                ok["drawn"] += 1

    pool = [threading.Thread(target=consumer) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=60)

    assert not any(t.is_alive() for t in pool), "a consumer hung"
    assert unexpected == []
    remaining = [lot_row(lot.id)["remaining"] for lot in lots]
    assert 300 - sum(remaining) == ok["drawn"] * take
    assert ok["drawn"] + ok["busy"] == threads * tries
    # Whatever the interleaving, the draws took the lots in the consumption order: empty lots first,
    # at most one partly drawn lot, then untouched ones.
    emptied = remaining.count(0)
    assert remaining == [0] * emptied + remaining[emptied:emptied + 1] + [10] * (29 - emptied)
    assert cache_mismatches() == []


def test_a_draw_whose_planned_lot_is_drained_before_it_locks_plans_again_and_takes_the_next_lot(
        world, database_url, monkeypatch):
    _postgres_only(database_url)
    first = grant(world.retail, 10, expires=day(5))
    second = grant(world.retail, 10, expires=day(9))
    plans: list[list[tuple[int, int]]] = []
    rival: list = []

    def between_plan_and_lock(_session, specs) -> None:
        plans.append([(s.lot_id, s.quantity) for s in specs])
        if not rival:
            rival.append(None)
            # Another unit of work (its own connection) drains the planned lot and commits.
            rival[0] = consume(world.retail, 10)

    monkeypatch.setattr(ledger_store, "before_lock", between_plan_and_lock)
    draws = consume(world.retail, 4)

    assert drawn(rival[0]) == [(first.id, 10)]
    # The outer draw planned on the first lot, found it empty under lock, and planned again.
    assert plans == [[(first.id, 4)], [(first.id, 10)], [(second.id, 4)]]
    assert drawn(draws) == [(second.id, 4)]
    assert draws[0].reason.startswith("1st choice:")
    assert (lot_row(first.id)["remaining"], lot_row(second.id)["remaining"]) == (0, 6)
    assert cache_mismatches() == []


def test_a_draw_that_keeps_losing_its_lots_gives_up_after_a_few_plans_and_changes_nothing(
        world, database_url, monkeypatch):
    _postgres_only(database_url)
    lots = [grant(world.retail, 3, expires=day(5 + i)) for i in range(ledger_store.MAX_PLAN_ATTEMPTS + 1)]
    calls = [0]

    def rival_drains_the_planned_lot(_session, specs) -> None:
        calls[0] += 1
        if calls[0] % 2:  # the outer draw's plans (the rival's own call comes in between)
            consume(world.retail, 3)

    monkeypatch.setattr(ledger_store, "before_lock", rival_drains_the_planned_lot)
    with pytest.raises(ledger_store.LotsBusy, match="nothing was drawn"):
        consume(world.retail, 2)

    remaining = [lot_row(lot.id)["remaining"] for lot in lots]
    assert remaining == [0] * ledger_store.MAX_PLAN_ATTEMPTS + [3]
    assert cache_mismatches() == []


@pytest.fixture
def lock_timeout_2s(world, database_url):
    """Every transaction of the app's engine waits at most 2 s for a lock, then fails (instead of hanging)."""
    _postgres_only(database_url)
    engine = get_engine()

    def set_timeout(conn) -> None:
        conn.exec_driver_sql("SET LOCAL lock_timeout = '2s'")

    event.listen(engine, "begin", set_timeout)
    yield
    event.remove(engine, "begin", set_timeout)


def test_a_draw_does_not_wait_for_a_lock_on_a_lot_it_does_not_take_from(world, lock_timeout_2s):
    soon = grant(world.retail, 10, expires=day(5))
    later = grant(world.retail, 10, expires=day(9))
    other = get_engine().connect()
    tx = other.begin()
    try:
        # Another transaction (a correction, say) holds the later lot.
        other.execute(text("SELECT id FROM credit_lot WHERE id = :i FOR UPDATE"), {"i": later.id})

        assert drawn(consume(world.retail, 10)) == [(soon.id, 10)]
        # Control: a draw that needs the held lot does wait for it (and times out here).
        with pytest.raises(OperationalError, match="lock timeout"):
            consume(world.retail, 1)
    finally:
        tx.rollback()
        other.close()
    assert (lot_row(soon.id)["remaining"], lot_row(later.id)["remaining"]) == (0, 10)
    assert cache_mismatches() == []


def test_draws_read_the_soonest_expiring_own_lots_first_and_everything_when_those_fall_short(world, monkeypatch):
    monkeypatch.setattr(ledger_store, "HEAD_SIZE", 2)  # the head read stops inside a tie on expiry
    parents = grant(world.holdings, 50, shared=True, expires=day(1))  # inherited: after every own lot
    soon = grant(world.retail, 3, expires=day(5))
    tie_purchased = grant(world.retail, 3, expires=day(9))
    tie_complimentary = grant(world.retail, 3, kind="complimentary", expires=day(9))
    never = grant(world.retail, 3)

    assert drawn(consume(world.retail, 2)) == [(soon.id, 2)]
    assert drawn(consume(world.retail, 3)) == [(soon.id, 1), (tie_complimentary.id, 2)]
    assert drawn(consume(world.retail, 6)) == [(tie_complimentary.id, 1), (tie_purchased.id, 3), (never.id, 2)]
    assert drawn(consume(world.retail, 2)) == [(never.id, 1), (parents.id, 1)]
    assert cache_mismatches() == []
