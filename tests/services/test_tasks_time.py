"""Logged time draws prepaid hours in the consumption order; the rest is pay-as-you-go (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from opsportal.services import agent_work, tasks
from opsportal.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from opsportal.services.operator import OPERATOR
from tests.utils.ledger import NOW, cache_mismatches, day, entries, lot_row
from tests.utils.tasks import (
    bill,
    correct,
    draws_of,
    entry_row,
    hours,
    log,
    logged_minutes_mismatches,
    new_task,
    revisions_of,
    set_rate,
    split_mismatches,
    task_state,
    ticket_row,
)

LATER = NOW + timedelta(hours=2)


def remaining(lot) -> int:
    return lot_row(lot.id)["remaining"]


def assert_consistent() -> None:
    assert cache_mismatches() == []
    assert logged_minutes_mismatches() == []
    assert split_mismatches() == []


# ----------------------------------------------------------------------------------------- log_time


def test_logged_time_draws_the_organizations_own_hours_before_the_parents_shared_hours(world):
    shared = hours(world.holdings, 600, shared=True)
    own = hours(world.retail, 60)
    task = new_task(world.retail)

    entry = log(task, 90)

    assert draws_of(entry.id) == [("consume", own.id, 60), ("consume", shared.id, 30)]
    assert (entry.minutes, entry.prepaid_minutes, entry.payg_minutes, entry.payg_amount_minor) == (90, 90, 0, 0)
    assert entry.paid_by == "Prepaid hours"
    assert (remaining(own), remaining(shared)) == (0, 570)
    assert_consistent()


def test_within_the_own_hours_the_lot_expiring_soonest_is_drawn_first(world):
    no_expiry = hours(world.retail, 100)
    later = hours(world.retail, 100, expires=day(60))
    soon = hours(world.retail, 50, expires=day(5))

    entry = log(new_task(world.retail), 120)

    assert draws_of(entry.id) == [("consume", soon.id, 50), ("consume", later.id, 70)]
    assert remaining(no_expiry) == 100


def test_the_ledger_entries_of_logged_time_carry_the_task_and_its_category(world):
    own = hours(world.retail, 60)
    task = new_task(world.retail, category="Networking")

    log(task, 45)

    [(kind, lot, org, quantity, _dr, _dh, ticket, _reason)] = [e for e in entries(own.id) if e[0] == "consume"]
    assert (lot, org, quantity, ticket) == (own.id, world.retail.id, 45, task)
    assert tasks.get_task(OPERATOR, task).row.category == "Networking"


def test_time_no_prepaid_hours_cover_is_pay_as_you_go_at_the_organizations_hourly_rate(world):
    set_rate(world.retail, 12_000, "USD")
    own = hours(world.retail, 30)

    entry = log(new_task(world.retail), 75)

    assert (entry.prepaid_minutes, entry.payg_minutes) == (30, 45)
    assert (entry.payg_amount_minor, entry.currency) == (9_000, "USD")  # 45 min at USD 120.00/h
    assert entry.paid_by == "Prepaid hours + pay-as-you-go"
    assert draws_of(entry.id) == [("consume", own.id, 30)]
    assert entry_row(entry.id)["hourly_rate_minor"] == 12_000
    assert_consistent()


def test_without_prepaid_hours_all_time_is_pay_as_you_go_rounded_half_up_to_the_cent(world):
    set_rate(world.fabrikam, 9_500, "EUR")

    entry = log(new_task(world.fabrikam), 7)

    assert (entry.prepaid_minutes, entry.payg_minutes, entry.payg_amount_minor, entry.currency) == (0, 7, 1_108, "EUR")
    assert entry.paid_by == "Pay-as-you-go"
    assert draws_of(entry.id) == []


def test_a_later_change_of_the_hourly_rate_does_not_reprice_time_already_logged(world):
    set_rate(world.retail, 12_000)
    entry = log(new_task(world.retail), 60)

    set_rate(world.retail, 15_000)

    assert entry_row(entry.id)["payg_amount_minor"] == 12_000
    assert log(new_task(world.retail), 60).payg_amount_minor == 15_000


def test_a_sibling_never_draws_another_siblings_hours_and_a_parent_never_draws_its_childs(world):
    set_rate(world.retail, 6_000)
    set_rate(world.holdings, 6_000)
    logistics = hours(world.logistics, 600, shared=True)
    retail = hours(world.retail, 600, shared=True)

    sibling_entry = log(new_task(world.retail), 30)
    parent_entry = log(new_task(world.holdings), 30)

    assert draws_of(parent_entry.id) == []
    assert parent_entry.payg_minutes == 30
    assert draws_of(sibling_entry.id) == [("consume", retail.id, 30)]
    assert remaining(logistics) == 600


def test_a_parents_hours_kept_for_itself_are_not_drawn_by_its_child(world):
    parent_only = hours(world.holdings, 600, shared=False)

    entry = log(new_task(world.retail), 30)

    assert (entry.prepaid_minutes, entry.payg_minutes) == (0, 30)
    assert remaining(parent_only) == 600


def test_hours_not_yet_granted_or_already_expired_at_the_time_of_logging_are_not_drawn(world):
    expired = hours(world.retail, 600, expires=day(-1), at=NOW - timedelta(days=30))
    future = hours(world.retail, 600, at=NOW + timedelta(days=1))

    entry = log(new_task(world.retail), 30, at=NOW)

    assert (entry.prepaid_minutes, entry.payg_minutes) == (0, 30)
    assert (remaining(expired), remaining(future)) == (600, 600)


def test_logging_time_moves_an_open_task_in_progress_and_adds_to_its_minutes_logged(world):
    task = new_task(world.retail, at=NOW - timedelta(days=1))

    log(task, 30, at=NOW)
    log(task, 45, at=LATER)

    row = ticket_row(task)
    assert (row["status"], row["minutes_logged"]) == ("in_progress", 75)
    assert row["updated_at"] == LATER
    detail = tasks.get_task(world.actor("retail_member"), task)
    assert [(e.minutes, e.agent) for e in detail.time_entries] == [(45, "Operator"), (30, "Operator")]  # newest first
    assert_consistent()


def test_a_time_entry_records_the_agent_who_logged_it(world):
    entry = log(new_task(world.retail), 30, by=world.actor("agent"), note="  Rebooted   the switch ")

    row = entry_row(entry.id)
    assert (row["agent_user_id"], row["agent_name"], row["note"]) == (
        world.users["agent"].id, "Alex Kim", "Rebooted the switch")


# ------------------------------------------------------------------------------------- correct_time


def test_a_correction_gives_the_minutes_back_to_the_lots_they_came_from_and_draws_again(world):
    shared = hours(world.holdings, 600, shared=True)
    own = hours(world.retail, 60)
    entry = log(new_task(world.retail), 90)

    corrected = correct(entry.id, 30)

    assert draws_of(entry.id) == [
        ("consume", own.id, 60), ("consume", shared.id, 30),
        ("refund", shared.id, 30), ("refund", own.id, 60),  # given back lot by lot, in id order
        ("consume", own.id, 30),
    ]
    assert (corrected.minutes, corrected.prepaid_minutes, corrected.payg_minutes) == (30, 30, 0)
    assert (remaining(own), remaining(shared)) == (30, 600)
    assert_consistent()


def test_a_correction_upwards_beyond_the_prepaid_hours_prices_the_rest_as_pay_as_you_go(world):
    set_rate(world.retail, 12_000)
    own = hours(world.retail, 60)
    entry = log(new_task(world.retail), 30)

    corrected = correct(entry.id, 90)

    assert (corrected.prepaid_minutes, corrected.payg_minutes, corrected.payg_amount_minor) == (60, 30, 6_000)
    assert remaining(own) == 0
    assert_consistent()


def test_a_correction_keeps_an_audit_trail_of_the_old_and_new_values_who_and_why(world):
    hours(world.retail, 600)
    entry = log(new_task(world.retail), 90, at=NOW, note="Firewall rules")
    staff = world.actor("staff_admin")

    corrected = agent_work.correct_time(staff, entry.id, minutes=60, work_date=day(-1), note="Firewall rules, VPN",
                                        reason="  Logged   twice by mistake ", at=LATER)

    [revision] = revisions_of(entry.id)
    assert (revision["old_minutes"], revision["old_work_date"], revision["old_note"]) == (90, NOW.date(),
                                                                                          "Firewall rules")
    assert (revision["new_minutes"], revision["new_work_date"], revision["new_note"]) == (60, day(-1),
                                                                                          "Firewall rules, VPN")
    assert (revision["reason"], revision["changed_by_user_id"], revision["changed_by_name"]) == (
        "Logged twice by mistake", world.users["staff_admin"].id, "Sam Taylor")
    assert corrected.revisions == 1
    assert (corrected.work_date, corrected.note) == (day(-1), "Firewall rules, VPN")


def test_minutes_logged_on_the_task_stays_the_sum_of_its_entries_through_corrections(world):
    hours(world.retail, 100)
    task = new_task(world.retail)
    first = log(task, 90)
    log(task, 20)

    correct(first.id, 30)
    correct(first.id, 200, at=LATER + timedelta(minutes=1))

    assert ticket_row(task)["minutes_logged"] == 220
    assert entry_row(first.id)["minutes"] == 200
    assert len(revisions_of(first.id)) == 2
    assert_consistent()


def test_a_second_correction_gives_back_only_what_the_previous_draw_took(world):
    own = hours(world.retail, 100)
    entry = log(new_task(world.retail), 90)
    correct(entry.id, 30)

    correct(entry.id, 50, at=LATER + timedelta(minutes=1))

    assert draws_of(entry.id)[-2:] == [("refund", own.id, 30), ("consume", own.id, 50)]
    assert remaining(own) == 50
    assert_consistent()


def test_minutes_given_back_to_a_lot_that_expired_meanwhile_expire_at_once(world):
    shared = hours(world.holdings, 600, shared=True)
    short = hours(world.retail, 100, expires=day(0))  # usable through the end of NOW's day
    entry = log(new_task(world.retail), 60, at=NOW)
    two_days_later = NOW + timedelta(days=2)

    corrected = correct(entry.id, 20, at=two_days_later)

    on_short = [(kind, q) for kind, _lot, _org, q, *_ in entries(short.id)]
    assert on_short == [("grant", 100), ("consume", 60), ("refund", 60), ("expire", 60)]
    assert draws_of(entry.id)[-1] == ("consume", shared.id, 20)
    assert (corrected.prepaid_minutes, remaining(short), remaining(shared)) == (20, 40, 580)
    assert_consistent()


def test_a_billed_time_entry_cannot_be_corrected_and_nothing_changes(world):
    hours(world.retail, 600)
    entry = log(new_task(world.retail), 90)
    bill(entry.id)
    before = task_state()

    with pytest.raises(Conflict, match="^This time entry is billed and can no longer change.$"):
        correct(entry.id, 30)

    assert task_state() == before


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_correction_without_a_reason_is_refused_and_nothing_changes(world, reason):
    hours(world.retail, 600)
    entry = log(new_task(world.retail), 90)
    before = task_state()

    with pytest.raises(InvalidInput, match="Say why the entry is corrected"):
        correct(entry.id, 30, reason=reason)

    assert task_state() == before


@pytest.mark.parametrize(("minutes", "message"), [
    (0, "positive number of minutes"), (-30, "positive number of minutes"), (16 * 60 + 1, "at most 16 hours"),
])
def test_a_correction_to_an_invalid_number_of_minutes_is_refused_and_nothing_changes(world, minutes, message):
    hours(world.retail, 600)
    entry = log(new_task(world.retail), 90)
    before = task_state()

    with pytest.raises(InvalidInput, match=message):
        correct(entry.id, minutes)

    assert task_state() == before


def test_a_correction_to_a_future_date_is_refused(world):
    entry = log(new_task(world.retail), 90)
    with pytest.raises(InvalidInput, match="^Time cannot be logged for a future date.$"):
        correct(entry.id, 30, at=LATER, work_date=day(1, LATER))


def test_correcting_an_unknown_time_entry_says_so(world):
    with pytest.raises(NotFound, match="^Unknown time entry 987654.$"):
        correct(987654, 30)


@pytest.mark.parametrize("caller", ["retail_owner", "retail_member", "holdings_owner"])
def test_customers_may_neither_log_nor_correct_time_and_nothing_changes(world, caller):
    hours(world.retail, 600)
    task = new_task(world.retail)
    entry = log(task, 90)
    before = task_state()

    with pytest.raises(PermissionDenied, match="^This area is for the support team only.$"):
        log(task, 30, by=world.actor(caller))
    with pytest.raises(PermissionDenied, match="^This area is for the support team only.$"):
        correct(entry.id, 30, by=world.actor(caller))

    assert task_state() == before


def test_time_on_a_task_uses_the_hours_held_for_it_before_free_hours_and_closing_releases_the_rest(world):
    from opsportal.services import credit_views, credits

    own = hours(world.retail, 600)
    task = new_task(world.retail)
    credits.hold_for_ticket(OPERATOR, ticket_id=task, product="support_hours", quantity=120, at=NOW)
    entry = log(task, 60)
    assert entry.prepaid_minutes == 60 and entry.payg_minutes == 0
    assert lot_row(own.id)["remaining"] == 540 and lot_row(own.id)["held"] == 60
    assert credit_views.balance(OPERATOR, world.retail.id, at=LATER).in_play == 60
    agent_work.set_status(OPERATOR, task, "closed", at=LATER)
    # 60 minutes of work cost 60 minutes of hours: the rest of the hold went back.
    assert lot_row(own.id)["remaining"] == 540 and lot_row(own.id)["held"] == 0
    assert credit_views.balance(OPERATOR, world.retail.id, at=LATER).available == 540
    assert_consistent()
