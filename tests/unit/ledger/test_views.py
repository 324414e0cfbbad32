"""Read models: the expiry schedule and its buckets."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from opsportal.domain.ledger.lots import end_of_day
from opsportal.domain.ledger.views import BUCKETS, bucket_for, days_until_expiry, expiry_schedule
from tests.unit.ledger.builders import NOW, days_from_now, make_lot


@pytest.mark.parametrize(("days", "bucket"), [
    (0, "0-30"), (30, "0-30"), (31, "31-60"), (60, "31-60"), (61, "61-90"), (90, "61-90"),
    (91, "91-120"), (120, "91-120"), (121, "later"), (10_000, "later"), (None, "none"),
])
def test_days_until_expiry_fall_into_the_dashboard_buckets(days, bucket):
    assert bucket_for(days) == bucket


def test_days_until_expiry_is_zero_on_the_last_usable_day_from_its_first_to_its_last_instant():
    lot = make_lot(1, expires=date(2025, 3, 31))
    assert days_until_expiry(lot, datetime(2025, 3, 31, tzinfo=UTC)) == 0
    assert days_until_expiry(lot, datetime(2025, 3, 31, 23, 59, 59, 999999, tzinfo=UTC)) == 0


def test_days_until_expiry_is_one_the_day_before_the_last_usable_day():
    lot = make_lot(1, expires=date(2025, 3, 31))
    assert days_until_expiry(lot, datetime(2025, 3, 30, 23, 0, tzinfo=UTC)) == 1


def test_days_until_expiry_counts_the_utc_day_whatever_the_time_zone_of_the_clock():
    lot = make_lot(1, expires=date(2025, 3, 31))
    # 2025-03-31 01:00 in Tokyo is 2025-03-30 16:00 UTC: one day left, not zero.
    assert days_until_expiry(lot, datetime(2025, 3, 31, 1, 0, tzinfo=timezone(timedelta(hours=9)))) == 1
    # 2025-03-31 20:00 in New York is 2025-04-01 00:00 UTC, when the lot has expired; still never negative
    # for a lot that is usable.
    at = datetime(2025, 3, 31, 19, 59, tzinfo=timezone(timedelta(hours=-4)))
    assert not lot.is_expired(at) and days_until_expiry(lot, at) == 0


def test_days_until_expiry_of_a_lot_without_expiry_is_none():
    assert days_until_expiry(make_lot(1, expires=None), NOW) is None


def test_days_until_an_exact_instant_counts_to_that_instants_utc_day():
    lot = make_lot(1, expires=datetime(2025, 3, 12, 6, 0, tzinfo=UTC))
    assert days_until_expiry(lot, NOW) == 2


def test_the_schedule_has_every_bucket_even_when_empty():
    assert expiry_schedule([], NOW) == dict.fromkeys(BUCKETS, 0)


def test_the_schedule_sums_free_quantities_of_unexpired_lots_by_bucket():
    lots = [
        make_lot(1, quantity=10, expires=days_from_now(0)),
        make_lot(2, quantity=5, expires=days_from_now(30)),
        make_lot(3, quantity=7, expires=days_from_now(31)),
        make_lot(4, quantity=2, expires=days_from_now(120)),
        make_lot(5, quantity=3, expires=days_from_now(121)),
        make_lot(6, quantity=4, expires=None),
    ]
    assert expiry_schedule(lots, NOW) == {"0-30": 15, "31-60": 7, "61-90": 0, "91-120": 2, "later": 3, "none": 4}


def test_the_schedule_leaves_out_held_quantity():
    lots = [make_lot(1, quantity=10, remaining=8, held=5, expires=days_from_now(3))]
    assert expiry_schedule(lots, NOW)["0-30"] == 3


def test_the_schedule_leaves_out_lots_past_expiry_even_before_they_are_expired_by_the_job():
    lots = [make_lot(1, quantity=10, expires=days_from_now(-1)), make_lot(2, quantity=1, expires=days_from_now(0))]
    assert expiry_schedule(lots, NOW)["0-30"] == 1


def test_a_lot_stops_counting_in_the_schedule_at_its_expiry_instant():
    lot = make_lot(1, quantity=10, expires=date(2025, 3, 31))
    assert expiry_schedule([lot], end_of_day(date(2025, 3, 31)) - timedelta(microseconds=1))["0-30"] == 10
    assert sum(expiry_schedule([lot], end_of_day(date(2025, 3, 31))).values()) == 0


def test_the_schedule_leaves_out_lots_granted_after_the_reading_time():
    lots = [make_lot(1, quantity=10, expires=days_from_now(3), granted=NOW + timedelta(hours=1))]
    assert sum(expiry_schedule(lots, NOW).values()) == 0
