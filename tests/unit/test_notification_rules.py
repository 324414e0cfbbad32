"""Notifications as pure rules: kinds and who receives them, periods, reminder stages, low-balance crossings,
and what statements and expiry notices say."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain.ledger.lots import end_of_day
from opsportal.domain.notifications import (
    MAX_ATTEMPTS,
    OVERDUE_STAGES,
    UNCONFIRMED_AFTER,
    DeliveryState,
    FreeCredit,
    NotificationKind,
    ProductInfo,
    Usage,
    build_expiry_notice,
    build_statement,
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
    statement_due,
    week_key,
)
from opsportal.domain.roles import Role

AT = datetime(2026, 11, 18, 9, 30, tzinfo=UTC)  # a Wednesday in ISO week 47
PRODUCTS = {
    "support_hours": ProductInfo("support_hours", "Support hours", "minute"),
    "service_credits": ProductInfo("service_credits", "Service credits", "credit"),
    "network_offer": ProductInfo("network_offer", "Network Offer", "credit"),
}
instants = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))


def expiring(days: int, quantity: int, kind: str = "purchased", product: str = "service_credits") -> FreeCredit:
    """Free credit usable through the end of the day ``days`` after AT's date."""
    return FreeCredit(product=product, kind=kind, expires_at=end_of_day(AT.date() + timedelta(days=days)),
                      quantity=quantity)


# --- kinds and subscribers -----------------------------------------------------------------------------------


def test_there_are_four_notification_kinds():
    assert [k.value for k in NotificationKind] == ["monthly_statement", "weekly_expiry", "low_balance",
                                                   "overdue_reminder"]


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


# --- formatting ------------------------------------------------------------------------------------------------


def test_notices_write_minutes_as_a_duration_credits_as_a_count_and_days_in_full_through_formats():
    free = [expiring(3, 90, "purchased", "support_hours"), expiring(3, 1250)]
    hours, credits = build_expiry_notice("Northwind Holdings", AT, PRODUCTS, free).sections
    assert (hours.total.total_text, hours.total.nearest_text) == ("1 h 30 min", "21 November 2026")
    assert credits.total.total_text == "1,250 credits"
    assert hours.total.note == "All of it expires on 21 November 2026."


# --- the monthly statement -------------------------------------------------------------------------------------


@given(st.integers(0, 5), st.integers(0, 5))
def test_a_statement_is_due_only_if_credits_were_used_or_some_are_active(used, active):
    assert statement_due(used, active) is (used > 0 or active > 0)


def test_the_statement_shows_use_by_category_active_credits_by_expiry_period_and_what_expired():
    free = [expiring(10, 480, "complimentary", "support_hours"), expiring(20, 600, product="support_hours"),
            expiring(75, 2400, product="support_hours"), expiring(25, 50, "complimentary"),
            FreeCredit("service_credits", "purchased", None, 200),
            expiring(-1, 999)]  # expired yesterday: not active
    usage = [Usage("support_hours", "Networking", 95), Usage("support_hours", "Infrastructure", 180),
             Usage("service_credits", "Consulting", 7)]

    statement = build_statement("Northwind Holdings", AT, PRODUCTS, free, usage, {"support_hours": 400},
                                {"support_hours": 60})

    assert (statement.organization, statement.period) == ("Northwind Holdings", "November 2026")
    assert (statement.since, statement.until) == (date(2026, 10, 19), date(2026, 11, 18))
    hours, credits = statement.sections
    assert [(line.label, line.amount) for line in hours.used] == [("Infrastructure", "3 h"),
                                                                   ("Networking", "1 h 35 min")]
    assert hours.used_total == "4 h 35 min"
    assert [(line.label, line.amount) for line in hours.active] == [("Expire within 30 days", "18 h"),
                                                                     ("Expire in 61 to 90 days", "40 h")]
    assert (hours.active_total, hours.expiring_soon, hours.in_play, hours.expired) == (
        "58 h", "18 h", "1 h", "6 h 40 min")
    assert [(line.label, line.amount) for line in credits.active] == [("Expire within 30 days", "50 credits"),
                                                                       ("Do not expire", "200 credits")]
    assert (credits.used_total, credits.active_total, credits.expired, credits.in_play) == (
        "7 credits", "250 credits", "0 credits", None)


