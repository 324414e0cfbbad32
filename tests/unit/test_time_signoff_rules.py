"""Time sign-off's rules (``domain/time_signoff.py``): the deadline, what silence approves, what is billable, and
when an entry may still be approved, disputed or resolved."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain import time_signoff as rules
from opsportal.domain.invoices.periods import BillingPeriod
from opsportal.domain.roles import Role
from opsportal.domain.time_signoff import Resolution, ReviewState

days = st.integers(min_value=0, max_value=60)
dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


def test_the_deadline_is_the_periods_last_day_plus_the_sign_off_days():
    assert rules.deadline(BillingPeriod(2025, 2), 5) == date(2025, 3, 5)
    assert rules.deadline(BillingPeriod(2024, 12), 5) == date(2025, 1, 5)


def test_an_unreviewed_entry_is_approved_automatically_only_after_its_deadline():
    assert rules.effective_state(None, date(2025, 2, 3), date(2025, 3, 5), 5) is ReviewState.pending
    assert rules.effective_state(None, date(2025, 2, 3), date(2025, 3, 6), 5) is ReviewState.auto_approved
    assert rules.effective_state("disputed", date(2025, 2, 3), date(2025, 6, 1), 5) is ReviewState.disputed


@pytest.mark.parametrize(("state", "billable"), [
    (ReviewState.pending, False), (ReviewState.disputed, False), (ReviewState.written_off, False),
    (ReviewState.approved, True), (ReviewState.auto_approved, True), (ReviewState.resolved_kept, True),
    (ReviewState.resolved_corrected, True)])
def test_only_approved_or_resolved_time_is_billable_and_written_off_time_never(state, billable):
    assert state.billable is billable


@given(work_date=dates, today=dates, signoff_days=days)
def test_the_auto_approval_cutoff_covers_exactly_the_entries_past_their_deadline(work_date, today, signoff_days):
    cutoff = rules.auto_approval_cutoff(today, signoff_days)
    assert (cutoff is not None and work_date <= cutoff) == rules.deadline_passed(work_date, today, signoff_days)


@given(stored=st.sampled_from([None, *ReviewState]), work_date=dates, today=dates, signoff_days=days)
def test_nothing_awaiting_review_or_disputed_is_ever_billable(stored, work_date, today, signoff_days):
    state = rules.effective_state(stored, work_date, today, signoff_days)
    if state.billable:
        assert state not in (ReviewState.pending, ReviewState.disputed, ReviewState.written_off)
    if stored in (None, ReviewState.pending) and not rules.deadline_passed(work_date, today, signoff_days):
        assert not state.billable


@given(stored=st.sampled_from([None, *ReviewState]), work_date=dates, today=dates, signoff_days=days,
       billed=st.booleans())
def test_a_dispute_is_taken_only_before_the_deadline_on_unbilled_time_not_yet_disputed(stored, work_date, today,
                                                                                       signoff_days, billed):
    state = rules.effective_state(stored, work_date, today, signoff_days)
    allowed = rules.review_problem(state, work_date, today, signoff_days, billed=billed, disputing=True) is None
    assert allowed == (not billed and state in (ReviewState.pending, ReviewState.approved)
                       and not rules.deadline_passed(work_date, today, signoff_days))


def test_an_approved_entry_cannot_be_approved_again_but_can_be_disputed():
    day, today = date(2025, 3, 3), date(2025, 3, 10)
    assert rules.review_problem(ReviewState.approved, day, today, 5, billed=False, disputing=False) == (
        "This entry is already approved.")
    assert rules.review_problem(ReviewState.approved, day, today, 5, billed=False, disputing=True) is None


def test_only_a_disputed_entry_can_be_resolved_and_only_once():
    assert rules.resolve_problem(ReviewState.disputed) is None
    assert rules.resolve_problem(ReviewState.written_off) == "This dispute is already resolved."
    assert rules.resolve_problem(ReviewState.approved) == "This entry is not disputed."
    assert {r.state for r in Resolution} == rules.RESOLVED


@pytest.mark.parametrize(("text", "problem"), [
    ("", "Say what is wrong"), ("x" * 501, "under 500"), ("Not ours", None)])
def test_a_reason_is_required_and_bounded(text, problem):
    found = rules.reason_problem(rules.clean_text(text))
    assert (found is None) if problem is None else (problem in found)


def test_billing_contacts_owners_and_administrators_sign_off_but_members_do_not():
    assert [r for r in Role if rules.may_sign_off(r)] == [Role.owner, Role.admin, Role.billing]


def test_every_state_reads_as_words():
    assert all(s.label and "_" not in s.label for s in ReviewState)
    assert rules.deadline(BillingPeriod(2025, 3), 0) == date(2025, 3, 31)
    assert rules.auto_approval_cutoff(date(2025, 4, 1), 0) == date(2025, 3, 31)
    assert rules.auto_approval_cutoff(date(2025, 4, 1) - timedelta(days=1), 0) == date(2025, 2, 28)


def test_the_page_opens_on_last_month_while_its_sign_off_is_open_then_on_this_month():
    assert rules.default_period(date(2025, 4, 5), 5) == BillingPeriod(2025, 3)
    assert rules.default_period(date(2025, 4, 6), 5) == BillingPeriod(2025, 4)
    assert [p.key for p in rules.recent_periods(date(2025, 2, 10), 3)] == ["2025-02", "2025-01", "2024-12"]


# --- written off, and entries a correction returned to review ---------------------------------------------------------


def test_a_written_off_entry_counts_as_neither_prepaid_nor_pay_as_you_go_time():
    assert rules.counted_split(30, 15, written_off=True) == (0, 0)
    assert rules.counted_split(30, 15, written_off=False) == (30, 15)


def test_lists_say_written_off_for_a_written_off_entry_whatever_its_stored_split():
    assert rules.paid_by(0, 45, written_off=True) == "Written off"
    assert rules.paid_by(0, 45) == "Pay-as-you-go"
    assert rules.paid_by(45, 0) == "Prepaid hours"
    assert rules.paid_by(30, 15) == "Prepaid hours + pay-as-you-go"


@pytest.mark.parametrize("state", sorted(rules.BILLABLE))
def test_a_correction_returns_an_approved_unbilled_entry_to_review(state):
    assert rules.reopens_on_correction(state, billed=False)


@pytest.mark.parametrize("state", list(ReviewState))
def test_a_correction_never_reopens_a_billed_entry(state):
    assert not rules.reopens_on_correction(state, billed=True)


@pytest.mark.parametrize("state", [ReviewState.pending, ReviewState.disputed, ReviewState.written_off])
def test_a_correction_leaves_pending_disputed_and_written_off_entries_as_they_are(state):
    assert not rules.reopens_on_correction(state, billed=False)


def test_a_reopened_entry_may_be_reviewed_for_the_sign_off_days_after_its_correction():
    work, reopened = date(2025, 3, 5), date(2025, 4, 20)  # March's own deadline: 5 April
    assert rules.review_deadline(work, 5, reopened) == date(2025, 4, 25)
    assert rules.effective_state("pending", work, date(2025, 4, 25), 5, reopened_on=reopened) is ReviewState.pending
    assert rules.effective_state("pending", work, date(2025, 4, 26), 5,
                                 reopened_on=reopened) is ReviewState.auto_approved
    assert rules.review_problem(ReviewState.pending, work, date(2025, 4, 25), 5, billed=False, disputing=False,
                                reopened_on=reopened) is None


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)), st.integers(0, 400),
       st.integers(1, 20))
def test_reopening_never_shortens_an_entrys_deadline(work, later, days):
    reopened = work + timedelta(days=later)
    assert rules.review_deadline(work, days, reopened) >= rules.review_deadline(work, days)
    assert rules.review_deadline(work, days, reopened) >= reopened + timedelta(days=days)
