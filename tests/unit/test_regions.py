"""Regions: business hours are local wall-clock times, with weekends, public holidays and daylight saving."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain.regions import (
    DEFAULT_REGIONS,
    Region,
    business_hours,
    is_business_day,
    is_business_time,
    local_time,
    next_business_start,
    public_holiday,
    wall_instant,
)

AMER, EMEA, APAC = DEFAULT_REGIONS["AMER"], DEFAULT_REGIONS["EMEA"], DEFAULT_REGIONS["APAC"]
US_EVERY_DAY = frozenset(range(7))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# ------------------------------------------------------------------------------------------ the region itself


def test_the_default_regions_are_the_seeds_north_america_london_and_hong_kong():
    assert {code: r.time_zone for code, r in DEFAULT_REGIONS.items()} == {
        "AMER": "America/New_York", "EMEA": "Europe/London", "APAC": "Asia/Hong_Kong"}


def test_an_unknown_time_zone_is_refused():
    with pytest.raises(ValueError, match="not a known time zone"):
        Region("MARS", "Mars", "Mars/Olympus_Mons", "US")


def test_a_country_without_a_holiday_calendar_is_refused():
    with pytest.raises(ValueError, match="no public-holiday calendar"):
        Region("XX", "Nowhere", "UTC", "QQ")


def test_business_hours_that_end_before_they_start_are_refused():
    with pytest.raises(ValueError, match="start before they end"):
        Region("X", "X", "UTC", "US", business_start=time(18), business_end=time(8))


def test_a_region_without_business_days_is_refused():
    with pytest.raises(ValueError, match="business days"):
        Region("X", "X", "UTC", "US", business_days=frozenset())


@pytest.mark.parametrize("function", [is_business_time, local_time, next_business_start])
def test_a_naive_datetime_is_refused_because_it_names_no_instant(function):
    with pytest.raises(ValueError, match="aware"):
        function(EMEA, datetime(2025, 3, 12, 10, 0))


def test_an_instant_in_any_time_zone_is_read_as_the_same_absolute_time():
    berlin_winter = timezone(timedelta(hours=1))
    assert is_business_time(EMEA, datetime(2025, 3, 12, 9, 0, tzinfo=berlin_winter))  # 08:00 in London
    assert not is_business_time(EMEA, datetime(2025, 3, 12, 8, 59, tzinfo=berlin_winter))


# ------------------------------------------------------------------------------------------ business hours


def test_business_hours_include_their_opening_instant():
    assert is_business_time(EMEA, utc(2025, 1, 15, 8, 0, 0))


def test_business_hours_exclude_the_instant_just_before_opening():
    assert not is_business_time(EMEA, utc(2025, 1, 15, 7, 59, 59, 999999))


def test_business_hours_include_the_last_microsecond_before_closing():
    assert is_business_time(EMEA, utc(2025, 1, 15, 17, 59, 59, 999999))


def test_business_hours_exclude_their_closing_instant():
    assert not is_business_time(EMEA, utc(2025, 1, 15, 18, 0, 0))


@pytest.mark.parametrize("day", [date(2025, 1, 18), date(2025, 1, 19)])
def test_saturday_and_sunday_are_not_business_days(day):
    assert not is_business_day(EMEA, day)
    assert not is_business_time(EMEA, datetime.combine(day, time(12), tzinfo=UTC))


def test_christmas_day_is_not_business_time_in_any_default_region():
    for region in DEFAULT_REGIONS.values():
        noon = wall_instant(region, date(2025, 12, 25), time(12))
        assert not is_business_time(region, noon), region.code


def test_a_uk_bank_holiday_closes_emea_but_not_amer():
    # Monday 25 August 2025, the Late Summer Bank Holiday in England.
    assert public_holiday(EMEA, date(2025, 8, 25)) == "Late Summer Bank Holiday"
    assert not is_business_time(EMEA, utc(2025, 8, 25, 13, 0))
    assert is_business_time(AMER, utc(2025, 8, 25, 13, 0))  # 09:00 in New York


def test_us_thanksgiving_closes_amer_but_not_emea():
    assert public_holiday(AMER, date(2025, 11, 27)) == "Thanksgiving Day"
    assert not is_business_time(AMER, utc(2025, 11, 27, 15, 0))  # 10:00 in New York
    assert is_business_time(EMEA, utc(2025, 11, 27, 15, 0))


def test_an_observed_substitute_holiday_is_not_a_business_day():
    # Christmas 2027 is on a Saturday: England observes it on Monday the 27th.
    assert public_holiday(EMEA, date(2027, 12, 27)) == "Christmas Day (observed)"
    assert not is_business_day(EMEA, date(2027, 12, 27))


def test_the_holiday_is_the_regions_local_day_not_the_utc_day():
    # 23:30 UTC on 24 December is already Christmas morning in Hong Kong.
    assert local_time(APAC, utc(2025, 12, 24, 23, 30)).date() == date(2025, 12, 25)
    assert not is_business_time(APAC, utc(2025, 12, 25, 1, 0))  # 09:00 on Christmas Day in Hong Kong


# ------------------------------------------------------------------------------------------ region boundaries


def test_the_same_instant_is_business_time_in_london_and_night_in_new_york():
    instant = utc(2025, 1, 15, 9, 0)
    assert is_business_time(EMEA, instant)
    assert local_time(AMER, instant).hour == 4
    assert not is_business_time(AMER, instant)


def test_hong_kong_opens_while_new_york_is_still_in_the_previous_evening():
    instant = utc(2025, 1, 15, 0, 30)  # 08:30 Wednesday in Hong Kong, 19:30 Tuesday in New York
    assert is_business_time(APAC, instant)
    assert local_time(AMER, instant).date() == date(2025, 1, 14)
    assert not is_business_time(AMER, instant)


def test_monday_morning_business_time_in_hong_kong_is_sunday_evening_in_new_york():
    instant = utc(2025, 1, 20, 0, 30)  # Monday 08:30 in Hong Kong, Sunday 19:30 in New York
    assert is_business_time(APAC, instant)
    assert local_time(AMER, instant).weekday() == 6
    assert not is_business_time(AMER, instant)


# ------------------------------------------------------------------------------------------ daylight saving


def test_new_york_opens_an_hour_earlier_in_utc_on_the_monday_after_the_spring_switch():
    # Clocks went forward on Sunday 9 March 2025.
    assert business_hours(AMER, date(2025, 3, 7))[0] == utc(2025, 3, 7, 13, 0)
    assert business_hours(AMER, date(2025, 3, 10))[0] == utc(2025, 3, 10, 12, 0)
    assert is_business_time(AMER, utc(2025, 3, 10, 12, 0))


def test_london_opens_at_0700_utc_on_the_monday_after_british_summer_time_starts():
    # Clocks went forward on Sunday 30 March 2025.
    assert business_hours(EMEA, date(2025, 3, 31)) == (utc(2025, 3, 31, 7, 0), utc(2025, 3, 31, 17, 0))
    assert is_business_time(EMEA, utc(2025, 3, 31, 7, 0))
    assert not is_business_time(EMEA, utc(2025, 3, 31, 17, 0))


def test_the_sunday_of_a_switch_is_no_business_day():
    assert business_hours(EMEA, date(2025, 3, 30)) is None
    assert business_hours(AMER, date(2025, 11, 2)) is None


def test_while_only_america_has_switched_london_and_new_york_are_four_hours_apart():
    instant = utc(2025, 3, 12, 12, 0)  # after 9 March (US), before 30 March (UK)
    assert local_time(EMEA, instant).hour == 12
    assert local_time(AMER, instant).hour == 8
    assert is_business_time(AMER, instant)


def test_both_instants_of_the_repeated_hour_read_the_same_local_time_and_are_both_closed_on_sunday():
    first, second = utc(2025, 10, 26, 0, 30), utc(2025, 10, 26, 1, 30)  # 01:30 BST, then 01:30 GMT
    assert local_time(EMEA, first).replace(tzinfo=None) == local_time(EMEA, second).replace(tzinfo=None)
    assert local_time(EMEA, first).utcoffset() != local_time(EMEA, second).utcoffset()
    assert not is_business_time(EMEA, first) and not is_business_time(EMEA, second)


def test_an_opening_in_the_spring_forward_gap_opens_at_the_instant_the_clocks_jump():
    night_shift = Region("NYN", "Night desk", "America/New_York", "US", business_start=time(2, 30),
                         business_days=US_EVERY_DAY)
    # 02:30 did not exist on 9 March 2025: the clocks jumped from 02:00 EST (07:00 UTC) to 03:00 EDT.
    assert wall_instant(night_shift, date(2025, 3, 9), time(2, 30)) == utc(2025, 3, 9, 7, 0)
    assert is_business_time(night_shift, utc(2025, 3, 9, 7, 0))
    assert not is_business_time(night_shift, utc(2025, 3, 9, 6, 59, 59))


def test_an_opening_in_the_repeated_hour_opens_at_its_first_occurrence_and_stays_open():
    night_shift = Region("NYN", "Night desk", "America/New_York", "US", business_start=time(1, 30),
                         business_days=US_EVERY_DAY)
    # 01:30 happened twice on 2 November 2025: at 05:30 UTC (EDT) and at 06:30 UTC (EST).
    assert wall_instant(night_shift, date(2025, 11, 2), time(1, 30)) == utc(2025, 11, 2, 5, 30)
    assert is_business_time(night_shift, utc(2025, 11, 2, 6, 15))  # 01:15 EST, after the first 01:30


# ------------------------------------------------------------------------------------------ next opening


def test_the_next_business_start_during_business_hours_is_the_instant_itself():
    assert next_business_start(EMEA, utc(2025, 1, 15, 10, 0)) == utc(2025, 1, 15, 10, 0)


def test_after_friday_closing_the_next_business_start_is_monday_opening():
    assert next_business_start(EMEA, utc(2025, 1, 17, 18, 0)) == utc(2025, 1, 20, 8, 0)


def test_the_next_business_start_across_the_spring_switch_is_monday_0800_local():
    assert next_business_start(AMER, utc(2025, 3, 7, 23, 0)) == utc(2025, 3, 10, 12, 0)


def test_the_next_business_start_skips_christmas_boxing_day_and_the_weekend():
    assert next_business_start(EMEA, utc(2025, 12, 24, 18, 0)) == utc(2025, 12, 29, 8, 0)


def test_early_in_the_morning_the_next_business_start_is_the_same_days_opening():
    assert next_business_start(AMER, utc(2025, 1, 15, 6, 0)) == utc(2025, 1, 15, 13, 0)


instants = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31),
                        timezones=st.just(UTC))


@given(st.sampled_from(sorted(DEFAULT_REGIONS)), instants)
def test_the_next_business_start_is_business_time_and_nothing_between_is(code, instant):
    region = DEFAULT_REGIONS[code]
    start = next_business_start(region, instant)
    assert start >= instant
    assert is_business_time(region, start)
    if start > instant:
        assert not is_business_time(region, start - timedelta(microseconds=1))
        assert not is_business_time(region, instant + (start - instant) / 2)


@given(st.sampled_from(sorted(DEFAULT_REGIONS)), instants)
def test_business_time_is_a_business_day_between_0800_and_1800_on_the_local_clock(code, instant):
    region = DEFAULT_REGIONS[code]
    local = local_time(region, instant)
    expected = is_business_day(region, local.date()) and time(8) <= local.time() < time(18)
    assert is_business_time(region, instant) == expected
