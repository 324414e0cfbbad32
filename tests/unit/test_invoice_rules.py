"""Invoices as pure rules: shown status, numbering, tax and totals, tax rates, billing periods, Stripe checks."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain.invoices import (
    MAX_TAX_RATE_BP,
    MAX_TERMS_DAYS,
    BillingPeriod,
    InvoiceStatus,
    ShownStatus,
    billable_problem,
    checkout_mismatch,
    due_date,
    format_number,
    format_tax_rate,
    item_line,
    may_pay_invoices,
    may_see_invoices,
    outstanding,
    parse_period,
    parse_tax_rate,
    period_before,
    shown_status,
    tax_of,
    time_line,
    totals,
    whole_number,
)
from opsportal.domain.roles import Role

DUE = date(2025, 3, 31)
subtotals = st.integers(min_value=0, max_value=10**12)
rates = st.integers(min_value=0, max_value=MAX_TAX_RATE_BP)


# ----------------------------------------------------------------------------------------- shown status


def test_an_open_invoice_due_today_is_pending():
    assert shown_status(InvoiceStatus.open, DUE, today=DUE) is ShownStatus.pending


def test_an_open_invoice_is_pending_before_its_due_date():
    assert shown_status("open", DUE, today=date(2025, 3, 1)) is ShownStatus.pending


def test_an_open_invoice_is_overdue_the_day_after_its_due_date():
    assert shown_status("open", DUE, today=date(2025, 4, 1)) is ShownStatus.overdue


def test_an_open_invoice_without_a_due_date_is_never_overdue():
    assert shown_status("open", None, today=date(2099, 1, 1)) is ShownStatus.pending


@pytest.mark.parametrize("status", ["paid", "void", "draft"])
def test_paid_void_and_draft_invoices_show_their_stored_status_whatever_the_date(status):
    for today in (date(2025, 1, 1), DUE, date(2026, 1, 1)):
        assert shown_status(status, DUE, today=today) is ShownStatus(status)


def test_an_unknown_stored_status_is_refused():
    with pytest.raises(ValueError):
        shown_status("pending", DUE, today=DUE)


def test_shown_statuses_have_capitalized_labels():
    assert [s.label for s in ShownStatus] == ["Draft", "Pending", "Overdue", "Paid", "Void"]


# ----------------------------------------------------------------------------------------- who


@pytest.mark.parametrize("role", [Role.owner, Role.admin, Role.billing])
def test_the_customers_billing_roles_see_and_pay_invoices(role):
    assert may_see_invoices(role) and may_pay_invoices(role)


def test_members_neither_see_nor_pay_invoices():
    assert not may_see_invoices(Role.member) and not may_pay_invoices(Role.member)


@pytest.mark.parametrize("role", [Role.agent, Role.staff_admin])
def test_staff_see_every_invoice_but_never_pay_one(role):
    assert may_see_invoices(role) and not may_pay_invoices(role)


# ----------------------------------------------------------------------------------------- numbering


def test_an_invoice_number_is_the_prefix_the_year_and_a_five_digit_sequence():
    assert format_number(2026, 42) == "INV-2026-00042"
    assert format_number(2025, 1) == "INV-2025-00001"


def test_a_sequence_past_five_digits_grows_instead_of_wrapping():
    assert format_number(2025, 123_456) == "INV-2025-123456"


@pytest.mark.parametrize("sequence", [0, -1])
def test_invoice_sequences_start_at_one(sequence):
    with pytest.raises(ValueError, match="start at 1"):
        format_number(2025, sequence)


@given(st.integers(min_value=1, max_value=99_998))
def test_numbers_of_one_year_sort_as_text_in_the_order_they_were_given(sequence):
    assert format_number(2025, sequence) < format_number(2025, sequence + 1)


# ----------------------------------------------------------------------------------------- tax


@pytest.mark.parametrize(("subtotal", "rate", "tax"), [
    (10_000, 2_000, 2_000),  # 100.00 at 20 % -> 20.00
    (1, 5_000, 1),  # 0.005 rounds half up to 0.01
    (1, 4_999, 0),  # 0.004999 rounds down
    (3, 5_000, 2),  # 0.015 -> 0.02
    (12_345, 825, 1_018),  # 101.846... -> 1,018 cents
    (250, 2_000, 50),
    (0, 2_000, 0),
    (99_999, 0, 0),
])
def test_tax_is_rounded_half_up_to_the_minor_unit(subtotal, rate, tax):
    assert tax_of(subtotal, rate) == tax


def test_a_tax_of_exactly_half_a_cent_rounds_up():
    # 1,050 cents at 0.10 %: 1.05 cents -> 1; 1,500 at 0.10 % = 1.5 cents -> 2.
    assert tax_of(1_050, 10) == 1
    assert tax_of(1_500, 10) == 2


@pytest.mark.parametrize(("subtotal", "rate"), [(-1, 2_000), (100, -1)])
def test_negative_subtotals_or_rates_are_refused(subtotal, rate):
    with pytest.raises(ValueError):
        tax_of(subtotal, rate)


@given(subtotals, rates)
def test_tax_is_within_half_a_minor_unit_of_the_exact_tax(subtotal, rate):
    exact = Fraction(subtotal * rate, 10_000)
    assert abs(tax_of(subtotal, rate) - exact) <= Fraction(1, 2)


@given(subtotals, rates)
def test_tax_is_the_exact_tax_rounded_half_up(subtotal, rate):
    exact = Fraction(subtotal * rate, 10_000)
    fraction = exact - int(exact)
    expected = int(exact) + (1 if fraction >= Fraction(1, 2) else 0)
    assert tax_of(subtotal, rate) == expected


@given(subtotals, subtotals, rates)
def test_tax_never_falls_when_the_subtotal_rises(a, b, rate):
    low, high = sorted((a, b))
    assert tax_of(low, rate) <= tax_of(high, rate)


@given(subtotals, rates, rates)
def test_tax_never_falls_when_the_rate_rises(subtotal, a, b):
    low, high = sorted((a, b))
    assert tax_of(subtotal, low) <= tax_of(subtotal, high)


line_amounts = st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=20)


@given(line_amounts, rates)
def test_the_total_is_the_subtotal_plus_the_tax_on_the_subtotal(amounts, rate):
    lines = [item_line(f"Item {n}", 1, amount) for n, amount in enumerate(amounts)]
    result = totals(lines, rate)
    assert result.subtotal_minor == sum(amounts)
    assert result.tax_minor == tax_of(sum(amounts), rate)
    assert result.total_minor == result.subtotal_minor + result.tax_minor
    assert result.tax_rate_bp == rate


def test_tax_is_computed_once_on_the_subtotal_not_per_line():
    # Each 0.25 line at 10 % carries 0.025 of tax (0.03 rounded per line, 0.09 for three); the subtotal's is 0.08.
    lines = [item_line("Cable", 1, 25)] * 3
    assert totals(lines, 1_000).tax_minor == 8


def test_an_item_lines_amount_is_its_count_times_its_price():
    line = item_line("Emergency call-out", 3, 15_000)
    assert (line.quantity, line.unit, line.unit_price_minor, line.amount_minor) == (3, "each", 15_000, 45_000)


@pytest.mark.parametrize(("count", "price"), [(0, 100), (-1, 100), (1, -1)])
def test_an_item_line_needs_a_positive_count_and_a_price_that_is_not_negative(count, price):
    with pytest.raises(ValueError):
        item_line("Thing", count, price)


def test_a_time_line_counts_minutes_at_an_hourly_price_and_keeps_the_entries_frozen_amount():
    line = time_line("Task #7", 90, 12_000, 18_001)
    assert (line.quantity, line.unit, line.unit_price_minor, line.amount_minor) == (90, "minute", 12_000, 18_001)


@pytest.mark.parametrize("minutes", [0, -30])
def test_a_time_line_needs_a_positive_number_of_minutes(minutes):
    with pytest.raises(ValueError, match="positive number of minutes"):
        time_line("Task #7", minutes, 12_000, 0)


def test_what_is_outstanding_is_the_total_less_what_was_paid_and_never_negative():
    assert outstanding(12_000, 0) == 12_000
    assert outstanding(12_000, 2_000) == 10_000
    assert outstanding(12_000, 12_000) == 0
    assert outstanding(12_000, 13_000) == 0


def test_the_due_date_is_the_issue_date_plus_the_payment_terms():
    assert due_date(date(2025, 3, 10), 30) == date(2025, 4, 9)
    assert due_date(date(2025, 3, 10), 0) == date(2025, 3, 10)
    assert due_date(date(2025, 12, 20), MAX_TERMS_DAYS) == date(2026, 4, 19)


@pytest.mark.parametrize("days", [-1, MAX_TERMS_DAYS + 1])
def test_payment_terms_outside_the_allowed_range_are_refused(days):
    with pytest.raises(ValueError, match="payment terms"):
        due_date(date(2025, 3, 10), days)


# ----------------------------------------------------------------------------------------- tax rates


@pytest.mark.parametrize(("text", "rate"), [
    ("20", 2_000), ("20%", 2_000), (" 20 % ", 2_000), ("8.25", 825), ("8.25%", 825), ("19.5", 1_950),
    ("0", 0), ("0.1", 10), ("0.05", 5), ("50", 5_000), ("07", 700),
])
def test_a_tax_rate_is_read_in_per_cent_into_basis_points(text, rate):
    assert parse_tax_rate(text) == rate


@pytest.mark.parametrize("text", ["", "   ", None, "abc", "-5", "1000", "8.255", "8,25", "7.", "20 percent", "1e1"])
def test_a_tax_rate_that_is_not_a_percentage_is_refused_with_an_example(text):
    with pytest.raises(ValueError, match="enter a tax rate such as 20 or 8.25"):
        parse_tax_rate(text)


@pytest.mark.parametrize("text", ["50.01", "51", "99.99", "100"])
def test_a_tax_rate_above_fifty_per_cent_is_refused_as_a_typing_mistake(text):
    with pytest.raises(ValueError, match="at most 50%"):
        parse_tax_rate(text)


@pytest.mark.parametrize(("rate", "text"), [(2_000, "20%"), (1_950, "19.5%"), (825, "8.25%"), (0, "0%"),
                                            (5, "0.05%"), (10, "0.1%"), (5_000, "50%")])
def test_a_tax_rate_is_shown_in_per_cent_without_trailing_zeros(rate, text):
    assert format_tax_rate(rate) == text


@given(rates)
def test_a_shown_tax_rate_reads_back_as_the_same_rate(rate):
    assert parse_tax_rate(format_tax_rate(rate)) == rate


# ----------------------------------------------------------------------------------------- periods


def test_a_billing_period_is_read_from_year_and_month():
    period = parse_period(" 2026-10 ")
    assert period == BillingPeriod(2026, 10)
    assert (period.key, period.label) == ("2026-10", "October 2026")
    assert (period.first_day, period.last_day) == (date(2026, 10, 1), date(2026, 10, 31))


@pytest.mark.parametrize(("text", "last"), [("2025-02", date(2025, 2, 28)), ("2024-02", date(2024, 2, 29)),
                                            ("2025-04", date(2025, 4, 30)), ("2025-12", date(2025, 12, 31))])
def test_a_periods_last_day_is_the_months_last_day(text, last):
    assert parse_period(text).last_day == last


@pytest.mark.parametrize("text", ["", None, "2025", "2025-2", "25-02", "2025/02", "2025-00", "2025-13", "1999-12",
                                  "February 2025", "2025-02-01", "abcd-ef"])
def test_a_period_that_is_not_a_month_in_yyyy_mm_form_is_refused_with_an_example(text):
    with pytest.raises(ValueError, match="YYYY-MM, e.g. 2026-10"):
        parse_period(text)


def test_the_period_before_a_day_is_the_previous_calendar_month():
    assert period_before(date(2025, 3, 10)) == BillingPeriod(2025, 2)
    assert period_before(date(2025, 1, 1)) == BillingPeriod(2024, 12)


def test_a_month_that_has_not_ended_cannot_be_billed_and_the_message_says_from_when():
    march = BillingPeriod(2025, 3)
    assert billable_problem(march, date(2025, 3, 10)) == "March 2025 has not ended yet; bill it from 2025-04-01"
    assert billable_problem(march, date(2025, 3, 31)) is not None  # its last day is not over yet
    assert billable_problem(BillingPeriod(2025, 12), date(2025, 6, 1)) is not None  # a future month


def test_a_month_can_be_billed_from_the_day_after_it_ends():
    assert billable_problem(BillingPeriod(2025, 3), date(2025, 4, 1)) is None
    assert billable_problem(BillingPeriod(2024, 12), date(2025, 1, 1)) is None


# ----------------------------------------------------------------------------------------- Stripe checks


def mismatch(**changes):
    confirmed = {"amount": 12_000, "currency": "usd", "payment_id": "7", **changes}
    return checkout_mismatch(expected_amount=12_000, expected_currency="USD", expected_payment_id=7, **confirmed)


def test_a_confirmed_payment_matching_amount_currency_and_reference_has_no_mismatch():
    assert mismatch() is None
    assert mismatch(currency="USD") is None  # Stripe writes currencies in lower case


@pytest.mark.parametrize("amount", [11_999, 12_001, 0, None])
def test_a_confirmed_amount_other_than_the_one_asked_for_is_a_mismatch(amount):
    assert mismatch(amount=amount) == f"amount {amount} differs from the 12000 asked for"


@pytest.mark.parametrize("currency", ["eur", "", None])
def test_a_confirmed_currency_other_than_the_one_asked_for_is_a_mismatch(currency):
    assert mismatch(currency=currency) == f"currency {currency!r} differs from USD"


@pytest.mark.parametrize("reference", ["8", "", None, "07"])
def test_a_confirmation_for_another_payment_reference_is_a_mismatch(reference):
    assert mismatch(payment_id=reference) == f"the payment reference {reference!r} is not payment 7"


def test_the_payment_reference_is_checked_before_currency_and_amount():
    assert mismatch(payment_id="8", currency="eur", amount=1).startswith("the payment reference")
    assert mismatch(currency="eur", amount=1).startswith("currency")


@pytest.mark.parametrize(("text", "number"), [
    ("INV-2026-00042", "INV-2026-00042"), (" inv-2026-00042 ", "INV-2026-00042"),
    ("INV-2026-123456", "INV-2026-123456"),
])
def test_a_whole_invoice_number_is_recognised_in_any_case(text, number):
    assert whole_number(text) == number


@pytest.mark.parametrize("text", ["", "00042", "INV-2026", "INV-2026-0004", "INV-26-00042", "INV-2026-00042x",
                                  "Northwind"])
def test_anything_but_a_whole_invoice_number_is_searched_as_text(text):
    assert whole_number(text) is None
