"""Support tasks and time as pure rules: valid tickets, valid time, who pays for it, periods, forecast."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain.billing_time import payg_amount
from opsportal.domain.forecast import forecast
from opsportal.domain.formats import money as format_money
from opsportal.domain.periods import (
    Period,
    PeriodLength,
    lot_last_day,
    next_period,
    period_containing,
    periods_usable_on,
)
from opsportal.domain.tasks import (
    CATEGORIES,
    CLOSED_STATUSES,
    DESCRIPTION_MAX,
    MAX_ENTRY_MINUTES,
    OPEN_STATUSES,
    SUBJECT_MAX,
    Priority,
    TaskStatus,
    minutes_problem,
    ticket_problems,
)

MONTHLY, QUARTERLY = PeriodLength.monthly, PeriodLength.quarterly
GOOD = {"subject": "Printer offline", "category": "End-user support", "priority": "normal",
        "description": "The printer on floor 2 shows offline since this morning."}


def problems(**changes):
    return ticket_problems(**{**GOOD, **changes})


# ------------------------------------------------------------------------------------------ tickets


def test_a_complete_ticket_has_no_problems():
    assert problems() == {}


@pytest.mark.parametrize("subject", ["", "   ", "\t\n", None])
def test_a_ticket_without_a_subject_is_asked_for_one(subject):
    assert problems(subject=subject) == {"subject": "Give the ticket a subject."}


def test_a_subject_longer_than_the_limit_is_refused_but_one_at_the_limit_is_accepted():
    assert problems(subject="x" * SUBJECT_MAX) == {}
    assert problems(subject="x" * (SUBJECT_MAX + 1)) == {
        "subject": f"Keep the subject under {SUBJECT_MAX} characters."}


def test_the_subjects_length_is_counted_after_runs_of_spaces_are_collapsed():
    assert problems(subject="a" + " " * 500 + "b") == {}


@pytest.mark.parametrize("category", ["", "Plumbing", "networking", None])
def test_a_category_outside_the_list_is_refused(category):
    assert problems(category=category) == {"category": "Choose a category."}


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_listed_category_is_accepted(category):
    assert problems(category=category) == {}


@pytest.mark.parametrize("priority", ["", "critical", "HIGH", None])
def test_a_priority_outside_the_list_is_refused(priority):
    assert problems(priority=priority) == {"priority": "Choose a priority."}


@pytest.mark.parametrize("priority", [p.value for p in Priority])
def test_every_priority_is_accepted(priority):
    assert problems(priority=priority) == {}


@pytest.mark.parametrize("description", ["", "too short", "   nine c   ", None])
def test_a_description_under_ten_characters_after_trimming_is_refused(description):
    assert problems(description=description) == {
        "description": "Describe the problem in a sentence or two (at least 10 characters)."}


def test_a_description_of_exactly_ten_characters_is_accepted():
    assert problems(description="  0123456789  ") == {}


def test_a_description_over_the_limit_is_refused_with_the_limit_written_with_separators():
    assert problems(description="x" * DESCRIPTION_MAX) == {}
    assert problems(description="x" * (DESCRIPTION_MAX + 1)) == {
        "description": "Keep the description under 20,000 characters."}


def test_every_problem_of_a_ticket_is_reported_at_once_by_field():
    assert set(ticket_problems("", "?", "?", "")) == {"subject", "category", "priority", "description"}


def test_open_and_closed_statuses_partition_the_statuses():
    assert OPEN_STATUSES | CLOSED_STATUSES == set(TaskStatus) and not OPEN_STATUSES & CLOSED_STATUSES
    assert [s.is_open for s in TaskStatus] == [True, True, True, False, False]


def test_waiting_on_customer_reads_as_waiting_on_you():
    assert TaskStatus.waiting_on_customer.label == "Waiting on you"


# ------------------------------------------------------------------------------------------ minutes


@pytest.mark.parametrize("minutes", [1, 30, MAX_ENTRY_MINUTES])
def test_a_positive_whole_number_of_minutes_up_to_sixteen_hours_is_valid(minutes):
    assert minutes_problem(minutes) is None


@pytest.mark.parametrize("minutes", [0, -1, -600, 1.5, 30.0, "30", None, True, False])
def test_minutes_that_are_not_a_positive_whole_number_are_refused(minutes):
    assert minutes_problem(minutes) == "Time must be a positive number of minutes."


def test_more_than_sixteen_hours_in_one_entry_is_refused_with_a_hint_to_split_it():
    assert minutes_problem(MAX_ENTRY_MINUTES + 1) == "One time entry can hold at most 16 hours; split longer work."


# -------------------------------------------------------------------------------------------- money


@pytest.mark.parametrize(("minutes", "rate", "amount"), [
    (60, 12000, 12000),  # one hour at 120.00
    (90, 12000, 18000),
    (1, 12000, 200),
    (1, 100, 2),  # 1.666.. cents -> 2
    (1, 90, 2),  # exactly 1.5 cents -> rounds half up to 2
    (1, 30, 1),  # exactly 0.5 cents -> 1
    (1, 29, 0),  # 0.48 cents -> 0
    (7, 9500, 1108),  # 1108.33 cents
    (0, 12000, 0),
    (45, 0, 0),
])
def test_pay_as_you_go_is_the_hourly_rate_pro_rata_rounded_half_up_to_the_minor_unit(minutes, rate, amount):
    assert payg_amount(minutes, rate) == amount


@given(st.integers(0, 100_000), st.integers(0, 10**9))
def test_pay_as_you_go_equals_exact_fraction_arithmetic_rounded_half_up(minutes, rate):
    exact = Fraction(minutes * rate, 60)
    expected = int(exact) + (1 if exact - int(exact) >= Fraction(1, 2) else 0)
    amount = payg_amount(minutes, rate)
    assert isinstance(amount, int)
    assert amount == expected
    assert abs(Fraction(amount) - exact) <= Fraction(1, 2)


@given(st.integers(0, 10_000), st.integers(0, 10_000), st.integers(0, 10**7))
def test_more_minutes_never_cost_less(a, b, rate):
    low, high = sorted((a, b))
    assert payg_amount(low, rate) <= payg_amount(high, rate)


@pytest.mark.parametrize(("minutes", "rate"), [(-1, 100), (10, -1)])
def test_a_negative_price_calculation_is_refused(minutes, rate):
    with pytest.raises(ValueError, match="must not be negative"):
        payg_amount(minutes, rate)


@pytest.mark.parametrize(("minor", "currency", "text"), [
    (1234567, "USD", "USD 12,345.67"),
    (12000, "USD", "USD 120.00"),
    (9500, "EUR", "EUR 95.00"),
    (5, "USD", "USD 0.05"),
    (0, "EUR", "EUR 0.00"),
    (-250, "USD", "-USD 2.50"),
    (100_000_000_00, "USD", "USD 100,000,000.00"),
])
def test_money_is_written_with_its_currency_thousands_separators_and_two_decimals(minor, currency, text):
    assert format_money(minor, currency) == text


@given(st.integers(-10**12, 10**12))
def test_formatted_money_reads_back_as_the_same_minor_units(minor):
    text = format_money(minor, "USD")
    sign = -1 if text.startswith("-") else 1
    assert sign * int(text.split(" ")[1].replace(",", "").replace(".", "")) == minor


# ------------------------------------------------------------------------------------------ periods


@pytest.mark.parametrize(("day", "start", "end"), [
    (date(2025, 1, 1), date(2025, 1, 1), date(2025, 1, 31)),
    (date(2025, 1, 31), date(2025, 1, 1), date(2025, 1, 31)),
    (date(2025, 2, 14), date(2025, 2, 1), date(2025, 2, 28)),
    (date(2024, 2, 29), date(2024, 2, 1), date(2024, 2, 29)),  # leap year
    (date(2025, 4, 30), date(2025, 4, 1), date(2025, 4, 30)),
    (date(2025, 12, 31), date(2025, 12, 1), date(2025, 12, 31)),
    (date(2026, 1, 1), date(2026, 1, 1), date(2026, 1, 31)),
])
def test_a_monthly_period_is_the_calendar_month_of_the_day(day, start, end):
    assert period_containing(date(2024, 1, 1), MONTHLY, day) == Period(start, end)


@pytest.mark.parametrize(("day", "start", "end"), [
    (date(2025, 1, 1), date(2025, 1, 1), date(2025, 3, 31)),
    (date(2025, 3, 31), date(2025, 1, 1), date(2025, 3, 31)),
    (date(2025, 4, 1), date(2025, 4, 1), date(2025, 6, 30)),
    (date(2025, 11, 15), date(2025, 10, 1), date(2025, 12, 31)),
    (date(2026, 2, 28), date(2026, 1, 1), date(2026, 3, 31)),
])
def test_quarterly_periods_run_three_calendar_months_from_the_subscriptions_first_month(day, start, end):
    assert period_containing(date(2025, 1, 1), QUARTERLY, day) == Period(start, end)


def test_quarters_are_counted_from_the_starting_month_not_the_calendar_quarters():
    assert period_containing(date(2024, 11, 1), QUARTERLY, date(2025, 1, 10)) == Period(date(2024, 11, 1),
                                                                                        date(2025, 1, 31))
    assert period_containing(date(2024, 2, 1), QUARTERLY, date(2024, 5, 2)) == Period(date(2024, 5, 1),
                                                                                     date(2024, 7, 31))


def test_a_subscription_starting_mid_month_has_a_short_first_period_and_full_months_after():
    starts = date(2025, 1, 15)
    assert period_containing(starts, MONTHLY, date(2025, 1, 20)) == Period(date(2025, 1, 15), date(2025, 1, 31))
    assert period_containing(starts, MONTHLY, date(2025, 2, 3)) == Period(date(2025, 2, 1), date(2025, 2, 28))
    assert period_containing(starts, QUARTERLY, date(2025, 3, 31)) == Period(date(2025, 1, 15), date(2025, 3, 31))
    assert period_containing(starts, QUARTERLY, date(2025, 4, 1)) == Period(date(2025, 4, 1), date(2025, 6, 30))


def test_there_is_no_period_before_the_subscription_starts():
    assert period_containing(date(2025, 1, 15), MONTHLY, date(2025, 1, 14)) is None
    assert period_containing(date(2025, 1, 15), MONTHLY, date(2024, 12, 31)) is None


@pytest.mark.parametrize(("period", "length", "following"), [
    (Period(date(2025, 1, 1), date(2025, 1, 31)), MONTHLY, Period(date(2025, 2, 1), date(2025, 2, 28))),
    (Period(date(2024, 1, 15), date(2024, 1, 31)), MONTHLY, Period(date(2024, 2, 1), date(2024, 2, 29))),
    (Period(date(2025, 12, 1), date(2025, 12, 31)), MONTHLY, Period(date(2026, 1, 1), date(2026, 1, 31))),
    (Period(date(2025, 1, 1), date(2025, 3, 31)), QUARTERLY, Period(date(2025, 4, 1), date(2025, 6, 30))),
    (Period(date(2025, 11, 1), date(2026, 1, 31)), QUARTERLY, Period(date(2026, 2, 1), date(2026, 4, 30))),
])
def test_the_next_period_starts_the_day_after_and_runs_a_whole_period(period, length, following):
    assert next_period(period, length) == following


def test_a_periods_hours_are_usable_through_its_last_day_when_they_do_not_roll_over():
    period = Period(date(2025, 1, 1), date(2025, 1, 31))
    assert lot_last_day(period, MONTHLY, rolls_over_once=False) == date(2025, 1, 31)


@pytest.mark.parametrize(("period", "length", "last"), [
    (Period(date(2025, 1, 1), date(2025, 1, 31)), MONTHLY, date(2025, 2, 28)),
    (Period(date(2024, 1, 1), date(2024, 1, 31)), MONTHLY, date(2024, 2, 29)),
    (Period(date(2025, 12, 1), date(2025, 12, 31)), MONTHLY, date(2026, 1, 31)),
    (Period(date(2025, 1, 20), date(2025, 1, 31)), MONTHLY, date(2025, 2, 28)),
    (Period(date(2025, 10, 1), date(2025, 12, 31)), QUARTERLY, date(2026, 3, 31)),
])
def test_hours_that_roll_over_once_are_usable_through_the_end_of_the_next_period_and_no_longer(period, length,
                                                                                                 last):
    assert lot_last_day(period, length, rolls_over_once=True) == last


@given(st.dates(date(2000, 1, 1), date(2100, 12, 31)), st.integers(0, 2000), st.sampled_from(list(PeriodLength)))
def test_periods_tile_the_calendar_from_the_start_without_gaps_or_overlaps(starts, offset, length):
    day = starts + timedelta(days=offset)
    period = period_containing(starts, length, day)
    assert period.start <= day <= period.end
    assert period.start >= starts
    following = period_containing(starts, length, period.end + timedelta(days=1))
    assert following == next_period(period, length)
    assert following.start == period.end + timedelta(days=1)
    assert following.start.day == 1 and (following.end + timedelta(days=1)).day == 1
    months = (following.end.year - following.start.year) * 12 + following.end.month - following.start.month + 1
    assert months == length.months


def test_without_rollover_only_the_current_periods_hours_are_usable():
    assert periods_usable_on(date(2025, 1, 1), PeriodLength.monthly, False, date(2025, 3, 10)) == [
        Period(date(2025, 3, 1), date(2025, 3, 31))]


def test_with_rollover_the_previous_periods_hours_are_still_usable_too():
    assert periods_usable_on(date(2025, 1, 15), PeriodLength.quarterly, True, date(2025, 5, 2)) == [
        Period(date(2025, 1, 15), date(2025, 3, 31)), Period(date(2025, 4, 1), date(2025, 6, 30))]


def test_in_the_first_period_there_is_no_earlier_period_to_roll_over():
    assert periods_usable_on(date(2025, 3, 5), PeriodLength.monthly, True, date(2025, 3, 20)) == [
        Period(date(2025, 3, 5), date(2025, 3, 31))]
    assert periods_usable_on(date(2025, 3, 5), PeriodLength.monthly, True, date(2025, 3, 1)) == []


@given(st.dates(date(2000, 1, 1), date(2100, 12, 31)), st.integers(0, 2000), st.sampled_from(list(PeriodLength)),
       st.booleans())
def test_every_usable_period_has_started_and_its_hours_last_through_the_day(starts, offset, length, rolls):
    day = starts + timedelta(days=offset)
    usable = periods_usable_on(starts, length, rolls, day)
    assert usable and usable[-1] == period_containing(starts, length, day)
    for period in usable:
        assert starts <= period.start <= day <= lot_last_day(period, length, rolls)


# ----------------------------------------------------------------------------------------- forecast

TODAY = date(2025, 3, 10)


def test_without_usage_in_the_last_30_days_there_is_no_run_out_date_and_the_expiry_is_mentioned():
    result = forecast(600, 0, TODAY, date(2025, 6, 30))
    assert (result.minutes_per_day, result.runs_out_on, result.expires_on) == (0, None, date(2025, 6, 30))
    assert result.message == "No hours used in the last 30 days; they expire on 30 Jun 2025."


def test_without_usage_and_without_expiry_the_message_ends_plainly():
    assert forecast(600, 0, TODAY, None).message == "No hours used in the last 30 days."


def test_hours_that_run_out_before_they_expire_say_so_with_both_dates():
    result = forecast(600, 300, TODAY, date(2025, 6, 30))  # 10 min/day: 60 days
    assert (result.minutes_per_day, result.runs_out_on) == (10, date(2025, 5, 9))
    assert result.message == ("At the last 30 days' pace your hours run out on 09 May 2025, "
                              "before they expire on 30 Jun 2025.")


def test_hours_that_outlast_their_expiry_warn_that_some_will_go_unused():
    result = forecast(600, 300, TODAY, date(2025, 3, 31))
    assert result.runs_out_on == date(2025, 5, 9)
    assert result.message == ("At the last 30 days' pace your hours last until 09 May 2025, "
                              "after they expire on 31 Mar 2025: some will go unused.")


def test_hours_without_expiry_only_say_when_they_run_out():
    assert forecast(600, 300, TODAY, None).message == "At the last 30 days' pace your hours run out on 09 May 2025."


def test_the_run_out_day_is_rounded_down_to_the_day_the_balance_empties():
    # 100 minutes at 7 per day (210 in 30 days): 14.28 days -> runs out on day 14.
    assert forecast(100, 210, TODAY, None).runs_out_on == TODAY + timedelta(days=14)


def test_a_pace_faster_than_the_balance_runs_out_today():
    assert forecast(10, 3000, TODAY, None).runs_out_on == TODAY


def test_the_pace_is_rounded_half_up_to_the_minute_per_day():
    assert forecast(600, 45, TODAY, None).minutes_per_day == 2  # 1.5 per day
    assert forecast(600, 44, TODAY, None).minutes_per_day == 1


@pytest.mark.parametrize("available", [0, -30])
def test_with_no_hours_left_new_work_is_pay_as_you_go_and_the_hours_ran_out_today(available):
    result = forecast(available, 300, TODAY, date(2025, 6, 30))
    assert result.runs_out_on == TODAY
    assert result.message == "No prepaid hours left: new work is billed pay-as-you-go."


def test_with_no_hours_left_the_pace_is_still_the_last_30_days_pace():
    assert forecast(0, 300, TODAY, None).minutes_per_day == 10


def test_running_out_on_the_expiry_day_counts_as_before_the_expiry():
    # Usable through the whole expiry day: running out that day wastes nothing.
    assert "before they expire" in forecast(300, 300, TODAY, TODAY + timedelta(days=30)).message


def test_a_pace_that_would_take_more_than_ten_years_gives_no_date_and_warns_of_the_expiry():
    # 1,600 hours left and one minute used in 30 days: 2.9 million days, past the end of the calendar.
    result = forecast(96_000, 1, TODAY, date(2025, 12, 31))
    assert (result.runs_out_on, result.minutes_per_day) == (None, 0)
    assert result.message == ("At the last 30 days' pace your hours last more than ten years, "
                              "after they expire on 31 Dec 2025: some will go unused.")
    assert forecast(96_000, 1, TODAY, None).message == "At the last 30 days' pace your hours last more than ten years."


@given(st.integers(1, 10**7), st.integers(1, 10**5), st.one_of(st.none(), st.integers(0, 5000)))
def test_the_forecast_never_runs_out_in_the_past_and_agrees_with_its_message(available, used, expires_in):
    expires_on = None if expires_in is None else TODAY + timedelta(days=expires_in)
    result = forecast(available, used, TODAY, expires_on)
    if result.runs_out_on is None:
        assert available * 30 // used > 3653
        last_day = TODAY + timedelta(days=3653)
    else:
        assert result.runs_out_on >= TODAY
        assert f"{result.runs_out_on:%d %b %Y}" in result.message
        last_day = result.runs_out_on
    unused = expires_on is not None and last_day > expires_on
    assert ("some will go unused" in result.message) is unused