def test_an_organization_that_used_nothing_and_holds_nothing_active_gets_no_statement():
    assert build_statement("Fabrikam", AT, PRODUCTS, [expiring(-3, 40)], [], {"service_credits": 40}) is None


def test_an_organization_that_only_used_credits_gets_a_statement():
    statement = build_statement("Fabrikam", AT, PRODUCTS, [], [Usage("service_credits", "Cloud", 3)], {})
    assert [s.product for s in statement.sections] == ["service_credits"]
    assert statement.sections[0].active == []


def test_statement_sections_list_support_hours_then_service_credits_then_other_products():
    free = [FreeCredit("network_offer", "purchased", None, 1), FreeCredit("service_credits", "purchased", None, 1),
            FreeCredit("support_hours", "purchased", None, 1)]
    statement = build_statement("X", AT, PRODUCTS, free, [], {})
    assert [s.product for s in statement.sections] == ["support_hours", "service_credits", "network_offer"]


# --- the weekly expiry notice ------------------------------------------------------------------------------------


def test_the_expiry_notice_gives_per_type_totals_the_total_and_the_nearest_date_and_says_not_all_expires_then():
    free = [expiring(10, 480, "complimentary", "support_hours"), expiring(20, 600, "purchased", "support_hours"),
            expiring(28, 120, "purchased", "support_hours"), expiring(75, 2400, "purchased", "support_hours"),
            expiring(25, 50, "complimentary")]

    notice = build_expiry_notice("Northwind Holdings", AT, PRODUCTS, free)

    assert (notice.until, notice.nearest) == (date(2026, 12, 18), date(2026, 11, 28))
    hours, credits = notice.sections
    assert [(t.label, t.total_text, t.nearest_text) for t in hours.by_type] == [
        ("Purchased", "12 h", "8 December 2026"), ("Complimentary", "8 h", "28 November 2026")]
    assert (hours.total.total_text, hours.total.nearest_text, hours.total.on_nearest_text) == (
        "20 h", "28 November 2026", "8 h")
    assert hours.total.note == ("Not all of the total expires on 28 November 2026: 8 h expire on that date "
                                "and 12 h later in the next 30 days.")
    assert hours.by_type[0].note.startswith("Not all of the total expires on 8 December 2026: 10 h")
    assert credits.total.note == "All of it expires on 13 December 2026."


def test_credit_expiring_at_the_end_of_the_30th_day_is_in_the_notice_and_on_the_31st_is_not():
    assert build_expiry_notice("X", AT, PRODUCTS, [expiring(30, 1)]) is not None
    assert build_expiry_notice("X", AT, PRODUCTS,
                               [expiring(-1, 1), FreeCredit("service_credits", "purchased", None, 5)]) is None
    assert build_expiry_notice("X", AT, PRODUCTS, [expiring(31, 1)]) is None


@given(st.lists(st.tuples(st.integers(-5, 40), st.integers(1, 500), st.sampled_from(["purchased", "complimentary"])),
                min_size=1, max_size=12))
def test_an_expiry_notices_total_is_the_sum_of_its_types_and_its_nearest_date_the_earliest(lots):
    free = [expiring(days, q, kind) for days, q, kind in lots]
    notice = build_expiry_notice("X", AT, PRODUCTS, free)
    soon = [(days, q) for days, q, _ in lots if 0 <= days <= 30]
    if not soon:
        assert notice is None
        return
    (section,) = notice.sections
    assert section.total.total == sum(t.total for t in section.by_type) == sum(q for _, q in soon)
    nearest = min(d for d, _ in soon)
    assert section.total.nearest == AT.date() + timedelta(days=nearest)
    assert section.total.on_nearest == sum(q for d, q in soon if d == nearest)
    assert section.total.note.startswith("All of it") is (section.total.on_nearest == section.total.total)


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
