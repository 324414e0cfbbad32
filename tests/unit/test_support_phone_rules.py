"""Phone support rules: a number is E.164, a region's hours are sane, and a line is open exactly when the coverage
rules cover its region, with the next closing or opening found across weekends, public holidays and DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsportal.domain import formats
from opsportal.domain.coverage import OrgPlan, coverage_at
from opsportal.domain.incidents import ScheduledWindow
from opsportal.domain.plan_catalog import OfferingCode
from opsportal.domain.plan_terms import Entitlement
from opsportal.domain.regions import DEFAULT_REGIONS
from opsportal.domain.support_phone import (
    HORIZON_DAYS,
    hours_problem,
    label_problem,
    line_status,
    normalized_number,
    phone_regions,
)

GOLD, BDAH, EVERYDAY = OfferingCode.gold, OfferingCode.business_day_after_hours, OfferingCode.everyday_after_hours
MULTI = OfferingCode.multi_regional
TERM = (date(2024, 1, 1), date(2027, 1, 1))
_MICRO = timedelta(microseconds=1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def plan(*codes: OfferingCode, home: str = "EMEA", multi: tuple[str, ...] = (), start: date = TERM[0],
         end: date = TERM[1], scheduled: tuple[ScheduledWindow, ...] = ()) -> OrgPlan:
    held = tuple(Entitlement(c, home, start, end, extra_regions=multi if c is MULTI else ()) for c in codes)
    return OrgPlan(home, ("AMER",) if home != "AMER" else (), held, scheduled)


def is_open(org: OrgPlan, code: str, at: datetime) -> bool:
    row = next((r for r in coverage_at(org, DEFAULT_REGIONS, at).regions if r.region == code), None)
    return row is not None and row.covered


# ------------------------------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("typed, stored", [
    ("+44 20 7946 0321", "+442079460321"),
    ("+1 (202) 555-0143", "+12025550143"),
    ("0044 20 7946 0321", "+442079460321"),
    ("+852 3001.2345", "+85230012345"),
])
def test_a_phone_number_is_stored_in_e164_whatever_separators_staff_type(typed, stored):
    assert normalized_number(typed) == stored


@pytest.mark.parametrize("typed, message", [
    ("020 7946 0321", "not an international phone number"),
    ("", "not an international phone number"),
    ("+44 20 7946 032x", "not an international phone number"),
    ("+0 20 7946 0321", "never starts with 0"),
    ("+44 123", "too short for a United Kingdom number"),
    ("+44 2079 4603 2100 0000", "too long for a United Kingdom number"),
    ("+1 202 555 01", "wrong number of digits for a United States number"),
    ("+999 1234 5678", "country code that exists"),
    ("+44 7700 900123", "is not a valid United Kingdom number"),
    ("+４４２０７９４６０３２１", "not an international phone number"),  # full-width digits are not ASCII digits
])
def test_a_number_that_is_not_a_valid_international_number_is_refused_with_the_reason(typed, message):
    with pytest.raises(ValueError, match=message):
        normalized_number(typed)


def test_a_number_needs_a_short_label():
    assert label_problem("  ") is not None
    assert label_problem("x" * 81) is not None
    assert label_problem("Main line") is None


@pytest.mark.parametrize("start, end, days, ok", [
    (time(8), time(18), frozenset(range(5)), True),
    (time(18), time(8), frozenset(range(5)), False),
    (time(8), time(8, 30), frozenset(range(5)), False),
    (time(8, 0, 30), time(18), frozenset(range(5)), False),
    (time(8), time(18), frozenset(), False),
    (time(8), time(18), frozenset({7}), False),
])
def test_business_hours_must_be_sane(start, end, days, ok):
    assert (hours_problem(start, end, days) is None) is ok


# ------------------------------------------------------------------------------------------------ regions


def test_the_lines_are_the_home_regions_and_those_multi_regional_names():
    assert phone_regions(plan(GOLD), DEFAULT_REGIONS, utc(2025, 3, 12, 10)) == ("EMEA",)
    both = plan(GOLD, MULTI, multi=("APAC",))
    assert phone_regions(both, DEFAULT_REGIONS, utc(2025, 3, 12, 10)) == ("EMEA", "APAC")
    ended = plan(GOLD, MULTI, multi=("APAC",), end=date(2025, 1, 1))
    assert phone_regions(ended, DEFAULT_REGIONS, utc(2025, 3, 12, 10)) == ("EMEA",)


# ------------------------------------------------------------------------------------------ open and closed


def test_gold_opens_the_home_line_in_business_hours_until_the_close():
    status = line_status(plan(GOLD), DEFAULT_REGIONS, "EMEA", utc(2025, 3, 12, 10))  # Wednesday, London on GMT
    assert status.open and status.basis == "Gold business hours"
    assert status.until == utc(2025, 3, 12, 18)
    assert formats.next_clock(status.until, "Europe/Paris", utc(2025, 3, 12, 10)) == "19:00 CET"


def test_on_friday_evening_the_line_opens_on_monday_morning():
    status = line_status(plan(GOLD), DEFAULT_REGIONS, "EMEA", utc(2025, 3, 14, 19))
    assert not status.open and status.opens == utc(2025, 3, 17, 8)
    assert formats.next_clock(status.opens, "Europe/London", utc(2025, 3, 14, 19)) == "Monday at 08:00 GMT"


def test_a_public_holiday_keeps_the_line_closed_until_the_next_business_day():
    # Good Friday 18 April and Easter Monday 21 April 2025 are English bank holidays: Thursday's close to Tuesday.
    status = line_status(plan(GOLD), DEFAULT_REGIONS, "EMEA", utc(2025, 4, 17, 16, 30))
    assert status.open and status.until == utc(2025, 4, 17, 17)  # 18:00 BST
    closed = line_status(plan(GOLD), DEFAULT_REGIONS, "EMEA", utc(2025, 4, 17, 17))
    assert not closed.open and closed.opens == utc(2025, 4, 22, 7)  # Tuesday 08:00 BST


def test_everyday_after_hours_keeps_the_home_line_open_around_the_clock():
    status = line_status(plan(GOLD, EVERYDAY), DEFAULT_REGIONS, "EMEA", utc(2025, 3, 15, 3))
    assert status.open and status.until is None and status.basis == "Everyday After-Hours"


def test_everyday_after_hours_closes_the_line_when_gold_ends():
    status = line_status(plan(GOLD, EVERYDAY, end=date(2025, 3, 20)), DEFAULT_REGIONS, "EMEA", utc(2025, 3, 15, 3))
    assert status.open and status.until == utc(2025, 3, 20, 0)  # the home region's midnight: no Gold from then


def test_business_day_after_hours_opens_the_line_from_monday_to_friday_evening():
    status = line_status(plan(GOLD, BDAH), DEFAULT_REGIONS, "EMEA", utc(2025, 3, 12, 23))
    assert status.open and status.until == utc(2025, 3, 14, 18)  # through the week, to Friday's close
    weekend = line_status(plan(GOLD, BDAH), DEFAULT_REGIONS, "EMEA", utc(2025, 3, 15, 12))
    assert not weekend.open and weekend.opens == utc(2025, 3, 17, 8)


def test_without_gold_no_line_opens():
    status = line_status(plan(EVERYDAY), DEFAULT_REGIONS, "EMEA", utc(2025, 3, 12, 10))
    assert not status.open and status.opens is None


def test_a_multi_regional_line_follows_its_own_regions_hours_and_holidays():
    both = plan(GOLD, MULTI, multi=("APAC",))
    status = line_status(both, DEFAULT_REGIONS, "APAC", utc(2025, 3, 12, 10))  # 18:00 in Hong Kong: closed
    assert not status.open and status.opens == utc(2025, 3, 13, 0)  # Thursday 08:00 HKT
    # Everyday After-Hours covers the home region only: the APAC line stays on Hong Kong's hours.
    everyday = plan(GOLD, EVERYDAY, MULTI, multi=("APAC",))
    assert not line_status(everyday, DEFAULT_REGIONS, "APAC", utc(2025, 3, 15, 3)).open


def test_the_spring_forward_night_does_not_move_mondays_opening():
    # London moves to BST at 01:00 UTC on Sunday 30 March 2025: Monday 08:00 BST is 07:00 UTC.
    status = line_status(plan(GOLD), DEFAULT_REGIONS, "EMEA", utc(2025, 3, 29, 12))
    assert status.opens == utc(2025, 3, 31, 7)


def test_a_paid_scheduled_window_opens_the_home_line_for_its_time():
    window = ScheduledWindow(utc(2025, 3, 15, 20), utc(2025, 3, 15, 23))
    status = line_status(plan(GOLD, scheduled=(window,)), DEFAULT_REGIONS, "EMEA", utc(2025, 3, 15, 12))
    assert not status.open and status.opens == window.start
    during = line_status(plan(GOLD, scheduled=(window,)), DEFAULT_REGIONS, "EMEA", utc(2025, 3, 15, 21))
    assert during.open and during.until == window.end


def test_a_naive_instant_is_refused():
    with pytest.raises(ValueError):
        line_status(plan(GOLD), DEFAULT_REGIONS, "EMEA", datetime(2025, 3, 12, 10))


# --------------------------------------------------------------------------------------------- properties

# Instants over two years: weekends, Christmas and Easter, both DST changes in New York and London, in minutes.
instants = st.integers(min_value=0, max_value=2 * 365 * 24 * 60).map(lambda m: utc(2024, 12, 1) + timedelta(minutes=m))
plans = st.sampled_from([
    plan(GOLD), plan(GOLD, BDAH), plan(GOLD, EVERYDAY), plan(GOLD, MULTI, multi=("APAC", "AMER")),
    plan(GOLD, home="AMER"), plan(GOLD, BDAH, home="AMER"), plan(GOLD, EVERYDAY, end=date(2025, 12, 24)),
    plan(GOLD, home="APAC", start=date(2025, 6, 1)),
])


@settings(max_examples=150, deadline=None)
@given(org=plans, at=instants, data=st.data())
def test_the_line_is_open_exactly_when_coverage_covers_its_region_until_the_change_it_reports(org, at, data):
    code = data.draw(st.sampled_from(phone_regions(org, DEFAULT_REGIONS, at)))
    status = line_status(org, DEFAULT_REGIONS, code, at)
    assert status.open is is_open(org, code, at)
    change = status.until if status.open else status.opens
    if change is None:  # nothing changes within the horizon: sample that it holds
        for hours in (1, 25, 24 * 7, 24 * (HORIZON_DAYS - 1)):
            assert is_open(org, code, at + timedelta(hours=hours)) is status.open
        return
    assert at < change <= at + timedelta(days=HORIZON_DAYS)
    assert is_open(org, code, change) is not status.open  # it does change there
    assert is_open(org, code, change - _MICRO) is status.open  # and not before, at the last instant
    between = data.draw(st.floats(min_value=0, max_value=1, allow_nan=False))
    assert is_open(org, code, at + (change - at) * between) is status.open or between == 1
