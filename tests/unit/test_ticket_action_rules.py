"""What customers may do to their tickets and the satisfaction rating (domain.ticket_actions)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain.roles import Role
from opsportal.domain.tasks import CLOSED_STATUSES, OPEN_STATUSES, Priority, TaskStatus
from opsportal.domain.ticket_actions import (
    CUSTOMER_PRIORITIES,
    CustomerAction,
    follow_up_subject,
    follower_change_problem,
    may_act,
    may_rate,
    offered_actions,
    priority_options,
    priority_problem,
    rating_problem,
    reopen_problem,
    satisfied_bp,
    status_change_problem,
    within_window,
)

SOLVED_AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
WEEK = 7
statuses = st.sampled_from(list(TaskStatus))
offsets = st.integers(min_value=0, max_value=30 * 24 * 60)  # minutes after the ticket was solved
roles = st.sampled_from(list(Role))
priorities = st.sampled_from([p.value for p in Priority])


def minutes_after(minutes: int) -> datetime:
    return SOLVED_AT + timedelta(minutes=minutes)


@pytest.mark.parametrize("status", sorted(OPEN_STATUSES))
def test_an_open_ticket_can_be_solved_or_closed_but_not_reopened_or_followed_up(status):
    now = minutes_after(0)
    assert status_change_problem("solve", status, None, now, WEEK) is None
    assert status_change_problem("close", status, None, now, WEEK) is None
    assert status_change_problem("reopen", status, None, now, WEEK) == "This ticket is already open."
    assert "still open" in status_change_problem("follow_up", status, None, now, WEEK)


def test_a_solved_ticket_can_be_closed_but_not_solved_again():
    assert status_change_problem("close", "resolved", SOLVED_AT, minutes_after(5), WEEK) is None
    assert status_change_problem("solve", "resolved", SOLVED_AT, minutes_after(5), WEEK) == \
        "This ticket is already solved."


def test_a_closed_ticket_can_be_neither_solved_nor_closed_again():
    assert status_change_problem("solve", "closed", SOLVED_AT, minutes_after(5), WEEK) == "This ticket is closed."
    assert status_change_problem("close", "closed", SOLVED_AT, minutes_after(5), WEEK) == \
        "This ticket is already closed."


@pytest.mark.parametrize("status", ["resolved", "closed"])
def test_reopening_is_allowed_up_to_the_last_instant_of_the_window_and_refused_after(status):
    last = SOLVED_AT + timedelta(days=WEEK)
    assert reopen_problem(status, SOLVED_AT, last, WEEK) is None
    problem = reopen_problem(status, SOLVED_AT, last + timedelta(seconds=1), WEEK)
    assert problem == ("This ticket was solved more than 7 days ago and can no longer be reopened: open a follow-up "
                       "ticket instead.")


def test_a_one_day_window_is_named_in_the_singular():
    assert "more than 1 day ago" in reopen_problem("closed", SOLVED_AT, SOLVED_AT + timedelta(days=2), 1)


def test_an_unknown_action_is_refused():
    assert status_change_problem("delete", "open", None, SOLVED_AT, WEEK) == "Unknown action."


@given(status=statuses, minutes=offsets, window=st.integers(min_value=1, max_value=30))
def test_the_page_offers_reopen_or_follow_up_never_both_and_only_what_is_allowed(status, minutes, window):
    closed_at = None if status in OPEN_STATUSES else SOLVED_AT
    now = minutes_after(minutes)
    offered = offered_actions(status, closed_at, now, window)
    assert not {CustomerAction.reopen, CustomerAction.follow_up} <= set(offered)
    for action in offered:
        assert status_change_problem(action, status, closed_at, now, window) is None
    if status in CLOSED_STATUSES:
        # A solved or closed ticket always has a way to continue: reopen within the window, else a follow-up.
        expected = CustomerAction.reopen if within_window(closed_at, now, window) else CustomerAction.follow_up
        assert expected in offered


def test_the_follow_up_subject_starts_with_re_once():
    assert follow_up_subject("Printer offline") == "Re: Printer offline"
    assert follow_up_subject("Re: Printer offline") == "Re: Printer offline"


def test_a_long_follow_up_subject_is_cut_to_the_limit_with_an_ellipsis():
    subject = follow_up_subject("x" * 200)
    assert len(subject) == 200 and subject.startswith("Re: ") and subject.endswith("…")


def test_customers_choose_low_normal_or_high_and_keep_urgent_only_when_it_is_set():
    assert priority_options("normal") == list(CUSTOMER_PRIORITIES)
    assert priority_options("urgent")[-1] is Priority.urgent


@given(status=statuses, current=priorities, new=priorities)
def test_a_priority_change_is_refused_when_solved_or_raising_to_urgent_and_allowed_otherwise(status, current, new):
    problem = priority_problem(status, current, new)
    solved = TaskStatus(status) in CLOSED_STATUSES
    raising_to_urgent = new == "urgent" and current != "urgent"
    assert (problem is None) == (not solved and not raising_to_urgent)
    if problem is None:
        assert new in [p.value for p in priority_options(current)]


def test_an_unknown_priority_is_refused_with_the_choices():
    assert priority_problem("open", "normal", "critical") == "Choose a priority: low, normal or high."


@given(role=roles, user=st.integers(1, 5), requester=st.one_of(st.none(), st.integers(1, 5)),
       followers=st.frozensets(st.integers(1, 5), max_size=3))
def test_the_people_on_a_ticket_and_owners_and_admins_act_on_it_and_staff_never(role, user, requester, followers):
    allowed = may_act(role, user, requester, followers)
    if role.is_staff:
        assert not allowed
    elif role in (Role.owner, Role.admin):
        assert allowed
    else:
        assert allowed == (user == requester or user in followers)


@given(role=roles.filter(lambda r: not r.is_staff), actor=st.integers(1, 4), requester=st.integers(1, 4),
       target=st.integers(1, 4))
def test_anyone_may_follow_themselves_but_only_the_requester_and_managers_may_change_others(role, actor, requester,
                                                                                          target):
    problem = follower_change_problem(role, actor, requester, target)
    if target == requester:
        assert problem == "The person who opened the ticket already hears of everything on it."
    elif target == actor or actor == requester or role in (Role.owner, Role.admin):
        assert problem is None
    else:
        assert problem.startswith("Only the person who opened this ticket")


def test_the_requester_rates_and_managers_rate_only_when_there_is_no_active_requester():
    assert may_rate(Role.member, 3, 3, True)
    assert not may_rate(Role.owner, 1, 3, True)
    assert may_rate(Role.owner, 1, 3, False)
    assert may_rate(Role.admin, 1, None, False)
    assert not may_rate(Role.member, 1, None, False)
    assert not may_rate(Role.agent, 3, 3, True)


def test_an_open_ticket_cannot_be_rated():
    assert rating_problem("good", "", "in_progress", None, SOLVED_AT, WEEK, already_rated=False) == \
        "You can rate the support once the ticket is solved."


@pytest.mark.parametrize("score", ["", "5", "excellent", "GOOD"])
def test_a_rating_is_good_or_bad(score):
    assert rating_problem(score, "", "resolved", SOLVED_AT, SOLVED_AT, WEEK, already_rated=False) == \
        "Choose Good or Bad."


def test_a_rating_comment_has_a_limit():
    assert rating_problem("bad", "x" * 1001, "closed", SOLVED_AT, SOLVED_AT, WEEK, already_rated=False) == \
        "Keep the comment under 1,000 characters."


def test_a_first_rating_is_welcome_any_time_but_a_change_only_within_the_window():
    late = SOLVED_AT + timedelta(days=WEEK, minutes=1)
    assert rating_problem("good", "", "closed", SOLVED_AT, late, WEEK, already_rated=False) is None
    assert rating_problem("bad", "", "closed", SOLVED_AT, late, WEEK, already_rated=True) == \
        "A rating can be changed within 7 days of the ticket being solved."
    assert rating_problem("bad", "", "closed", SOLVED_AT, SOLVED_AT + timedelta(days=WEEK), WEEK,
                          already_rated=True) is None


@given(total=st.integers(0, 10_000), data=st.data())
def test_the_satisfied_share_is_between_none_and_all_and_exact_for_round_shares(total, data):
    good = data.draw(st.integers(0, total))
    bp = satisfied_bp(good, total)
    assert 0 <= bp <= 10_000
    if total and (good * 10_000) % total == 0:
        assert bp == good * 10_000 // total
    assert abs(bp * total - good * 10_000) <= total  # within half a basis point of the exact share, rounded


def test_no_ratings_make_a_zero_share_and_two_of_three_round_half_up():
    assert satisfied_bp(0, 0) == 0
    assert satisfied_bp(2, 3) == 6667
