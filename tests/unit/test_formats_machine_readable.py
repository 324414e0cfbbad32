"""Values written for machines (CSV columns, form fields) go through domain.formats too."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain import formats
from opsportal.domain.money import parse_minor_units


@pytest.mark.parametrize(("minor", "currency", "text"), [
    (123450, "USD", "1234.50"), (5, "GBP", "0.05"), (-1999, "EUR", "-19.99"), (1235, "JPY", "1235"), (0, "usd", "0.00"),
])
def test_a_plain_amount_has_the_currencys_decimals_and_no_separators(minor, currency, text):
    assert formats.decimal_amount(minor, currency) == text


@given(st.integers(min_value=0, max_value=10**11))
def test_a_plain_two_decimal_amount_reads_back_to_the_same_minor_units(minor):
    assert parse_minor_units(formats.decimal_amount(minor, "USD")) == minor


@given(st.integers(min_value=0, max_value=10**11))
def test_a_price_field_holds_what_its_parser_reads_back_to_the_same_minor_units(minor):
    assert parse_minor_units(formats.amount_input(minor)) == minor


def test_a_price_field_holds_a_plain_two_decimal_amount():
    assert [formats.amount_input(m) for m in (12050, 5, 0, 100_000_000)] == ["120.50", "0.05", "0.00", "1000000.00"]


def test_a_sheet_instant_is_the_readers_wall_clock_time_and_its_column_names_the_zone():
    winter = datetime(2026, 12, 3, 14, 5, tzinfo=UTC)
    assert formats.sheet_instant(winter, "America/New_York") == "2026-12-03 09:05"
    assert formats.sheet_instant(winter, "Australia/Sydney") == "2026-12-04 01:05"
    assert formats.sheet_instant(None, "UTC") == ""
    assert formats.zone_header("At", "America/New_York") == "At (America/New_York)"
    assert formats.zone_header("At", None) == "At (UTC)"
    assert formats.sheet_day(date(2026, 12, 3)) == "2026-12-03"
