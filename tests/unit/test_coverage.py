"""Coverage: which of an organization's regions have support right now, and under which entitlement."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain.coverage import Basis, OrgPlan, coverage_at, emergency_offer, is_workweek_after_hours
from opsportal.domain.incidents import ScheduledWindow
from opsportal.domain.plan_catalog import DEFAULT_CATALOG, OfferingCode
from opsportal.domain.plan_terms import Entitlement, term_end
from opsportal.domain.regions import DEFAULT_REGIONS, is_business_time, local_time, public_holiday, wall_instant

GOLD, BDAH, EVERYDAY = OfferingCode.gold, OfferingCode.business_day_after_hours, OfferingCode.everyday_after_hours
MULTI, EXTENDED = OfferingCode.multi_regional, OfferingCode.extended_term
AMER, EMEA = DEFAULT_REGIONS["AMER"], DEFAULT_REGIONS["EMEA"]
TERM = (date(2025, 1, 1), date(2026, 1, 1))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def held(code: OfferingCode, home: str = "AMER", start: date = TERM[0], end: date = TERM[1], **extra) -> Entitlement:
    return Entitlement(code, home, start, end, **extra)


def plan(*codes: OfferingCode, home: str = "AMER", extra_regions: tuple[str, ...] = (), **kwargs) -> OrgPlan:
    entitlements = [held(code, home) for code in codes]
    return OrgPlan(home, extra_regions, tuple(entitlements), **kwargs)


def cover(org: OrgPlan, instant: datetime, catalog=DEFAULT_CATALOG):
    return coverage_at(org, DEFAULT_REGIONS, instant, catalog)


def home_basis(org: OrgPlan, instant: datetime) -> Basis | None:
    return cover(org, instant).regions[0].basis


# Wednesday 12 March 2025: New York is on EDT (UTC-4), London still on GMT.
WEDNESDAY_NY_10AM = utc(2025, 3, 12, 14, 0)
WEDNESDAY_NY_3AM = utc(2025, 3, 12, 7, 0)
SATURDAY_NY_NOON = utc(2025, 3, 15, 16, 0)


# ------------------------------------------------------------------------------------------ Gold and headlines


def test_gold_covers_the_home_regions_business_hours():
    coverage = cover(plan(GOLD), WEDNESDAY_NY_10AM)
    assert coverage.regions[0].basis is Basis.gold_business_hours
    assert coverage.regions[0].entitlement.code is GOLD
    assert coverage.headline == "Support available now — AMER business hours"


def test_gold_alone_leaves_the_night_uncovered_and_offers_emergency_support_at_its_rate():
    coverage = cover(plan(GOLD), WEDNESDAY_NY_3AM)
    assert not coverage.covered
    assert coverage.emergency is not None and coverage.emergency.offering.code is OfferingCode.emergency_after_hours
    assert coverage.headline == "Not covered — emergency support available at USD 250.00 per hour"


def test_without_a_catalog_the_uncovered_headline_names_no_rate():
    assert coverage_at(plan(GOLD), DEFAULT_REGIONS, WEDNESDAY_NY_3AM).headline == "Not covered"


def test_gold_does_not_cover_a_public_holiday_in_business_hours():
    thanksgiving_10am = utc(2025, 11, 27, 15, 0)
    assert home_basis(plan(GOLD), thanksgiving_10am) is None


def test_gold_does_not_cover_the_weekend():
    assert home_basis(plan(GOLD), SATURDAY_NY_NOON) is None


def test_without_gold_nothing_is_covered_and_no_emergency_support_is_offered():
    coverage = cover(plan(), WEDNESDAY_NY_10AM)
    assert not coverage.covered and not coverage.gold_active and coverage.emergency is None
    assert coverage.headline == "Not covered — no active Gold Support"


def test_add_ons_do_not_count_once_gold_has_ended():
    org = OrgPlan("AMER", (), (held(GOLD, end=date(2025, 6, 1)), held(EVERYDAY)))
    assert cover(org, utc(2025, 7, 5, 16, 0)).headline == "Not covered — no active Gold Support"


def test_gold_counts_from_its_first_local_day_and_not_on_its_end_day():
    org = plan(GOLD, EVERYDAY)
    assert home_basis(org, utc(2025, 1, 1, 5, 0)) is Basis.everyday_after_hours  # 00:00 on 1 Jan in New York
    assert home_basis(org, utc(2025, 1, 1, 4, 59)) is None  # still 31 December in New York
    assert home_basis(org, utc(2026, 1, 1, 4, 59)) is Basis.everyday_after_hours  # 23:59 on 31 December
    assert home_basis(org, utc(2026, 1, 1, 5, 0)) is None  # the end day is not covered


def test_a_naive_instant_is_refused():
    with pytest.raises(ValueError, match="aware"):
        coverage_at(plan(GOLD), DEFAULT_REGIONS, datetime(2025, 3, 12, 14, 0))


def test_an_unknown_region_is_refused():
    with pytest.raises(ValueError, match="unknown region LATAM"):
        coverage_at(plan(GOLD, extra_regions=("LATAM",)), DEFAULT_REGIONS, WEDNESDAY_NY_10AM)


# ------------------------------------------------------------------------------------------ Everyday After-Hours


def test_everyday_after_hours_covers_the_weekend():
    assert cover(plan(GOLD, EVERYDAY), SATURDAY_NY_NOON).headline == "After-hours covered by Everyday After-Hours"


def test_everyday_after_hours_covers_a_public_holiday_during_business_hours():
    assert home_basis(plan(GOLD, EVERYDAY), utc(2025, 12, 25, 15, 0)) is Basis.everyday_after_hours


def test_during_business_hours_gold_is_named_even_with_everyday_after_hours():
    assert home_basis(plan(GOLD, EVERYDAY), WEDNESDAY_NY_10AM) is Basis.gold_business_hours


def test_everyday_after_hours_covers_both_instants_of_the_repeated_autumn_hour():
    org = plan(GOLD, EVERYDAY, home="EMEA")
    for instant in (utc(2025, 10, 26, 0, 30), utc(2025, 10, 26, 1, 30)):  # 01:30 BST and 01:30 GMT
        assert home_basis(org, instant) is Basis.everyday_after_hours


def test_emergency_support_is_not_offered_while_everyday_after_hours_covers():
    coverage = cover(plan(GOLD, EVERYDAY), WEDNESDAY_NY_3AM)
    assert coverage.covered and coverage.emergency is None
    assert emergency_offer(coverage, DEFAULT_CATALOG) is None


# ------------------------------------------------------------------------------------------ Business-Day After-Hours


def test_business_day_after_hours_covers_the_night_between_two_weekdays():
    assert home_basis(plan(GOLD, BDAH), WEDNESDAY_NY_3AM) is Basis.business_day_after_hours


def test_business_day_after_hours_covers_a_weekday_evening_from_closing_time():
    assert home_basis(plan(GOLD, BDAH), utc(2025, 3, 12, 22, 0)) is Basis.business_day_after_hours  # 18:00 EDT


def test_business_day_after_hours_starts_at_monday_opening_not_at_midnight():
    org = plan(GOLD, BDAH)
    assert home_basis(org, utc(2025, 3, 10, 11, 59)) is None  # Monday 07:59 EDT
    assert home_basis(org, utc(2025, 3, 10, 12, 0)) is Basis.gold_business_hours  # Monday 08:00 EDT


def test_business_day_after_hours_ends_at_friday_closing():
    org = plan(GOLD, BDAH)
    assert home_basis(org, utc(2025, 3, 14, 21, 59)) is Basis.gold_business_hours  # Friday 17:59 EDT
    assert home_basis(org, utc(2025, 3, 14, 22, 0)) is None  # Friday 18:00 EDT


def test_business_day_after_hours_does_not_cover_the_weekend():
    coverage = cover(plan(GOLD, BDAH), SATURDAY_NY_NOON)
    assert not coverage.covered
    assert coverage.headline == "Not covered — emergency support available at USD 250.00 per hour"


def test_business_day_after_hours_leaves_the_sunday_of_the_spring_switch_uncovered():
    assert home_basis(plan(GOLD, BDAH), utc(2025, 3, 9, 7, 30)) is None  # Sunday 03:30 EDT, just after the jump


def test_business_day_after_hours_does_not_cover_a_weekday_public_holiday():
    # Thursday 27 November 2025, Thanksgiving: the seed names public holidays only for Everyday After-Hours.
    assert home_basis(plan(GOLD, BDAH), utc(2025, 11, 27, 8, 0)) is None  # 03:00 EST on the holiday


def test_business_day_after_hours_covers_the_nights_before_and_after_a_weekday_holiday():
    org = plan(GOLD, BDAH)
    assert home_basis(org, utc(2025, 11, 27, 4, 59)) is Basis.business_day_after_hours  # Wednesday 23:59 EST
    assert home_basis(org, utc(2025, 11, 28, 5, 0)) is Basis.business_day_after_hours  # Friday 00:00 EST


def test_business_day_after_hours_follows_the_home_regions_clock_not_utc():
    # Monday 07:30 in London on a BST week is 06:30 UTC: before the week's opening, so not covered.
    assert not is_workweek_after_hours(EMEA, utc(2025, 4, 7, 6, 30))
    assert is_workweek_after_hours(EMEA, utc(2025, 4, 7, 17, 0))  # Monday 18:00 BST


# ------------------------------------------------------------------------------------------ regions


def test_multi_regional_covers_an_extra_regions_business_hours_while_home_is_asleep():
    org = OrgPlan("AMER", ("EMEA",), (held(GOLD), held(MULTI, extra_regions=("EMEA",))))
    coverage = cover(org, utc(2025, 3, 12, 10, 0))  # 10:00 in London, 06:00 in New York
    amer, emea = coverage.regions
    assert (amer.region, amer.basis) == ("AMER", None)
    assert (emea.region, emea.basis) == ("EMEA", Basis.multi_regional_business_hours)
    assert coverage.headline == "Support available now — EMEA business hours"
    assert coverage.emergency is None


def test_without_multi_regional_an_extra_region_waits_for_home_business_hours():
    org = plan(GOLD, extra_regions=("EMEA",))
    coverage = cover(org, utc(2025, 3, 12, 10, 0))
    assert [r.basis for r in coverage.regions] == [None, None]
    assert coverage.regions[1].business_time  # London is open, but nothing entitles the team to it


def test_multi_regional_follows_the_extra_regions_public_holidays():
    org = OrgPlan("AMER", ("EMEA",), (held(GOLD), held(MULTI, extra_regions=("EMEA",))))
    bank_holiday_10am = utc(2025, 8, 25, 9, 0)  # Late Summer Bank Holiday in England
    assert cover(org, bank_holiday_10am).regions[1].basis is None


def test_the_home_regions_business_hours_come_first_in_the_headline_when_both_are_open():
    org = OrgPlan("AMER", ("EMEA",), (held(GOLD), held(MULTI, extra_regions=("EMEA",))))
    both_open = utc(2025, 3, 12, 13, 0)  # 09:00 in New York, 13:00 in London
    assert cover(org, both_open).headline == "Support available now — AMER business hours"


def test_each_region_reports_its_own_wall_clock():
    org = plan(GOLD, extra_regions=("EMEA", "APAC"))
    local = {r.region: r.local.strftime("%a %H:%M") for r in cover(org, WEDNESDAY_NY_10AM).regions}
    assert local == {"AMER": "Wed 10:00", "EMEA": "Wed 14:00", "APAC": "Wed 22:00"}


# ------------------------------------------------------------------------------------------ incidents and versions


def test_a_paid_scheduled_window_covers_its_after_hours_and_withholds_the_emergency_offer():
    window = ScheduledWindow(utc(2025, 3, 15, 14, 0), utc(2025, 3, 15, 18, 0))
    org = plan(GOLD, scheduled=(window,))
    inside = cover(org, SATURDAY_NY_NOON)
    assert inside.regions[0].basis is Basis.scheduled_after_hours and inside.emergency is None
    assert inside.headline == "After-hours covered by Pay-Per-Incident Scheduled After-Hours"
    assert cover(org, utc(2025, 3, 15, 18, 0)).emergency is not None  # the window's end is outside it


def test_a_paid_emergency_window_covers_its_time_under_its_own_name():
    window = ScheduledWindow(utc(2025, 3, 15, 16, 0), utc(2025, 3, 15, 18, 0), emergency=True)
    inside = cover(plan(GOLD, scheduled=(window,)), SATURDAY_NY_NOON)
    assert inside.regions[0].basis is Basis.emergency_after_hours and inside.emergency is None
    assert inside.headline == "After-hours covered by Pay-Per-Incident Emergency After-Hours"


def test_extended_term_lists_the_product_versions_it_covers_while_active():
    org = OrgPlan("AMER", (), (held(GOLD), held(EXTENDED, versions=("4.6", "4.7"))))
    assert cover(org, WEDNESDAY_NY_10AM).extended_versions == ("4.6", "4.7")
    assert cover(org, utc(2026, 2, 2, 15, 0)).extended_versions == ()


# ------------------------------------------------------------------------------------------ properties

regions = st.sampled_from(sorted(DEFAULT_REGIONS))
instants = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC))
start_days = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31))


@given(regions, start_days, st.sampled_from([12, 24]), st.floats(0, 1, exclude_max=True))
def test_gold_with_everyday_after_hours_covers_every_instant_of_the_term(home, start, months, fraction):
    region = DEFAULT_REGIONS[home]
    end = term_end(start, months)
    first, after = wall_instant(region, start, time(0)), wall_instant(region, end, time(0))
    instant = first + timedelta(microseconds=int((after - first) // timedelta(microseconds=1) * fraction))
    org = OrgPlan(home, (), (held(GOLD, home, start, end), held(EVERYDAY, home, start, end)))
    coverage = cover(org, instant)
    assert coverage.covered and coverage.emergency is None
    assert coverage.regions[0].basis in (Basis.gold_business_hours, Basis.everyday_after_hours)


@st.composite
def org_plans(draw):
    home = draw(regions)
    others = [r for r in sorted(DEFAULT_REGIONS) if r != home]
    entitlements = []
    for code in draw(st.lists(st.sampled_from([GOLD, BDAH, EVERYDAY, MULTI, EXTENDED]), max_size=6)):
        start = draw(start_days)
        extra = {"extra_regions": (draw(st.sampled_from(others)),)} if code is MULTI else {}
        if code is EXTENDED:
            extra = {"versions": ("4.6",)}
        entitlements.append(held(code, home, start, term_end(start, draw(st.sampled_from([12, 24]))), **extra))
    return OrgPlan(home, tuple(others), tuple(entitlements))


@given(org_plans(), instants)
def test_coverage_never_claims_an_entitlement_outside_its_dates_or_without_gold(org, instant):
    coverage = cover(org, instant)
    today = local_time(DEFAULT_REGIONS[org.home_region], instant).date()
    gold_today = any(e.code is GOLD and e.is_active_on(today) for e in org.entitlements)
    assert coverage.gold_active == gold_today
    for row in coverage.regions:
        if row.covered:
            assert gold_today
            assert row.entitlement.is_active_on(today)


@given(org_plans(), instants)
def test_emergency_support_is_offered_exactly_when_gold_is_active_and_nothing_covers(org, instant):
    coverage = cover(org, instant)
    assert (coverage.emergency is not None) == (coverage.gold_active and not coverage.covered)
    assert coverage.headline.startswith("Not covered") == (not coverage.covered)


@given(org_plans(), instants)
def test_business_hours_coverage_is_claimed_only_during_that_regions_business_hours(org, instant):
    for row in cover(org, instant).regions:
        if row.basis is not None and row.basis.is_business_hours:
            assert is_business_time(DEFAULT_REGIONS[row.region], instant)


@given(regions, instants)
def test_gold_with_business_day_after_hours_covers_weekdays_from_monday_opening_to_friday_closing(home, instant):
    region = DEFAULT_REGIONS[home]
    org = OrgPlan(home, (), (held(GOLD, home, date(2023, 1, 1), date(2029, 1, 1)),
                             held(BDAH, home, date(2023, 1, 1), date(2029, 1, 1))))
    local = local_time(region, instant)
    weekday, clock = local.weekday(), local.time()
    expected = (weekday <= 4 and public_holiday(region, local.date()) is None
                and not (weekday == 0 and clock < time(8)) and not (weekday == 4 and clock >= time(18)))
    assert cover(org, instant).covered == expected


@given(regions, start_days)
def test_a_renewed_gold_leaves_no_uncovered_day_between_the_terms(home, start):
    first = held(GOLD, home, start, term_end(start, 12))
    second = held(GOLD, home, first.end, term_end(first.end, 12))  # its renewal
    org = OrgPlan(home, (), (first, second, held(EVERYDAY, home, start, second.end)))
    last_moment = wall_instant(DEFAULT_REGIONS[home], first.end, time(0)) - timedelta(microseconds=1)
    for instant in (last_moment, last_moment + timedelta(microseconds=1)):
        assert cover(org, instant).covered
