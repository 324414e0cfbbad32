"""Percentages are integer basis points, written and read without floats."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain.percent import format_bp, parse_bp


@pytest.mark.parametrize(("bp", "text"), [(0, "0"), (1000, "10"), (1250, "12.5"), (825, "8.25"), (1, "0.01"),
                                          (10_000, "100")])
def test_basis_points_are_written_as_a_percentage_without_trailing_zeros(bp, text):
    assert format_bp(bp) == text


@pytest.mark.parametrize(("text", "bp"), [("10", 1000), ("10%", 1000), (" 12.5 ", 1250), ("8.25 %", 825),
                                          ("0.1", 10)])
def test_a_percentage_is_read_as_basis_points(text, bp):
    assert parse_bp(text) == bp


@pytest.mark.parametrize("text", ["", "ten", "-5", "1.234", "1e3", "12,5", "1000", ".5"])
def test_anything_but_a_plain_percentage_with_at_most_two_decimals_is_refused(text):
    with pytest.raises(ValueError):
        parse_bp(text)


@given(st.integers(min_value=0, max_value=99_999))
def test_writing_then_reading_a_percentage_gives_back_the_same_basis_points(bp):
    assert parse_bp(format_bp(bp)) == bp
