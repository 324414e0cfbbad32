"""A time correction keeps the task's hold: minutes go back where they came from and are drawn again as a
fresh log would, so the task ends as if the corrected minutes had been logged directly (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from opsportal.db import get_engine
from opsportal.services import agent_work, credit_views, credits
from opsportal.services.errors import PermissionDenied
from opsportal.services.operator import OPERATOR
from tests.utils.ledger import NOW, cache_mismatches, day, lot_row
from tests.utils.tasks import (
    _rows,
    bill,
    correct,
    draws_of,
    entry_row,
    hours,
    log,
    logged_minutes_mismatches,
    new_task,
    set_rate,
    split_mismatches,
    task_state,
)

LATER = NOW + timedelta(hours=3)


def hold(task: int, minutes: int) -> None:
    credits.hold_for_ticket(OPERATOR, ticket_id=task, product="support_hours", quantity=minutes, at=NOW)


def held_for(task: int) -> dict[int, int]:
    """Lot id -> minutes the task holds."""
    return dict(_rows("SELECT lot_id, quantity FROM credit_hold WHERE ticket_id = :t AND quantity > 0", t=task))


def balance(lot) -> tuple[int, int]:
    row = lot_row(lot.id)
    return row["remaining"], row["held"]


def split(entry_id: int) -> tuple[int, int, int]:
    row = entry_row(entry_id)
    return row["prepaid_minutes"], row["payg_minutes"], row["payg_amount_minor"]


def ledger_of(entry_id: int) -> list[tuple[str, int, int, int]]:
    """(kind, lot id, quantity, delta_held) of the ledger entries a time entry wrote, in id order."""
    return _rows("SELECT kind, lot_id, quantity, delta_held FROM ledger_entry WHERE time_entry_id = :e ORDER BY id",
                 e=entry_id)


def assert_consistent() -> None:
    assert cache_mismatches() == []
    assert logged_minutes_mismatches() == []
    assert split_mismatches() == []


def test_a_correction_downward_gives_the_minutes_back_into_the_tasks_hold(world):
    own = hours(world.retail, 600)
    task = new_task(world.retail)
    hold(task, 120)
    entry = log(task, 90)
    assert (held_for(task), balance(own)) == ({own.id: 30}, (510, 30))

    corrected = correct(entry.id, 30)

    assert ledger_of(entry.id) == [("consume", own.id, 90, -90), ("refund", own.id, 90, 90),
                                   ("consume", own.id, 30, -30)]
    assert held_for(task) == {own.id: 90}
    assert balance(own) == (570, 90)
    summary = credit_views.balance(OPERATOR, world.retail.id, at=LATER)
    assert (summary.available, summary.in_play) == (480, 90)  # nothing leaked into the free hours
    assert (corrected.prepaid_minutes, corrected.payg_minutes) == (30, 0)
    assert_consistent()


def test_a_correction_upward_draws_the_tasks_hold_before_free_hours_that_come_earlier_in_the_order(world):
    lasting = hours(world.retail, 100)
    task = new_task(world.retail)
    hold(task, 100)
    soon = hours(world.retail, 300, expires=day(20))  # free, and first in the consumption order
    entry = log(task, 30)
    assert draws_of(entry.id) == [("consume", lasting.id, 30)]

    corrected = correct(entry.id, 150)

    assert ledger_of(entry.id)[1:] == [("refund", lasting.id, 30, 30), ("consume", lasting.id, 100, -100),
                                       ("consume", soon.id, 50, 0)]
    assert held_for(task) == {}
    assert (balance(lasting), balance(soon)) == ((0, 0), (250, 0))
    assert (corrected.prepaid_minutes, corrected.payg_minutes) == (150, 0)
    assert_consistent()


def test_a_correction_beyond_the_hold_and_the_free_hours_prices_the_rest_as_pay_as_you_go(world):
    set_rate(world.retail, 12_000)
    own = hours(world.retail, 100)
    task = new_task(world.retail)
    hold(task, 60)
    entry = log(task, 45)

    correct(entry.id, 160)

    assert split(entry.id) == (100, 60, 12_000)
    assert (held_for(task), balance(own)) == ({}, (0, 0))
    assert_consistent()


def _scenario(org, *, corrections: bool) -> tuple[int, list[int], list]:
    """Two lots and a task holding 60 minutes; three entries, corrected (or logged at their final minutes)."""
    set_rate(org, 12_000)
    held_lot = hours(org, 60, expires=day(200))
    free_lot = hours(org, 100, expires=day(400))
    task = new_task(org)
    hold(task, 60)
    if corrections:
        first, second, third = log(task, 50).id, log(task, 30).id, log(task, 90).id
        correct(first, 80)
        correct(third, 20, at=NOW + timedelta(hours=2))
        correct(first, 15, at=NOW + timedelta(hours=4))
        correct(second, 40, at=NOW + timedelta(hours=5))
    else:
        first, second, third = log(task, 15).id, log(task, 40).id, log(task, 20).id
    return task, [first, second, third], [held_lot, free_lot]


def test_after_corrections_holds_free_hours_and_every_entrys_split_are_as_if_the_final_minutes_were_logged(world):
    task, corrected_entries, corrected_lots = _scenario(world.retail, corrections=True)
    direct_task, direct_entries, direct_lots = _scenario(world.logistics, corrections=False)

    assert [split(e) for e in corrected_entries] == [split(e) for e in direct_entries] == [
        (15, 0, 0), (40, 0, 0), (20, 0, 0)]
    assert list(held_for(task).values()) == list(held_for(direct_task).values()) == []
    assert [balance(lot) for lot in corrected_lots] == [balance(lot) for lot in direct_lots] == [(0, 0), (85, 0)]
    assert_consistent()


def test_a_later_entry_that_fell_to_pay_as_you_go_is_covered_by_the_hold_a_correction_freed(world):
    set_rate(world.retail, 12_000)
    own = hours(world.retail, 90)
    task = new_task(world.retail)
    hold(task, 90)
    first = log(task, 80)
    second = log(task, 40)  # 10 from the hold, 30 pay-as-you-go
    assert split(second.id) == (10, 30, 6_000)

    correct(first.id, 20)

    assert (split(first.id), split(second.id)) == ((20, 0, 0), (40, 0, 0))
    assert (held_for(task), balance(own)) == ({own.id: 30}, (30, 30))
    assert_consistent()


def test_closing_the_task_after_corrections_releases_exactly_the_hold_its_time_did_not_use(world):
    own = hours(world.retail, 600)
    task = new_task(world.retail)
    hold(task, 120)
    first = log(task, 90)
    log(task, 20)  # 10 of the hold left
    correct(first.id, 40)  # 50 back into the hold: 60 left
    assert held_for(task) == {own.id: 60}

    agent_work.set_status(OPERATOR, task, "closed", at=LATER)

    assert held_for(task) == {}
    assert balance(own) == (540, 0)  # 60 minutes of time cost 60 minutes of hours; the other 60 came back
    assert credit_views.balance(OPERATOR, world.retail.id, at=LATER).available == 540
    assert _rows("SELECT kind, quantity FROM ledger_entry WHERE ticket_id = :t AND kind = 'release'", t=task) == [
        ("release", 60)]
    assert_consistent()


def test_correcting_time_on_a_closed_task_gives_its_hold_minutes_back_as_free_hours(world):
    own = hours(world.retail, 600)
    task = new_task(world.retail)
    hold(task, 120)
    entry = log(task, 90)
    agent_work.set_status(OPERATOR, task, "closed", at=NOW + timedelta(minutes=30))  # releases the other 30

    correct(entry.id, 60)

    assert ledger_of(entry.id)[1:] == [("refund", own.id, 90, 0), ("consume", own.id, 60, 0)]
    assert (held_for(task), balance(own)) == ({}, (540, 0))
    assert_consistent()


def test_a_billed_later_entry_keeps_its_draws_while_the_others_draw_again(world):
    own = hours(world.retail, 200)
    task = new_task(world.retail)
    hold(task, 60)
    first, second, third = log(task, 50), log(task, 20), log(task, 30)  # hold 50 | 10 + 10 free | 30 free
    bill(second.id)
    before = ledger_of(second.id)

    correct(first.id, 10)  # 40 back into the hold: the third entry takes 30 of it instead of free hours

    assert ledger_of(second.id) == before
    assert (split(first.id)[:2], split(second.id)[:2], split(third.id)[:2]) == ((10, 0), (20, 0), (30, 0))
    assert ledger_of(third.id)[-2:] == [("refund", own.id, 30, 0), ("consume", own.id, 30, -30)]
    assert (held_for(task), balance(own)) == ({own.id: 10}, (140, 10))
    assert_consistent()


@pytest.mark.parametrize("caller", ["fabrikam_owner", "retail_owner"])
def test_another_organizations_user_cannot_correct_time_and_the_hold_is_untouched(world, caller):
    hours(world.retail, 600)
    task = new_task(world.retail)
    hold(task, 120)
    entry = log(task, 90)
    before = task_state()

    with pytest.raises(PermissionDenied, match="^This area is for the support team only.$"):
        correct(entry.id, 30, by=world.actor(caller))

    assert task_state() == before


def test_corrections_and_new_time_racing_on_held_tasks_keep_every_tasks_hold_exact(world):
    from tests.services.test_tasks_concurrency import run_threads

    hours(world.retail, 2_000)
    hours(world.retail, 300, expires=day(30))
    tasks = [new_task(world.retail, subject=f"Task {n}") for n in range(4)]
    for task in tasks:
        hold(task, 100)
    firsts = {task: log(task, 30).id for task in tasks}

    def corrector(task: int):
        def work() -> None:
            for i in range(6):
                correct(firsts[task], 10 if i % 2 else 60, at=NOW + timedelta(minutes=1, seconds=i))
        return work

    def logger(task: int):
        def work() -> None:
            for i in range(6):
                log(task, 5, at=NOW + timedelta(minutes=1, seconds=i))
        return work

    errors, lowest = run_threads([corrector(t) for t in tasks] + [logger(t) for t in tasks])

    assert errors == []
    assert lowest >= 0
    for task in tasks:  # 10 + 6 x 5 minutes logged: 40 of the 100 held were used, whatever the interleaving
        assert (sum(held_for(task).values()), entry_row(firsts[task])["minutes"]) == (60, 10)
    assert_consistent()


@pytest.fixture
def lock_timeout_2s(world, database_url):
    """Every transaction of the app's engine waits at most 2 s for a lock, then fails (instead of hanging)."""
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite has no row locks: a writer holds the whole database from its first statement")
    engine = get_engine()

    def set_timeout(conn) -> None:
        conn.exec_driver_sql("SET LOCAL lock_timeout = '2s'")

    event.listen(engine, "begin", set_timeout)
    yield
    event.remove(engine, "begin", set_timeout)


