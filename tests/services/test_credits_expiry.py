"""Expiry: the last usable day, the expiry job, holds past expiry, and the expiry views (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest
from sqlmodel import select

from opsportal.db import dispose_engines, unit_of_work
from opsportal.models import CreditLot
from opsportal.services import credit_views, credits, ledger_store
from opsportal.services.errors import Conflict
from opsportal.services.operator import OPERATOR
from tests.utils.ledger import (
    NOW,
    cache_mismatches,
    consume,
    day,
    entries,
    grant,
    ledger_state,
    lot_row,
    open_ticket,
    utc,
)

SC = "service_credits"


def balance(org, at):
    return credit_views.balance(OPERATOR, org.id, product=SC, at=at)


def test_a_lot_is_usable_through_the_end_of_its_expiry_day_and_not_from_the_next_midnight(world):
    lot = grant(world.retail, 10, expires=day(5))  # 2025-03-15, usable until 2025-03-16T00:00Z
    last_moment = utc(2025, 3, 15, 23, 59, 59, 999999)
    midnight = utc(2025, 3, 16)

    assert balance(world.retail, last_moment).available == 10
    assert [lot.id for lot in balance(world.retail, last_moment).lots] == [lot.id]
    assert consume(world.retail, 1, at=last_moment)[0].lot_id == lot.id

    # The expiry job has not run: reads and draws at midnight still treat the lot as expired.
    assert lot_row(lot.id)["remaining"] == 9
    at_midnight = balance(world.retail, midnight)
    assert (at_midnight.available, at_midnight.lots) == (0, [])
    summary = next(s for s in credit_views.summary(OPERATOR, world.retail.id, at=midnight) if s.product == SC)
    assert summary.available == 0
    with pytest.raises(Conflict, match="available 0 credits"):
        consume(world.retail, 1, at=midnight)
    ticket = open_ticket(world.retail)
    with pytest.raises(Conflict, match="available 0 credits"):
        credits.hold_for_ticket(OPERATOR, ticket_id=ticket, product=SC, quantity=1, at=midnight)


def test_the_expiry_job_expires_free_remainders_once_and_changes_nothing_the_second_time(world):
    due = grant(world.retail, 10, expires=day(1))
    later = grant(world.retail, 20, expires=day(40))
    forever = grant(world.retail, 5)
    consume(world.retail, 3)
    run_at = utc(2025, 3, 12, 6)

    assert credits.expire_due(OPERATOR, at=run_at) == 7
    after_first = ledger_state()
    assert credits.expire_due(OPERATOR, at=run_at) == 0
    assert credits.expire_due(OPERATOR, at=run_at + timedelta(days=1)) == 0

    assert ledger_state() == after_first
    assert [e[:6] for e in entries(due.id) if e[0] == "expire"] == [("expire", due.id, world.retail.id, 7, -7, 0)]
    assert [(lot_row(i)["remaining"]) for i in (due.id, later.id, forever.id)] == [0, 20, 5]
    assert cache_mismatches() == []


def test_a_hold_outlives_its_lots_expiry_and_what_is_released_afterwards_expires_at_once(world):
    lot = grant(world.retail, 100, expires=day(5))
    ticket = open_ticket(world.retail, category="Infrastructure")
    credits.hold_for_ticket(OPERATOR, ticket_id=ticket, product=SC, quantity=30, at=NOW)
    after_expiry = utc(2025, 3, 17)

    assert credits.expire_due(OPERATOR, at=after_expiry) == 70
    assert (lot_row(lot.id)["remaining"], lot_row(lot.id)["held"]) == (30, 30)
    summary = next(s for s in credit_views.summary(OPERATOR, world.retail.id, at=after_expiry) if s.product == SC)
    assert (summary.available, summary.in_play) == (0, 30)
    assert credit_views.ticket_snapshot(OPERATOR, ticket).held == {SC: 30}
    assert credits.expire_due(OPERATOR, at=after_expiry) == 0  # the held part is not the job's to expire

    settled_at = utc(2025, 3, 18, 14)
    credits.settle_ticket(OPERATOR, ticket_id=ticket, used={SC: 10}, at=settled_at)

    assert (lot_row(lot.id)["remaining"], lot_row(lot.id)["held"]) == (0, 0)
    assert [(kind, q, reason) for kind, _l, _o, q, _r, _h, _t, reason in entries(lot.id)][-3:] == [
        ("consume", 10, "used on the ticket it was held for"),
        ("release", 20, "not needed when the ticket closed"),
        ("expire", 20, "released after the lot's expiry"),
    ]
    assert credit_views.expired_by_month(OPERATOR, world.retail.id, product=SC, at=settled_at) == [("2025-03", 90)]
    assert cache_mismatches() == []


def test_expired_credits_are_grouped_by_month_over_the_last_365_days(world):
    long_ago = utc(2024, 1, 1)
    for expires, quantity in [((2024, 2, 20), 1),  # expired 2024-02-21: more than 365 days before NOW
                              ((2024, 4, 14), 2), ((2024, 4, 20), 4), ((2024, 11, 5), 8), ((2025, 3, 1), 16),
                              ((2025, 3, 20), 32)]:  # not expired yet at NOW
        grant(world.retail, quantity, expires=utc(*expires).date(), at=long_ago)
    grant(world.logistics, 64, expires=utc(2024, 6, 1).date(), at=long_ago)  # a sibling's expiry
    grant(world.holdings, 128, shared=True, expires=utc(2024, 6, 1).date(), at=long_ago)  # the parent's lot
    credits.expire_due(OPERATOR, at=NOW)

    assert credit_views.expired_by_month(OPERATOR, world.retail.id, product=SC, at=NOW) == [
        ("2024-04", 6), ("2024-11", 8), ("2025-03", 16)]
    assert credit_views.expired_by_month(OPERATOR, world.retail.id, product=SC, at=utc(2025, 2, 1)) == [
        ("2024-02", 1), ("2024-04", 6), ("2024-11", 8)]
    assert credit_views.expired_by_month(OPERATOR, world.retail.id, product="support_hours", at=NOW) == []


def test_expired_credits_are_grouped_by_utc_month_whatever_the_database_sessions_time_zone(world, monkeypatch):
    lot = grant(world.retail, 50, expires=utc(2024, 10, 20).date(), at=utc(2024, 10, 1))
    ticket = open_ticket(world.retail)
    credits.hold_for_ticket(OPERATOR, ticket_id=ticket, product=SC, quantity=20, at=utc(2024, 10, 2))
    credits.expire_due(OPERATOR, at=utc(2024, 10, 25))
    # Released on the evening of 31 October (UTC), after the lot's expiry: it expires then.
    credits.settle_ticket(OPERATOR, ticket_id=ticket, used={SC: 0}, at=utc(2024, 10, 31, 20))
    assert lot_row(lot.id)["remaining"] == 0

    # A PostgreSQL server (or client) set to a zone ahead of UTC; SQLite has no session zone.
    monkeypatch.setenv("PGTZ", "Asia/Tokyo")
    dispose_engines()

    assert credit_views.expired_by_month(OPERATOR, world.retail.id, product=SC, at=utc(2024, 12, 1)) == [
        ("2024-10", 50)]


def test_the_expiry_schedule_buckets_free_credit_by_days_until_its_last_usable_day(world):
    held = grant(world.retail, 2048, expires=day(10))
    ticket = open_ticket(world.retail)
    credits.hold_for_ticket(OPERATOR, ticket_id=ticket, product=SC, quantity=2047, at=NOW)  # all of `held` but 1
    assert lot_row(held.id)["held"] == 2047
    for offset, quantity in [(0, 1), (30, 2), (31, 4), (60, 8), (61, 16), (90, 32), (91, 64), (120, 128),
                             (121, 256), (None, 512)]:
        grant(world.retail, quantity, expires=None if offset is None else day(offset))
    grant(world.holdings, 1024, shared=True, expires=day(45))  # the parent's shared lot counts for the child
    grant(world.logistics, 4096, expires=day(10))  # a sibling's lot
    grant(world.retail, 8192, expires=day(-1), at=NOW - timedelta(days=5))  # expired yesterday, job not run
    grant(world.holdings, 16384, expires=day(10))  # the parent's own lot

    result = balance(world.retail, NOW)

    assert result.expiry_schedule == {"0-30": 1 + 2 + 1, "31-60": 4 + 8 + 1024, "61-90": 16 + 32,
                                      "91-120": 64 + 128, "later": 256, "none": 512}
    assert result.available == sum(result.expiry_schedule.values())
    assert result.in_play == 2047


def test_the_expiry_schedule_counts_days_from_the_utc_date_of_the_moment_asked_about(world):
    grant(world.retail, 7, expires=utc(2025, 4, 10).date())
    # 22:00 on 10 March in New York is already 11 March in UTC: 10 April is 30 days away, not 31.
    evening_in_new_york = utc(2025, 3, 11, 3).astimezone(timezone(timedelta(hours=-5)))

    assert balance(world.retail, evening_in_new_york).expiry_schedule["0-30"] == 7


def test_a_lot_expiring_on_the_last_day_of_a_month_counts_as_expired_in_that_month(world):
    grant(world.retail, 7, expires=utc(2024, 10, 31).date(), at=utc(2024, 10, 1))
    credits.expire_due(OPERATOR, at=utc(2024, 11, 2))
    assert credit_views.expired_by_month(OPERATOR, world.retail.id, product=SC, at=utc(2024, 12, 1)) == [
        ("2024-10", 7)]


def test_a_parents_lot_allocated_to_one_child_expires_as_that_childs_loss(world):
    lot = grant(world.holdings, 9, expires=utc(2024, 6, 10).date(), at=utc(2024, 6, 1))
    credits.allocate(OPERATOR, lot_id=lot.id, to_org_id=world.retail.id)
    credits.expire_due(OPERATOR, at=utc(2024, 7, 1))
    assert credit_views.expired_by_month(OPERATOR, world.retail.id, product=SC, at=utc(2024, 8, 1)) == [
        ("2024-06", 9)]
    assert credit_views.expired_by_month(OPERATOR, world.holdings.id, product=SC, at=utc(2024, 8, 1)) == []


def test_the_sql_live_lot_condition_matches_the_domains_rule_at_every_boundary(world):
    granted_later = grant(world.retail, 3, at=NOW + timedelta(hours=1))
    lots = [grant(world.retail, 5, expires=day(0)), grant(world.retail, 5, expires=day(1)),
            grant(world.retail, 5), granted_later]
    credits.hold_for_ticket(OPERATOR, ticket_id=open_ticket(world.retail), product=SC, quantity=5,
                            at=NOW)  # the first lot (soonest expiry) is all held: live, but nothing free
    moments = [NOW, NOW + timedelta(hours=1), utc(2025, 3, 10, 23, 59, 59, 999999), utc(2025, 3, 11),
               utc(2025, 3, 12)]
    with unit_of_work(write=False) as session:
        rows = session.exec(select(CreditLot).where(CreditLot.id.in_([lot.id for lot in lots]))).all()
        for at in moments:
            for free_only in (True, False):
                found = set(session.exec(select(CreditLot.id).where(
                    CreditLot.id.in_([lot.id for lot in lots]), ledger_store.live_lots(at, free_only=free_only)
                )).all())
                expected = {r.id for r in rows
                            if ledger_store.to_domain(r).is_live(at) and (ledger_store.to_domain(r).free > 0
                                                                          or not free_only)}
                assert found == expected, (at, free_only)
