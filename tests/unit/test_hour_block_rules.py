"""The hour-block catalog as pure rules: which terms can be sold, the price per hour, the discount, the expiry."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain.hour_blocks import (
    MAX_BLOCK_MINUTES,
    MAX_VALIDITY_DAYS,
    MIN_VALIDITY_DAYS,
    BlockTerms,
    block_problem,
    discount_percent,
    expiry_of_purchase,
    per_unit_minor,
)

STARTER = BlockTerms(5 * 60, 60_000, 180)  # USD 120.00 an hour
STANDARD = BlockTerms(10 * 60, 114_000, 365)  # USD 114.00 an hour
GROWTH = BlockTerms(20 * 60, 216_000, 365)  # USD 108.00 an hour
ENTERPRISE = BlockTerms(40 * 60, 408_000, 365)  # USD 102.00 an hour


def terms(**changes) -> BlockTerms:
    return BlockTerms(**{"quantity": 600, "price_minor": 114_000, "validity_days": 365, **changes})


# ----------------------------------------------------------------------------------------- validation


@pytest.mark.parametrize("block", [STARTER, STANDARD, GROWTH, ENTERPRISE])
def test_the_demo_catalogs_blocks_can_be_sold(block):
    assert block_problem(block) is None


@pytest.mark.parametrize("minutes", [0, -60, 30, 90, 61])
def test_a_block_is_a_positive_whole_number_of_hours(minutes):
    assert block_problem(terms(quantity=minutes)) == "a block is a whole number of hours"


def test_a_block_has_at_most_a_thousand_hours():
    assert block_problem(terms(quantity=MAX_BLOCK_MINUTES)) is None
    assert block_problem(terms(quantity=MAX_BLOCK_MINUTES + 60)) == "a block has at most 1,000 hours"


@pytest.mark.parametrize("price", [0, -1])
def test_a_block_costs_more_than_zero(price):
    assert block_problem(terms(price_minor=price)) == "the price must be more than zero"


@pytest.mark.parametrize("days", [0, MIN_VALIDITY_DAYS - 1, MAX_VALIDITY_DAYS + 1, -30])
def test_a_blocks_validity_is_between_a_month_and_three_years(days):
    assert block_problem(terms(validity_days=days)) == "validity must be 30 to 1098 days"


@pytest.mark.parametrize("days", [MIN_VALIDITY_DAYS, MAX_VALIDITY_DAYS])
def test_the_validity_limits_themselves_are_allowed(days):
    assert block_problem(terms(validity_days=days)) is None


def test_the_hours_are_checked_before_the_price_and_the_validity():
    assert block_problem(BlockTerms(90, 0, 1)) == "a block is a whole number of hours"
    assert block_problem(BlockTerms(60, 0, 1)) == "the price must be more than zero"


# ----------------------------------------------------------------------------------------- price per hour


@pytest.mark.parametrize(("block", "per_hour"), [(STARTER, 12_000), (STANDARD, 11_400), (GROWTH, 10_800),
                                                 (ENTERPRISE, 10_200)])
def test_the_price_per_hour_is_the_blocks_price_over_its_hours(block, per_hour):
    assert per_unit_minor(block) == per_hour


def test_the_price_per_hour_is_rounded_half_up_to_the_minor_unit():
    assert per_unit_minor(BlockTerms(180, 100, 365)) == 33  # 33.33...
    assert per_unit_minor(BlockTerms(180, 200, 365)) == 67  # 66.66...
    assert per_unit_minor(BlockTerms(120, 101, 365)) == 51  # 50.5 rounds up
    assert per_unit_minor(BlockTerms(120, 99, 365)) == 50  # 49.5 rounds up


@given(st.integers(min_value=1, max_value=1_000), st.integers(min_value=1, max_value=10**9))
def test_the_price_per_hour_is_within_half_a_minor_unit_of_the_exact_price(hours, price):
    exact = Fraction(price, hours)
    assert abs(per_unit_minor(BlockTerms(hours * 60, price, 365)) - exact) <= Fraction(1, 2)


# ----------------------------------------------------------------------------------------- discount


@pytest.mark.parametrize(("block", "percent"), [(STARTER, 0), (STANDARD, 5), (GROWTH, 10), (ENTERPRISE, 15)])
def test_the_discount_is_the_whole_per_cent_saved_per_hour_against_the_smallest_block(block, percent):
    assert discount_percent(block, STARTER) == percent


def test_a_discount_is_rounded_down_to_a_whole_per_cent():
    # USD 100.00 against 99.01 an hour saves 0.99 %: no whole per cent.
    assert discount_percent(BlockTerms(60, 9_901, 365), BlockTerms(60, 10_000, 365)) == 0
    assert discount_percent(BlockTerms(60, 8_801, 365), BlockTerms(60, 10_000, 365)) == 11  # 11.99 %


def test_a_block_dearer_per_hour_than_the_reference_shows_no_discount():
    assert discount_percent(STARTER, ENTERPRISE) == 0


@given(st.integers(min_value=1, max_value=1_000), st.integers(min_value=1, max_value=10**8),
       st.integers(min_value=1, max_value=1_000), st.integers(min_value=1, max_value=10**8))
def test_a_discount_is_never_negative_nor_above_a_hundred_per_cent(hours, price, ref_hours, ref_price):
    percent = discount_percent(BlockTerms(hours * 60, price, 365), BlockTerms(ref_hours * 60, ref_price, 365))
    assert 0 <= percent <= 100


# ----------------------------------------------------------------------------------------- expiry


def test_a_purchased_block_is_usable_through_the_last_day_of_its_validity_counting_the_day_of_payment():
    assert expiry_of_purchase(date(2025, 3, 10), 30) == date(2025, 4, 8)
    assert expiry_of_purchase(date(2025, 1, 1), 365) == date(2025, 12, 31)
    assert expiry_of_purchase(date(2024, 1, 1), 366) == date(2024, 12, 31)  # a leap year


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
       st.integers(min_value=MIN_VALIDITY_DAYS, max_value=MAX_VALIDITY_DAYS))
def test_a_block_is_usable_on_exactly_its_validity_days(paid_on, validity_days):
    last = expiry_of_purchase(paid_on, validity_days)
    assert (last - paid_on) + timedelta(days=1) == timedelta(days=validity_days)