def test_logging_and_correcting_time_wait_only_for_the_lots_they_draw_or_give_back_to(world, lock_timeout_2s):
    held_lot = hours(world.retail, 100, expires=day(5))
    task = new_task(world.retail)
    hold(task, 60)
    spare = hours(world.retail, 100, expires=day(300))  # usable, later in the order
    entry = log(task, 30)
    other = get_engine().connect()
    tx = other.begin()
    try:
        other.execute(text("SELECT id FROM credit_lot WHERE id = :i FOR UPDATE"), {"i": spare.id})

        correct(entry.id, 50)
        log(task, 40)  # 10 from the hold, 30 from the lot's free minutes
        # Control: time that needs the locked lot waits for it (and times out here).
        with pytest.raises(OperationalError, match="lock timeout"):
            log(task, 50)
    finally:
        tx.rollback()
        other.close()
    assert (balance(held_lot), balance(spare), held_for(task)) == ((10, 0), (100, 0), {})
    assert_consistent()


def test_time_reads_the_soonest_expiring_own_lots_first_and_every_lot_only_when_those_fall_short(world, monkeypatch):
    from opsportal.services import ledger_store

    monkeypatch.setattr(ledger_store, "HEAD_SIZE", 2)  # the head is the soonest lot alone
    full_reads = []
    every_lot = ledger_store.usable_lots
    monkeypatch.setattr(ledger_store, "usable_lots", lambda *a, **k: full_reads.append(1) or every_lot(*a, **k))
    parents = hours(world.holdings, 100, shared=True, expires=day(1))  # inherited: after every own lot
    soon = hours(world.retail, 30, expires=day(5))
    later = hours(world.retail, 30, expires=day(9))
    task = new_task(world.retail)

    first = log(task, 20)
    assert (draws_of(first.id), len(full_reads)) == ([("consume", soon.id, 20)], 0)

    second = log(task, 20)
    assert (draws_of(second.id), len(full_reads)) == ([("consume", soon.id, 10), ("consume", later.id, 10)], 1)

    correct(first.id, 70)
    assert ledger_of(first.id)[2:] == [("consume", soon.id, 30, 0), ("consume", later.id, 30, 0),
                                       ("consume", parents.id, 10, 0)]
    assert draws_of(second.id)[-1:] == [("consume", parents.id, 20)]
    assert [balance(lot) for lot in (soon, later, parents)] == [(0, 0), (0, 0), (70, 0)]
    assert_consistent()
