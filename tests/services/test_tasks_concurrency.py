"""Agents logging and correcting time at once never overdraw prepaid hours (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import text

from opsportal.db import get_engine
from opsportal.services import agent_work
from opsportal.services.operator import OPERATOR
from tests.utils.ledger import NOW, cache_mismatches, day, lot_balances, lot_row
from tests.utils.tasks import hours, log, logged_minutes_mismatches, new_task, set_rate, split_mismatches

THREADS = 8
ENTRIES = 10
MINUTES = 25


def run_threads(workers) -> tuple[list[BaseException], int]:
    """Runs each callable in a thread of its own, all released at once; returns the errors raised and the
    lowest remaining or free quantity any lot showed meanwhile."""
    barrier = threading.Barrier(len(workers) + 1)
    done = threading.Event()
    errors: list[BaseException] = []
    lowest = [0]
    lock = threading.Lock()

    def run(work) -> None:
        barrier.wait()
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            with lock:
                errors.append(exc)

    def watch() -> None:
        barrier.wait()
        while not done.is_set():
            for remaining, held in lot_balances().values():
                lowest[0] = min(lowest[0], remaining, remaining - held)

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    watcher = threading.Thread(target=watch)
    for t in [*threads, watcher]:
        t.start()
    for t in threads:
        t.join(timeout=120)
    done.set()
    watcher.join(timeout=10)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    return errors, lowest[0]


def totals(org_id: int) -> tuple[int, int, int, int]:
    """(entries, minutes, prepaid minutes, pay-as-you-go minutes) of the organization's time."""
    with get_engine().connect() as conn:
        return tuple(conn.execute(text(
            "SELECT COUNT(*), COALESCE(SUM(minutes), 0), COALESCE(SUM(prepaid_minutes), 0), "
            "COALESCE(SUM(payg_minutes), 0) FROM time_entry WHERE organization_id = :o"), {"o": org_id}).one())


def test_eight_agents_logging_at_once_draw_exactly_the_prepaid_hours_and_the_rest_is_pay_as_you_go(world):
    set_rate(world.retail, 12_000)
    own = hours(world.retail, 400)
    shared = hours(world.holdings, 600, shared=True)
    task_ids = [new_task(world.retail, subject=f"Task {n}") for n in range(THREADS // 2)]

    def agent(n: int):
        def work() -> None:
            for i in range(ENTRIES):
                log(task_ids[n % len(task_ids)], MINUTES, at=NOW + timedelta(seconds=i))
        return work

    errors, lowest = run_threads([agent(n) for n in range(THREADS)])

    assert errors == []
    count, minutes, prepaid, payg = totals(world.retail.id)
    assert (count, minutes) == (THREADS * ENTRIES, THREADS * ENTRIES * MINUTES)
    assert prepaid == min(minutes, 1000) == 1000
    assert payg == minutes - prepaid
    assert (lot_row(own.id)["remaining"], lot_row(shared.id)["remaining"]) == (0, 0)
    assert lowest >= 0
    assert cache_mismatches() == []
    assert logged_minutes_mismatches() == []
    assert split_mismatches() == []


def test_corrections_racing_new_time_on_the_same_lots_neither_deadlock_nor_overdraw(world):
    # The lot drawn first (expiring soon) has the higher id: a correction gives back to it while a
    # new entry starts locking at the lower id.
    lasting = hours(world.retail, 2_000)
    soon = hours(world.retail, 300, expires=day(30))
    task_ids = [new_task(world.retail, subject=f"Task {n}") for n in range(4)]
    entries = [log(task_ids[n % 4], 30, at=NOW).id for n in range(THREADS)]
    assert lot_row(soon.id)["remaining"] == 300 - THREADS * 30

    def corrector(entry_id: int):
        def work() -> None:
            for i in range(ENTRIES):
                agent_work.correct_time(OPERATOR, entry_id, minutes=10 if i % 2 else 40, work_date=NOW.date(),
                                        note="", reason="Re-timed", at=NOW + timedelta(minutes=1, seconds=i))
        return work

    def logger(task_id: int):
        def work() -> None:
            for i in range(ENTRIES):
                log(task_id, 5, at=NOW + timedelta(minutes=1, seconds=i))
        return work

    workers = [corrector(e) for e in entries[:THREADS // 2]] + [logger(t) for t in task_ids]
    errors, lowest = run_threads(workers)

    assert errors == []
    count, minutes, prepaid, payg = totals(world.retail.id)
    assert (minutes, prepaid, payg) == (minutes, minutes, 0)  # 2,300 minutes cover everything
    drawn = 2_300 - lot_row(lasting.id)["remaining"] - lot_row(soon.id)["remaining"]
    assert drawn == minutes
    assert lowest >= 0
    assert cache_mismatches() == []
    assert logged_minutes_mismatches() == []
    assert split_mismatches() == []
