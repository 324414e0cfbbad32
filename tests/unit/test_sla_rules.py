"""Service levels: the targets per priority, the clock a plan runs them on, and counting business minutes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsportal.domain import sla
from opsportal.domain.coverage import OrgPlan, coverage_at
from opsportal.domain.plan_catalog import OfferingCode
from opsportal.domain.plan_terms import Entitlement
from opsportal.domain.regions import DEFAULT_REGIONS, is_business_day, wall_instant
from opsportal.domain.sla import ClockMode, SlaClock, Standing
from opsportal.domain.tasks import Priority

GOLD, BDAH, EVERYDAY = OfferingCode.gold, OfferingCode.business_day_after_hours, OfferingCode.everyday_after_hours
MULTI = OfferingCode.multi_regional
R = DEFAULT_REGIONS
TERM = (date(2023, 1, 1), date(2027, 1, 1))
EMEA_GOLD = SlaClock(ClockMode.business, ("EMEA",))
AMER_GOLD = SlaClock(ClockMode.business, ("AMER",))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def plan(*codes: OfferingCode, home: str = "AMER", extra: tuple[str, ...] = ()) -> OrgPlan:
    held = [Entitlement(c, home, *TERM, extra_regions=extra if c is MULTI else ()) for c in codes]
    return OrgPlan(home, extra, tuple(held))


# ------------------------------------------------------------------------------------------ targets and clocks


def test_urgent_is_answered_within_one_business_hour_and_solved_within_eight():
    assert sla.target_for("urgent") == sla.Target(first_response=60, resolution=480)


def test_targets_grow_as_priority_falls():
    order = [Priority.urgent, Priority.high, Priority.normal, Priority.low]
    firsts = [sla.TARGETS[p].first_response for p in order]
    resolutions = [sla.TARGETS[p].resolution for p in order]
    assert firsts == sorted(firsts) and resolutions == sorted(resolutions)
    assert all(sla.TARGETS[p].first_response < sla.TARGETS[p].resolution for p in order)


def test_without_gold_there_is_no_clock_best_effort_only():
    assert sla.clock_for(plan(), R, "urgent", utc(2025, 3, 12, 14)) is None
    assert sla.clock_for(None, R, "urgent", utc(2025, 3, 12, 14)) is None


def test_gold_after_its_term_gives_no_clock():
    assert sla.clock_for(plan(GOLD), R, "urgent", utc(2027, 1, 2, 14)) is None


def test_gold_counts_the_home_regions_business_hours():
    assert sla.clock_for(plan(GOLD), R, "urgent", utc(2025, 3, 12, 14)) == AMER_GOLD


def test_multi_regional_adds_its_regions_business_hours():
    clock = sla.clock_for(plan(GOLD, MULTI, extra=("EMEA",)), R, "normal", utc(2025, 3, 12, 14))
    assert clock == SlaClock(ClockMode.business, ("AMER", "EMEA"))


def test_everyday_after_hours_runs_urgent_and_high_around_the_clock_but_not_normal_and_low():
    org = plan(GOLD, EVERYDAY)
    at = utc(2025, 3, 12, 14)
    assert sla.clock_for(org, R, "urgent", at).mode is ClockMode.always
    assert sla.clock_for(org, R, "high", at).mode is ClockMode.always
    assert sla.clock_for(org, R, "normal", at).mode is ClockMode.business
    assert sla.clock_for(org, R, "low", at).mode is ClockMode.business


def test_business_day_after_hours_runs_urgent_through_workweek_nights():
    assert sla.clock_for(plan(GOLD, BDAH), R, "urgent", utc(2025, 3, 12, 14)).mode is ClockMode.workweek


def test_a_clock_is_stored_and_read_back_by_its_key():
    clock = SlaClock(ClockMode.workweek, ("AMER", "EMEA"))
    assert clock.key == "workweek:AMER+EMEA"
    assert SlaClock.parse(clock.key) == clock


def test_targets_read_as_a_plan_states_them():
    assert sla.target_text(60, EMEA_GOLD) == "1 business hour"
    assert sla.target_text(1200, EMEA_GOLD) == "20 business hours"
    assert sla.target_text(480, SlaClock(ClockMode.always, ("EMEA",))) == "8 hours"


# ------------------------------------------------------------------------------------------ examples


def test_a_ticket_opened_friday_afternoon_waits_out_the_weekend_and_labor_day():
    # Friday 29 Aug 2025, 16:00 EDT; Monday 1 Sep is Labor Day in the US.
    opened = utc(2025, 8, 29, 20)
    assert sla.add_business_minutes(AMER_GOLD, R, opened, 60) == utc(2025, 8, 29, 21)  # Fri 17:00 EDT
    # 4 business hours: Friday 16:00-18:00, then Tuesday 08:00-10:00 EDT.
    assert sla.add_business_minutes(AMER_GOLD, R, opened, 240) == utc(2025, 9, 2, 14)


def test_easter_in_england_skips_good_friday_and_easter_monday():
    opened = utc(2025, 4, 17, 16)  # Thursday 17 Apr 2025, 17:00 BST
    due = sla.add_business_minutes(EMEA_GOLD, R, opened, 8 * 60)  # 1 h on Thursday, 7 h on Tuesday
    assert due == utc(2025, 4, 22, 14)  # Tuesday 15:00 BST
    assert sla.business_minutes_between(EMEA_GOLD, R, opened, due) == 480


def test_the_spring_clock_change_does_not_shorten_a_business_day():
    # Friday 28 Mar 2025 17:00 GMT; British Summer Time starts Sunday 30 March.
    due = sla.add_business_minutes(EMEA_GOLD, R, utc(2025, 3, 28, 17), 8 * 60)
    assert due == utc(2025, 3, 31, 14)  # Monday 15:00 BST


def test_everyday_after_hours_counts_every_minute_of_a_holiday_weekend():
    always = SlaClock(ClockMode.always, ("EMEA",))
    opened = utc(2025, 4, 18, 23)  # Good Friday, late
    assert sla.add_business_minutes(always, R, opened, 60) == utc(2025, 4, 19, 0)
    assert sla.business_minutes_between(always, R, opened, utc(2025, 4, 21, 23)) == 3 * 24 * 60


def test_business_day_after_hours_covers_weeknights_but_not_the_weekend():
    workweek = SlaClock(ClockMode.workweek, ("AMER",))
    thursday_night = utc(2025, 3, 14, 3)  # Thursday 23:00 EDT
    assert sla.running(workweek, R, thursday_night)
    assert not sla.running(workweek, R, utc(2025, 3, 15, 16))  # Saturday noon
    friday_5pm = utc(2025, 3, 14, 21)
    assert sla.add_business_minutes(workweek, R, friday_5pm, 120) == utc(2025, 3, 17, 13)  # Mon 09:00 EDT


def test_a_multi_regional_clock_counts_overlapping_hours_once():
    both = SlaClock(ClockMode.business, ("AMER", "EMEA"))
    day = date(2025, 3, 12)  # London 08-18 GMT, New York 08-18 EDT = 12-22 UTC: 08-22 UTC
    start = datetime.combine(day, time(0), UTC)
    assert sla.business_minutes_between(both, R, start, start + timedelta(days=1)) == 14 * 60


# ------------------------------------------------------------------------------------------ standing


def test_standing_of_a_target():
    due = utc(2025, 3, 12, 15)
    now = utc(2025, 3, 12, 14)
    assert sla.standing(due, None, now=now, left_minutes=90) is Standing.due
    assert sla.standing(due, None, now=now, left_minutes=59) is Standing.near
    assert sla.standing(due, None, now=utc(2025, 3, 12, 16)) is Standing.breached
    assert sla.standing(due, utc(2025, 3, 12, 14, 30), now=now) is Standing.met
    assert sla.standing(due, utc(2025, 3, 12, 15, 1), now=now) is Standing.missed


def test_a_pause_holds_a_running_target_but_not_a_breached_one():
    due = utc(2025, 3, 12, 15)
    assert sla.standing(due, None, now=utc(2025, 3, 13), paused_at=utc(2025, 3, 12, 14)) is Standing.paused
    assert sla.standing(due, None, now=utc(2025, 3, 13), paused_at=utc(2025, 3, 12, 16)) is Standing.breached


# ------------------------------------------------------------------------------------------ properties

instants = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 1),
                        timezones=st.just(UTC))
clocks = st.builds(SlaClock, st.sampled_from(list(ClockMode)),
                   st.sampled_from([("AMER",), ("EMEA",), ("APAC",), ("EMEA", "AMER"), ("AMER", "APAC", "EMEA")]))
minutes = st.integers(min_value=0, max_value=100 * 60)


@settings(max_examples=60, deadline=None)
@given(clocks, instants, minutes)
def test_adding_n_business_minutes_covers_exactly_n_of_them(clock, start, n):
    due = sla.add_business_minutes(clock, R, start, n)
    assert due >= start
    assert sla.business_time_between(clock, R, start, due) == timedelta(minutes=n)


@settings(max_examples=60, deadline=None)
@given(clocks, instants, minutes, minutes)
def test_adding_minutes_is_monotonic_and_additive(clock, start, a, b):
    first = sla.add_business_minutes(clock, R, start, a)
    assert sla.add_business_minutes(clock, R, first, b) == sla.add_business_minutes(clock, R, start, a + b)
    if a <= b:
        assert first <= sla.add_business_minutes(clock, R, start, b)


@settings(max_examples=60, deadline=None)
@given(clocks, instants, st.integers(0, 20 * 24 * 60), st.integers(0, 20 * 24 * 60))
def test_business_time_between_adds_up_over_a_split(clock, start, x, y):
    middle, end = start + timedelta(minutes=x), start + timedelta(minutes=x + y)
    whole = sla.business_time_between(clock, R, start, end)
    assert whole == sla.business_time_between(clock, R, start, middle) + sla.business_time_between(clock, R, middle,
                                                                                                    end)
    assert whole <= end - start


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(sorted(R)), st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 1)))
def test_a_local_day_counts_its_business_hours_or_nothing_even_on_clock_change_days(code, day):
    region = R[code]
    clock = SlaClock(ClockMode.business, (code,))
    start, end = wall_instant(region, day, time(0)), wall_instant(region, day + timedelta(days=1), time(0))
    counted = sla.business_minutes_between(clock, R, start, end)
    assert counted == (600 if is_business_day(region, day) else 0)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from([(GOLD,), (GOLD, BDAH), (GOLD, EVERYDAY), (GOLD, MULTI), (GOLD, MULTI, BDAH)]),
       st.sampled_from(["AMER", "EMEA", "APAC"]), instants)
def test_an_urgent_tickets_clock_runs_exactly_when_coverage_says_support_is_available(codes, home, at):
    extra = tuple(c for c in ("AMER", "EMEA", "APAC") if c != home)[:1]
    org = plan(*codes, home=home, extra=extra if MULTI in codes else ())
    clock = sla.clock_for(org, R, "urgent", at)
    assert sla.running(clock, R, at) == coverage_at(org, R, at).covered


def test_minutes_to_add_are_never_negative():
    with pytest.raises(ValueError):
        sla.add_business_minutes(EMEA_GOLD, R, utc(2025, 3, 12, 9), -1)
