"""Notifications as pure rules: kinds and who receives them, periods, reminder stages, low-balance crossings,
the scheduler's hours and where a delivery stands."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain.notifications import (
    MAX_ATTEMPTS,
    OVERDUE_STAGES,
    UNCONFIRMED_AFTER,
    DeliveryState,
    NotificationKind,
    delivery_state,
    is_subscribed,
    last_subscriber_warning,
    low_balance_key,
    month_key,
    overdue_key,
    overdue_stage,
    overdue_window,
    parse_kind,
    period_key,
    scheduled_run_due,
    week_key,
)
from opsportal.domain.roles import Role

AT = datetime(2026, 11, 18, 9, 30, tzinfo=UTC)  # a Wednesday in ISO week 47
instants = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))



# --- kinds and subscribers -----------------------------------------------------------------------------------


def test_there_are_six_notification_kinds():
    assert [k.value for k in NotificationKind] == ["monthly_statement", "weekly_expiry", "low_balance",
                                                   "overdue_reminder", "ticket_updates", "community_answers"]


def test_ticket_update_emails_reach_every_customer_role_by_default_until_switched_off():
    kind = NotificationKind.ticket_updates
    for role in (Role.owner, Role.admin, Role.billing, Role.member):
        assert is_subscribed(kind, role, None) is True and is_subscribed(kind, role, False) is False
    assert is_subscribed(kind, Role.agent, True) is False


def test_a_ticket_update_delivery_is_labelled_with_its_task_for_staff():
    from opsportal.domain.notifications import period_label, ticket_update_key

    assert period_label(NotificationKind.ticket_updates, ticket_update_key(12, 34)) == "Update 34 on task #12"


def test_statements_and_expiry_notices_are_opt_in_for_every_role():
    for kind in (NotificationKind.monthly_statement, NotificationKind.weekly_expiry):
        for role in (Role.owner, Role.admin, Role.billing, Role.member):
            assert is_subscribed(kind, role, None) is False
            assert is_subscribed(kind, role, True) is True


def test_overdue_reminders_reach_billing_roles_by_default_and_never_members():
    kind = NotificationKind.overdue_reminder
    assert [is_subscribed(kind, r, None) for r in (Role.owner, Role.admin, Role.billing, Role.member)] == [
        True, True, True, False]
    assert is_subscribed(kind, Role.member, True) is False
    assert kind.may_receive(Role.member) is False


def test_low_balance_alerts_reach_owners_and_admins_by_default():
    kind = NotificationKind.low_balance
    assert [is_subscribed(kind, r, None) for r in (Role.owner, Role.admin, Role.billing, Role.member)] == [
        True, True, False, False]


@given(st.sampled_from(list(NotificationKind)), st.sampled_from([Role.owner, Role.admin, Role.billing, Role.member]),
       st.booleans())
def test_an_explicit_choice_wins_over_the_default_for_an_eligible_role(kind, role, choice):
    assert is_subscribed(kind, role, choice) is (choice and kind.may_receive(role))


def test_staff_receive_no_notifications():
    for kind in NotificationKind:
        assert is_subscribed(kind, Role.staff_admin, True) is False


def test_kinds_are_named_by_their_value_or_a_short_alias():
    assert parse_kind("monthly") is NotificationKind.monthly_statement
    assert parse_kind("weekly-expiry") is NotificationKind.weekly_expiry
    assert parse_kind(" OVERDUE ") is NotificationKind.overdue_reminder
    with pytest.raises(ValueError, match="unknown notification 'daily'; known notifications: monthly_statement"):
        parse_kind("daily")


def test_the_last_subscriber_is_warned_that_nobody_will_receive_it_and_credits_may_be_lost():
    warning = last_subscriber_warning(NotificationKind.monthly_statement, "Northwind Retail")
    assert "no one in Northwind Retail will receive it any more" in warning
    assert "miss an expiration date and lead to loss of credits" in warning
    assert last_subscriber_warning(NotificationKind.weekly_expiry, "X", "Mark Osei").startswith(
        "Mark Osei is the last subscriber of the weekly credit expiry notice in X. If Mark Osei is unsubscribed, "
        "no one in X")


# --- periods -----------------------------------------------------------------------------------------------------


def test_the_monthly_period_is_the_utc_calendar_month_of_the_run():
    assert month_key(AT) == "2026-11"
    # 00:30 on 1 December in Berlin is still 30 November in UTC.
    from zoneinfo import ZoneInfo
    assert month_key(datetime(2026, 12, 1, 0, 30, tzinfo=ZoneInfo("Europe/Berlin"))) == "2026-11"
    assert period_key(NotificationKind.monthly_statement, AT) == "2026-11"


def test_the_weekly_period_is_the_iso_week_of_the_run_across_year_ends():
    assert week_key(AT) == "2026-W47"
    assert week_key(datetime(2027, 1, 1, 12, tzinfo=UTC)) == "2026-W53"
    assert week_key(datetime(2024, 12, 30, 12, tzinfo=UTC)) == "2025-W01"
    assert period_key(NotificationKind.weekly_expiry, AT) == "2026-W47"


@given(instants)
def test_every_instant_of_an_iso_week_has_the_weeks_period_and_the_next_week_another(at):
    monday = datetime.combine(at.date() - timedelta(days=at.weekday()), datetime.min.time(), tzinfo=UTC)
    assert week_key(monday) == week_key(at) == week_key(monday + timedelta(days=7) - timedelta(microseconds=1))
    assert week_key(monday + timedelta(days=7)) != week_key(at)


def test_alerts_and_reminders_have_no_calendar_period():
    with pytest.raises(ValueError, match="no calendar period"):
        period_key(NotificationKind.overdue_reminder, AT)


def test_naive_instants_are_refused():
    with pytest.raises(ValueError, match="naive"):
        month_key(datetime(2026, 11, 1))


# --- overdue reminders ---------------------------------------------------------------------------------------


def test_an_overdue_invoice_is_reminded_1_7_and_14_days_after_its_due_date():
    due = date(2026, 11, 1)
    assert [overdue_stage(due, due + timedelta(days=d)) for d in (0, 1, 6, 7, 13, 14, 20, 21)] == [
        None, 1, 1, 7, 7, 14, 14, None]
    assert overdue_key(42, 7) == "invoice-42-day-7"
    with pytest.raises(ValueError):
        overdue_key(42, 3)


@given(st.integers(min_value=-60, max_value=120))
def test_a_run_sends_the_latest_stage_due_and_reminders_stop_a_week_after_the_last(days):
    due = date(2026, 11, 1)
    stage = overdue_stage(due, due + timedelta(days=days))
    if days < 1 or days >= 21:
        assert stage is None
    else:
        assert stage == max(s for s in OVERDUE_STAGES if s <= days)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(min_value=-60, max_value=120))
def test_the_reminder_window_holds_exactly_the_due_dates_with_a_stage(today, offset):
    due = today - timedelta(days=offset)
    earliest, latest = overdue_window(today)
    assert (earliest <= due <= latest) is (overdue_stage(due, today) is not None)


# --- low-balance crossings -----------------------------------------------------------------------------------


def test_a_balance_below_the_threshold_starts_a_crossing_that_lasts_until_it_recovers():
    first = low_balance_key(100, 120, None, AT)
    assert first == "below-2026-11-18T09:30:00.000000Z"
    assert low_balance_key(50, 120, first, AT + timedelta(hours=1)) == first
    assert low_balance_key(120, 120, first, AT + timedelta(hours=2)) is None  # at the threshold: not below
    assert low_balance_key(10, 120, None, AT + timedelta(hours=3)) != first
    assert low_balance_key(10, None, None, AT) is None


@given(st.lists(st.integers(min_value=0, max_value=300), min_size=1, max_size=30), st.integers(1, 300))
def test_each_fall_below_the_threshold_is_one_crossing(balances, threshold):
    key, keys = None, []
    for n, available in enumerate(balances):
        key = low_balance_key(available, threshold, key, AT + timedelta(hours=n))
        if key is not None:
            keys.append(key)
    falls = sum(1 for n, b in enumerate(balances) if b < threshold and (n == 0 or balances[n - 1] >= threshold))
    assert len(set(keys)) == falls


# --- the scheduler's hours -----------------------------------------------------------------------------------


def test_statements_wait_for_seven_on_the_first_and_expiry_notices_for_seven_on_monday():
    monthly, weekly = NotificationKind.monthly_statement, NotificationKind.weekly_expiry
    assert not scheduled_run_due(monthly, datetime(2026, 12, 1, 6, 59, tzinfo=UTC))
    assert scheduled_run_due(monthly, datetime(2026, 12, 1, 7, 0, tzinfo=UTC))
    assert scheduled_run_due(monthly, datetime(2026, 12, 2, 3, 0, tzinfo=UTC))
    assert not scheduled_run_due(weekly, datetime(2026, 11, 23, 6, 0, tzinfo=UTC))  # Monday
    assert scheduled_run_due(weekly, datetime(2026, 11, 23, 7, 0, tzinfo=UTC))
    assert scheduled_run_due(NotificationKind.overdue_reminder, datetime(2026, 11, 23, 0, 0, tzinfo=UTC))


# --- deliveries, as the support team sees them -----------------------------------------------------------

_NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("status", "attempts", "ago", "state"), [
    ("sent", 1, timedelta(hours=1), DeliveryState.sent),
    ("pending", 0, None, DeliveryState.pending),
    ("failed", 1, timedelta(hours=1), DeliveryState.retrying),
    ("failed", MAX_ATTEMPTS - 1, timedelta(hours=1), DeliveryState.retrying),
    ("failed", MAX_ATTEMPTS, timedelta(hours=1), DeliveryState.gave_up),
    ("sending", 1, timedelta(minutes=1), DeliveryState.sending),
    ("sending", 1, UNCONFIRMED_AFTER, DeliveryState.unconfirmed),
    ("sending", 1, None, DeliveryState.unconfirmed),
])
def test_a_deliverys_state_follows_from_its_status_attempts_and_last_attempt(status, attempts, ago, state):
    assert delivery_state(status, attempts, _NOW - ago if ago else None, _NOW) is state


def test_only_failed_and_unconfirmed_deliveries_need_attention():
    assert {s for s in DeliveryState if s.needs_attention} == {
        DeliveryState.retrying, DeliveryState.gave_up, DeliveryState.unconfirmed}
