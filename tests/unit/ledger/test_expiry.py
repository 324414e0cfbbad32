"""Expiry: a lot is usable through its last UTC day, and only its free part expires."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from opsportal.domain.ledger.entries import EntryKind, apply, expire_due
from opsportal.domain.ledger.lots import end_of_day, last_usable_day
from opsportal.domain.ledger.plan import InsufficientBalance, available, plan_draw
from tests.unit.ledger.builders import ANCESTORS, CHILD_A, NOW, PRODUCT, ROOT, make_lot

DAY = date(2025, 3, 31)
LAST_MICROSECOND = datetime(2025, 3, 31, 23, 59, 59, 999999, tzinfo=UTC)
NEXT_MIDNIGHT = datetime(2025, 4, 1, tzinfo=UTC)


def test_end_of_day_is_the_utc_midnight_after_the_day():
    assert end_of_day(DAY) == NEXT_MIDNIGHT
    assert end_of_day(DAY).utcoffset() == timedelta(0)


def test_a_lot_expiring_on_a_day_is_usable_at_the_last_microsecond_of_that_utc_day():
    assert not make_lot(1, expires=DAY).is_expired(LAST_MICROSECOND)


def test_a_lot_expiring_on_a_day_is_usable_from_the_start_of_that_day():
    assert not make_lot(1, expires=DAY).is_expired(datetime(2025, 3, 31, tzinfo=UTC))


def test_a_lot_expiring_on_a_day_is_expired_at_the_next_midnight():
    assert make_lot(1, expires=DAY).is_expired(NEXT_MIDNIGHT)


def test_the_expiry_instant_is_compared_in_absolute_time_not_local_wall_time():
    tokyo = timezone(timedelta(hours=9))
    lot = make_lot(1, expires=DAY)
    # 08:59 on April 1st in Tokyo is 23:59 on March 31st UTC: still usable.
    assert not lot.is_expired(datetime(2025, 4, 1, 8, 59, tzinfo=tokyo))
    assert lot.is_expired(datetime(2025, 4, 1, 9, 0, tzinfo=tokyo))


def test_a_lot_without_expiry_never_expires():
    assert not make_lot(1, expires=None).is_expired(datetime(9999, 12, 31, tzinfo=UTC))


def test_the_day_shown_for_an_end_of_day_expiry_is_the_day_itself():
    assert last_usable_day(end_of_day(DAY)) == DAY


def test_the_day_shown_for_an_exact_instant_is_the_utc_day_of_that_instant():
    assert last_usable_day(datetime(2025, 3, 31, 15, 0, tzinfo=UTC)) == DAY
    assert last_usable_day(datetime(2025, 4, 1, 2, 0, tzinfo=timezone(timedelta(hours=5)))) == DAY


def test_an_expired_lot_is_never_drawn_even_before_any_expire_entry_exists():
    expired = make_lot(1, expires=date(2025, 3, 9), quantity=50)  # NOW is 2025-03-10; remaining still 50
    fresh = make_lot(2, expires=None, quantity=5)
    draws = plan_draw([expired, fresh], org_id=ROOT, ancestors=[], product=PRODUCT, quantity=5, at=NOW)
    assert [(d.lot_id, d.quantity) for d in draws] == [(2, 5)]
    with pytest.raises(InsufficientBalance) as raised:
        plan_draw([expired, fresh], org_id=ROOT, ancestors=[], product=PRODUCT, quantity=6, at=NOW)
    assert raised.value.available == 5


def test_an_expired_parent_lot_is_not_available_to_a_child():
    expired = make_lot(1, holder=ROOT, expires=date(2025, 3, 9))
    assert available([expired], org_id=CHILD_A, ancestors=ANCESTORS[CHILD_A], product=PRODUCT, at=NOW) == 0


def test_expire_due_expires_only_the_free_part_and_keeps_the_holds():
    lot = make_lot(1, expires=date(2025, 3, 9), quantity=10, remaining=8, held=3)
    [entry] = expire_due([lot], NOW)
    assert (entry.kind, entry.quantity, entry.delta_remaining, entry.delta_held) == (EntryKind.expire, 5, -5, 0)
    after = apply(lot, [entry])
    assert (after.remaining, after.held, after.free) == (3, 3, 0)


def test_expire_due_books_the_expiry_against_the_holder():
    lot = make_lot(1, holder=CHILD_A, expires=date(2025, 3, 9))
    [entry] = expire_due([lot], NOW)
    assert entry.org_id == CHILD_A and entry.lot_id == 1


def test_expire_due_ignores_lots_not_yet_expired_and_lots_without_expiry():
    lots = [make_lot(1, expires=date(2025, 3, 10)), make_lot(2, expires=None)]
    assert expire_due(lots, NOW) == []


def test_expire_due_ignores_an_expired_lot_whose_remainder_is_all_held():
    assert expire_due([make_lot(1, expires=date(2025, 3, 9), held=10)], NOW) == []


def test_expire_due_ignores_an_expired_lot_already_used_up():
    assert expire_due([make_lot(1, expires=date(2025, 3, 9), remaining=0)], NOW) == []


def test_expire_due_expires_a_lot_exactly_at_its_expiry_instant_and_not_a_microsecond_before():
    lot = make_lot(1, expires=DAY)
    assert expire_due([lot], LAST_MICROSECOND) == []
    assert len(expire_due([lot], NEXT_MIDNIGHT)) == 1


def test_running_expire_due_again_on_the_applied_result_yields_nothing():
    lots = [make_lot(1, expires=date(2025, 3, 1), held=4), make_lot(2, expires=date(2025, 2, 1)),
            make_lot(3, expires=None)]
    entries = expire_due(lots, NOW)
    after = [apply(lot, entries) for lot in lots]
    assert [(lot.remaining, lot.held) for lot in after] == [(4, 4), (0, 0), (10, 0)]
    assert expire_due(after, NOW) == []
    assert expire_due(after, NOW + timedelta(days=400)) == []
