"""Billing contacts review a month's time (``services/time_signoff.py``): the timesheet per task, approving all
or one task's entries, disputing one with a reason; refusals for other organizations, members and bad input
(SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest

from opsportal.domain.time_signoff import ReviewState
from opsportal.services import time_signoff
from opsportal.services.errors import InvalidInput, NotFound, PermissionDenied
from tests.services.time_signoff.conftest import AFTER_DEADLINE, IN_WINDOW, MARCH, review_of
from tests.utils.db import dump_tables
from tests.utils.tasks import bill, hours, log, new_task


def test_the_timesheet_lists_the_months_time_per_task_with_every_entry_awaiting_review(march):
    sheet = time_signoff.timesheet(march.world.actor("retail_owner"), march.world.retail.id, MARCH, at=IN_WINDOW)

    assert [(e.ticket_title, e.minutes, e.state) for e in sheet.entries.items] == [
        ("Printer offline", 60, ReviewState.pending), ("Printer offline", 30, ReviewState.pending),
        ("VPN drops", 45, ReviewState.pending)]
    assert sheet.open and sheet.deadline == date(2025, 4, 5)
    assert sheet.awaiting == 3
    assert all(e.may_approve and e.may_dispute for e in sheet.entries.items)


def test_prepaid_time_is_on_the_timesheet_too(world):
    hours(world.retail, 120)
    task = new_task(world.retail)
    log(task, 60, work_date=IN_WINDOW.date())

    [entry] = time_signoff.timesheet(world.actor("retail_owner"), world.retail.id, MARCH, at=IN_WINDOW).entries.items

    assert (entry.prepaid_minutes, entry.payg_minutes, entry.payg_amount_minor) == (60, 0, 0)


def test_approving_a_task_approves_only_its_entries_awaiting_review(march):
    owner = march.world.actor("retail_owner")

    approved = time_signoff.approve(owner, march.world.retail.id, MARCH, ticket_id=march.printer, at=IN_WINDOW)

    assert approved == 2
    assert review_of(march.entries["printer_1"]).state == "approved"
    assert review_of(march.entries["printer_1"]).reviewed_by_name == "Rita Alvarez"
    assert review_of(march.entries["vpn"]) is None
    assert time_signoff.approve(owner, march.world.retail.id, MARCH, at=IN_WINDOW) == 1


def test_disputing_an_entry_stores_the_reason_and_makes_the_disputer_follow_the_task(march):
    owner = march.world.actor("retail_owner")

    shown = time_signoff.dispute(owner, march.entries["vpn"], "  We never   had a VPN outage on the 5th ",
                                 at=IN_WINDOW)

    assert (shown.state, shown.dispute_reason) == (ReviewState.disputed, "We never had a VPN outage on the 5th")
    assert not shown.may_dispute and not shown.may_approve
    review = review_of(march.entries["vpn"])
    assert (review.state, review.disputed_by_name) == ("disputed", "Rita Alvarez")


def test_an_approved_entry_can_still_be_disputed_before_the_deadline(march):
    owner = march.world.actor("retail_owner")
    time_signoff.approve(owner, march.world.retail.id, MARCH, at=IN_WINDOW)

    shown = time_signoff.dispute(owner, march.entries["printer_2"], "Driver was updated by us", at=IN_WINDOW)

    assert shown.state is ReviewState.disputed


def test_after_the_deadline_unreviewed_time_reads_as_approved_automatically_and_cannot_be_disputed(march):
    owner = march.world.actor("retail_owner")
    sheet = time_signoff.timesheet(owner, march.world.retail.id, MARCH, at=AFTER_DEADLINE)

    assert {e.state for e in sheet.entries.items} == {ReviewState.auto_approved}
    assert not sheet.open
    with pytest.raises(InvalidInput, match="The sign-off for March 2025 closed on 5 Apr 2025."):
        time_signoff.dispute(owner, march.entries["vpn"], "Too late?", at=AFTER_DEADLINE)
    with pytest.raises(InvalidInput, match="closed on 5 Apr 2025"):
        time_signoff.approve(owner, march.world.retail.id, MARCH, at=AFTER_DEADLINE)


@pytest.mark.parametrize("who", ["owner", "admin", "billing"])
def test_owners_administrators_and_billing_contacts_sign_off(world, who):
    task = new_task(world.holdings)
    entry = log(task, 30, work_date=IN_WINDOW.date()).id

    time_signoff.dispute(world.actor(f"holdings_{who}"), entry, "Not ours", at=IN_WINDOW)

    assert review_of(entry).state == "disputed"


def test_a_member_may_not_see_the_timesheet_approve_or_dispute(march):
    member = march.world.actor("retail_member")
    before = dump_tables()

    with pytest.raises(PermissionDenied, match="owners, administrators and billing contacts"):
        time_signoff.timesheet(member, march.world.retail.id, MARCH, at=IN_WINDOW)
    with pytest.raises(PermissionDenied):
        time_signoff.approve(member, march.world.retail.id, MARCH, at=IN_WINDOW)
    with pytest.raises(PermissionDenied):
        time_signoff.dispute(member, march.entries["vpn"], "Not ours", at=IN_WINDOW)
    assert dump_tables() == before


@pytest.mark.parametrize("intruder", ["fabrikam_owner", "logistics_owner", "holdings_owner"])
def test_another_organizations_user_cannot_read_approve_or_dispute_its_time(march, intruder):
    actor = march.world.actor(intruder)
    before = dump_tables()

    with pytest.raises(PermissionDenied, match="not found or you do not have access"):
        time_signoff.timesheet(actor, march.world.retail.id, MARCH, at=IN_WINDOW)
    with pytest.raises(PermissionDenied, match="not found or you do not have access"):
        time_signoff.approve(actor, march.world.retail.id, MARCH, at=IN_WINDOW)
    with pytest.raises(NotFound, match="That time entry was not found or you do not have access to it."):
        time_signoff.dispute(actor, march.entries["vpn"], "Not ours", at=IN_WINDOW)
    assert dump_tables() == before


def test_a_task_of_another_organization_reads_as_missing_when_approving_it(march):
    other = new_task(march.world.fabrikam)

    with pytest.raises(NotFound, match="That task was not found"):
        time_signoff.approve(march.world.actor("retail_owner"), march.world.retail.id, MARCH, ticket_id=other,
                             at=IN_WINDOW)


@pytest.mark.parametrize(("reason", "message"), [
    ("", "Say what is wrong with the entry"),
    ("   ", "Say what is wrong with the entry"),
    ("x" * 501, "Keep the reason under 500 characters."),
])
def test_a_dispute_needs_a_reason_of_bounded_length_and_a_refused_one_writes_nothing(march, reason, message):
    before = dump_tables()

    with pytest.raises(InvalidInput, match=message):
        time_signoff.dispute(march.world.actor("retail_owner"), march.entries["vpn"], reason, at=IN_WINDOW)

    assert dump_tables() == before


def test_an_entry_cannot_be_disputed_twice(march):
    owner = march.world.actor("retail_owner")
    time_signoff.dispute(owner, march.entries["vpn"], "Not ours", at=IN_WINDOW)
    before = dump_tables()

    with pytest.raises(InvalidInput, match="already disputed"):
        time_signoff.dispute(march.world.actor("retail_owner"), march.entries["vpn"], "Still not", at=IN_WINDOW)

    assert dump_tables() == before


def test_a_billed_entry_cannot_be_disputed(march):
    bill(march.entries["vpn"])

    with pytest.raises(InvalidInput, match="already billed"):
        time_signoff.dispute(march.world.actor("retail_owner"), march.entries["vpn"], "Not ours", at=IN_WINDOW)


def test_a_bad_period_is_refused_with_a_clear_message(march):
    with pytest.raises(InvalidInput, match="Give the billing period as YYYY-MM"):
        time_signoff.timesheet(march.world.actor("retail_owner"), march.world.retail.id, "March", at=IN_WINDOW)


def test_staff_do_not_sign_off_for_the_customer(march):
    with pytest.raises(PermissionDenied):
        time_signoff.approve(march.world.actor("agent"), march.world.retail.id, MARCH, at=IN_WINDOW)
