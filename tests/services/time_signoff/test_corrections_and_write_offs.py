"""Time sign-off's loose ends: a written-off entry counts as no pay-as-you-go time anywhere; a staff correction
outside a dispute returns an approved, unbilled entry to "awaiting review" with a deadline of its own, and tells
the organization's signers in the bell (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from opsportal.domain.time_signoff import ReviewState
from opsportal.services import billing_run, prepaid, rollup, signoff_store, tasks, time_disputes, time_signoff
from opsportal.services.errors import Conflict, NotFound, PermissionDenied
from opsportal.services.operator import OPERATOR
from tests.services.time_signoff.conftest import AFTER_DEADLINE, IN_WINDOW, MARCH, mar, notifications_of, review_of
from tests.utils.billing import billed_to
from tests.utils.tasks import correct, entry_row

LATER = IN_WINDOW + timedelta(hours=1)


def _write_off(march, key="vpn"):
    entry = march.entries[key]
    time_signoff.dispute(march.world.actor("retail_owner"), entry, "Not ours", at=IN_WINDOW)
    time_disputes.resolve(march.world.actor("agent"), entry, "written_off", "Sorry, our mistake.", at=LATER)
    return entry


# --- written off: no pay-as-you-go minutes anywhere ------------------------------------------------------------------


def test_a_written_off_entry_adds_no_pay_as_you_go_time_or_value_to_its_tasks_totals(march):
    _write_off(march)

    task = tasks.get_task(march.world.actor("retail_owner"), march.vpn)

    assert (task.totals.minutes, task.totals.prepaid_minutes, task.totals.payg_minutes) == (45, 0, 0)
    assert (task.totals.written_off_minutes, task.totals.payg_amount_by_currency) == (45, ())


def test_a_written_off_entry_is_listed_as_written_off_with_no_pay_as_you_go_minutes(march):
    entry = _write_off(march)

    [listed] = tasks.get_task(march.world.actor("retail_owner"), march.vpn).time_entries

    assert (listed.id, listed.paid_by, listed.written_off) == (entry, "Written off", True)
    assert (listed.minutes, listed.prepaid_minutes, listed.payg_minutes, listed.payg_amount_minor) == (45, 0, 0, 0)


def test_the_dashboards_unbilled_view_leaves_a_written_off_entry_out(march):
    _write_off(march)

    view = prepaid.payg_view(march.world.actor("retail_owner"), march.world.retail.id, at=LATER)

    assert [(t.ticket_id, t.minutes) for t in view.tasks] == [(march.printer, 90)]
    assert (view.total_minutes, view.total_minor) == (90, 18_000)


def test_the_roll_up_counts_no_pay_as_you_go_time_for_a_written_off_entry(march):
    _write_off(march)

    totals = rollup.totals(march.world.actor("holdings_owner"), at=LATER)

    [retail] = [r for r in totals.rows if r.name == "Northwind Retail"]
    assert (retail.minutes, retail.payg_minutes, retail.payg_amount_by_currency) == (135, 90, (("USD", 18_000),))


def test_the_timesheet_and_the_dispute_queue_show_a_written_off_entry_without_pay_as_you_go_time(march):
    entry = _write_off(march)

    sheet = time_signoff.timesheet(march.world.actor("retail_owner"), march.world.retail.id, MARCH, at=LATER)
    [row] = [e for e in sheet.entries.items if e.id == entry]
    [queued] = time_disputes.disputes(march.world.actor("agent"), open_only=False).items

    assert (row.state, row.payg_minutes, row.payg_amount_minor) == (ReviewState.written_off, 0, 0)
    assert (queued.state, queued.payg_minutes, queued.payg_amount_minor) == (ReviewState.written_off, 0, 0)


def test_another_organization_cannot_read_the_task_or_its_unbilled_time(march):
    _write_off(march)
    with pytest.raises(NotFound):
        tasks.get_task(march.world.actor("fabrikam_owner"), march.vpn)
    with pytest.raises(PermissionDenied):
        prepaid.payg_view(march.world.actor("fabrikam_owner"), march.world.retail.id, at=LATER)


# --- a correction outside a dispute ----------------------------------------------------------------------------------


def test_correcting_an_approved_entry_returns_it_to_awaiting_review_and_tells_the_signers(march):
    owner = march.world.actor("retail_owner")
    time_signoff.approve(owner, march.world.retail.id, MARCH, at=IN_WINDOW)
    entry = march.entries["vpn"]

    correct(entry, 30, work_date=mar(5), at=LATER)

    review = review_of(entry)
    assert (review.state, review.reopened_on, review.reviewed_by_user_id) == ("pending", LATER.date(), None)
    sheet = time_signoff.timesheet(owner, march.world.retail.id, MARCH, at=LATER)
    [row] = [e for e in sheet.entries.items if e.id == entry]
    assert (row.state, row.minutes, row.may_approve, sheet.awaiting) == (ReviewState.pending, 30, True, 1)
    [bell] = notifications_of(march.world.users["retail_owner"].id)
    assert (bell.kind, bell.link) == ("time_corrected", "/timesheet?month=2025-03")
    assert "30 min" in bell.text
    assert notifications_of(march.world.users["retail_member"].id) == []  # members do not sign off


def test_an_entry_approved_automatically_and_corrected_after_the_deadline_awaits_review_for_days_again(march):
    owner = march.world.actor("retail_owner")
    entry = march.entries["vpn"]
    corrected_at = AFTER_DEADLINE  # March's sign-off closed: the entry was approved automatically

    correct(entry, 20, work_date=mar(5), at=corrected_at)

    assert (review_of(entry).state, review_of(entry).reopened_on) == ("pending", corrected_at.date())
    assert billing_run.run_billing(OPERATOR, MARCH, today=corrected_at.date()).invoices[0].entries == 2
    assert billed_to(entry) is None  # not billed while it awaits review
    assert time_signoff.approve(owner, march.world.retail.id, MARCH, at=corrected_at) == 1
    assert review_of(entry).state == "approved"


def test_a_reopened_entry_nobody_reviews_is_approved_automatically_once_its_own_deadline_passes(march):
    entry = march.entries["vpn"]
    correct(entry, 20, work_date=mar(5), at=AFTER_DEADLINE)
    own_deadline = AFTER_DEADLINE.date() + timedelta(days=5)

    signoff_store.run_auto_approval(OPERATOR, at=datetime.combine(own_deadline, time(23), UTC))
    assert review_of(entry).state == "pending"
    signoff_store.run_auto_approval(OPERATOR, at=datetime.combine(own_deadline + timedelta(days=1), time(0), UTC))
    assert review_of(entry).state == "auto_approved"


def test_correcting_an_entry_nobody_reviewed_yet_leaves_it_awaiting_review_without_a_bell_line(march):
    entry = march.entries["vpn"]

    correct(entry, 30, work_date=mar(5), at=LATER)

    assert review_of(entry) is None
    assert notifications_of(march.world.users["retail_owner"].id) == []


def test_correcting_a_disputed_entry_outside_the_dispute_leaves_the_dispute_open(march):
    entry = march.entries["vpn"]
    time_signoff.dispute(march.world.actor("retail_owner"), entry, "Too long", at=IN_WINDOW)

    correct(entry, 30, work_date=mar(5), at=LATER)

    assert review_of(entry).state == "disputed"
    assert [r.minutes for r in time_disputes.disputes(march.world.actor("agent")).items] == [30]


def test_correcting_an_entry_whose_dispute_was_kept_returns_it_to_review(march):
    entry = march.entries["vpn"]
    time_signoff.dispute(march.world.actor("retail_owner"), entry, "Too long", at=IN_WINDOW)
    time_disputes.resolve(march.world.actor("agent"), entry, "kept", "It was 45 minutes.", at=LATER)

    correct(entry, 30, work_date=mar(5), at=LATER + timedelta(hours=1))

    assert review_of(entry).state == "pending"


def test_a_billed_entry_cannot_be_corrected_and_keeps_its_approval(march):
    time_signoff.approve(march.world.actor("retail_owner"), march.world.retail.id, MARCH, at=IN_WINDOW)
    billing_run.run_billing(OPERATOR, MARCH, today=date(2025, 4, 2))
    entry = march.entries["vpn"]
    assert billed_to(entry) is not None

    with pytest.raises(Conflict, match="billed"):
        correct(entry, 30, work_date=mar(5), at=AFTER_DEADLINE)

    assert (review_of(entry).state, entry_row(entry)["minutes"]) == ("approved", 45)
    assert notifications_of(march.world.users["retail_owner"].id) == []
