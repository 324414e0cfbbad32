"""How typed quantities are read: hours for support hours, whole numbers for credits."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain.ledger.quantities import parse_quantity


@pytest.mark.parametrize(("text", "minutes"), [
    ("10", 600), ("10h", 600), ("7:30", 450), ("7h30", 450), ("7h 30m", 450), ("45m", 45), ("45 min", 45),
    (" 1:05 ", 65),
])
def test_support_hours_are_typed_as_hours_and_minutes(text, minutes):
    assert parse_quantity(text, "minute") == minutes


@pytest.mark.parametrize("text", ["", "0", "0:00", "1:60", "abc", "-5", "1.5", "1:5:0"])
def test_unreadable_or_empty_hours_are_refused_with_a_reason(text):
    with pytest.raises(ValueError):
        parse_quantity(text, "minute")


@pytest.mark.parametrize(("text", "credits"), [("12", 12), ("1,000", 1000), (" 7 ", 7)])
def test_credits_are_whole_numbers(text, credits):
    assert parse_quantity(text, "credit") == credits


@pytest.mark.parametrize("text", ["0", "-3", "2.5", "ten", ""])
def test_credits_that_are_not_positive_whole_numbers_are_refused(text):
    with pytest.raises(ValueError, match="whole number of credits"):
        parse_quantity(text, "credit")


@given(st.integers(min_value=0, max_value=9999), st.integers(min_value=0, max_value=59))
def test_hours_and_minutes_always_read_back_as_the_same_number_of_minutes(hours, minutes):
    if hours == minutes == 0:
        return
    assert parse_quantity(f"{hours}:{minutes:02d}", "minute") == hours * 60 + minutes
