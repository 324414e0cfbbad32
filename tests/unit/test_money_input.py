"""How typed amounts of money are read: integer minor units, never floats."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain.money import parse_minor_units


@pytest.mark.parametrize(("text", "minor"), [
    ("120.00", 12000), ("120", 12000), ("120.5", 12050), ("0.10", 10), ("0", 0), (" 95.99 ", 9599),
    ("1,200.00", 120000), ("1 200.50", 120050), ("0.07", 7),
])
def test_amounts_are_read_as_whole_minor_units(text, minor):
    assert parse_minor_units(text) == minor


@pytest.mark.parametrize(("text", "reason"), [
    ("", "enter an amount"), ("abc", "enter an amount"), ("-5", "must not be negative"),
    ("12.345", "at most two decimal places"), ("1,20.00", "enter an amount"), ("1e3", "enter an amount"),
    ("12.", "enter an amount"), (".5", "enter an amount"),
])
def test_unreadable_or_negative_amounts_are_refused_with_a_reason(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_minor_units(text)


@given(st.integers(min_value=0, max_value=10**12))
def test_an_amount_written_with_two_decimals_reads_back_as_the_same_minor_units(minor):
    assert parse_minor_units(f"{minor // 100}.{minor % 100:02d}") == minor
    assert parse_minor_units(f"{minor // 100:,}.{minor % 100:02d}") == minor
