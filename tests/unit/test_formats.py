"""One way to write money, instants, days, durations and statuses (domain.formats, on Babel)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain import formats

WINTER = datetime(2026, 12, 3, 14, 5, tzinfo=UTC)
SUMMER = datetime(2026, 7, 3, 14, 5, tzinfo=UTC)


@pytest.mark.parametrize(("minutes", "text"), [
    (0, "0 min"), (5, "5 min"), (45, "45 min"), (60, "1 h"), (90, "1 h 30 min"), (65, "1 h 5 min"),
    (120, "2 h"), (-90, "−1 h 30 min"), (60 * 1234 + 1, "1,234 h 1 min"),
])
def test_durations_read_hours_and_minutes(minutes, text):
    assert formats.duration(minutes) == text


@given(st.integers(min_value=0, max_value=10**7))
def test_a_written_duration_names_exactly_the_minutes_it_was_given(minutes):
    text = formats.duration(minutes)
    hours = int(text.split(" h")[0].replace(",", "")) if " h" in text else 0
    rest = int(text.split(" min")[0].split()[-1]) if text.endswith("min") else 0
    assert hours * 60 + rest == minutes


@pytest.mark.parametrize(("minor", "currency", "text"), [
    (123450, "USD", "USD 1,234.50"), (5, "GBP", "GBP 0.05"), (-1999, "EUR", "-EUR 19.99"),
    (1235, "JPY", "JPY 1,235"), (0, "usd", "USD 0.00"),
])
def test_money_is_written_with_its_currency_code_and_the_currency_s_own_decimals(minor, currency, text):
    assert formats.money(minor, currency) == text


@pytest.mark.parametrize(("zone", "when", "text"), [
    ("Europe/London", WINTER, "3 Dec 2026, 14:05 GMT"),
    ("Europe/London", SUMMER, "3 Jul 2026, 15:05 BST"),
    ("America/New_York", WINTER, "3 Dec 2026, 09:05 EST"),
    ("Europe/Berlin", WINTER, "3 Dec 2026, 15:05 CET"),
    ("Australia/Sydney", WINTER, "4 Dec 2026, 01:05 GMT+11:00"),
    ("UTC", WINTER, "3 Dec 2026, 14:05 UTC"),
])
def test_an_instant_is_shown_in_the_reader_s_zone_with_the_zone_named(zone, when, text):
    assert formats.instant(when, zone) == text


def test_an_unknown_zone_falls_back_to_utc_instead_of_failing_a_page():
    assert formats.instant(WINTER, "Mars/Olympus") == "3 Dec 2026, 14:05 UTC"


def test_a_day_is_a_calendar_date_and_an_instant_becomes_the_reader_s_day():
    assert formats.day(date(2026, 12, 3)) == "3 Dec 2026"
    assert formats.day(WINTER, time_zone="Australia/Sydney") == "4 Dec 2026"
    assert formats.day(None) == "—"


@pytest.mark.parametrize(("text", "words"), [
    ("2026-12-03", "Thursday 3 December 2026"), (" 2027-02-28 ", "Sunday 28 February 2027"), ("", ""),
    (None, ""), ("2026-02-30", ""), ("03/12/2026", ""),
])
def test_a_date_picker_s_day_is_repeated_in_words_and_what_is_no_date_in_none(text, words):
    assert formats.picked_day(text) == words


def test_time_zone_choices_are_iana_names_and_nonsense_is_refused_with_a_reason():
    assert formats.time_zone_problem("Europe/London") is None
    assert "not a known time zone" in formats.time_zone_problem("Europe/Atlantis")
    assert formats.time_zone_problem("") == "choose a time zone"
    assert "UTC" in formats.selectable_time_zones()


@pytest.mark.parametrize(("code", "text"), [
    ("in_progress", "In progress"), ("waiting_on_customer", "Waiting on you"), ("overdue", "Overdue"),
    ("consume", "Used"), ("something_new", "Something new"),
])
def test_customers_read_words_not_codes(code, text):
    assert formats.label(code) == text


def test_staff_read_waiting_on_customer_as_such():
    assert formats.label("waiting_on_customer", staff=True) == "Waiting on customer"


def test_quantities_are_durations_for_minutes_and_counts_for_credits():
    assert formats.quantity(150, "minute") == "2 h 30 min"
    assert formats.quantity(1, "credit") == "1 credit"
    assert formats.quantity(1250, "credit") == "1,250 credits"


def test_the_incident_form_says_a_chosen_window_start_in_the_region_s_zone_and_the_reader_s():
    from opsportal.state.incident_request import window_start_words

    assert window_start_words("2026-12-12", "21:30", "Europe/London", "America/New_York") == \
        "Starts Sat 12 Dec, 21:30 GMT (Sat 12 Dec, 16:30 EST your time)"
    assert window_start_words("2026-12-12", "21:30", "Europe/London", "Europe/London") == "Starts Sat 12 Dec, 21:30 GMT"
    assert window_start_words("", "21:30", "Europe/London") == "Choose a date and a start time."


@pytest.mark.parametrize("stored, shown", [
    ("+442079460321", "+44 20 7946 0321"),
    ("+12025550143", "+1 202-555-0143"),
    ("+85230012345", "+852 3001 2345"),
    ("+18005550199", "+1 800-555-0199"),
])
def test_a_stored_e164_phone_number_is_shown_in_international_format(stored, shown):
    assert formats.phone(stored) == shown


def test_a_phone_link_dials_the_e164_number():
    assert formats.phone_href("+442079460321") == "tel:+442079460321"


def test_a_stored_number_the_library_cannot_read_is_shown_as_stored():
    assert formats.phone("not a number") == "not a number"
    assert formats.phone("") == ""


@given(st.sampled_from(["+44 20 7946 0321", "+1 202 555 0143", "+852 3001 2345", "+33 1 42 68 53 00",
                        "+49 30 901820", "+61 2 9374 4000"]))
def test_a_formatted_number_reads_back_to_the_same_e164(typed):
    from opsportal.domain.support_phone import normalized_number

    stored = normalized_number(typed)
    assert normalized_number(formats.phone(stored)) == stored
    assert formats.phone_href(stored) == "tel:" + stored
