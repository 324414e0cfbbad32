"""How the staff console reads typed time and credits before a service sees them."""

from __future__ import annotations

import pytest

from opsportal.state.staff_task import as_hours, read_quantity


@pytest.mark.parametrize(("text", "minutes"), [("1:30", 90), ("90m", 90), ("2h", 120), ("0:45", 45), (" 1h30 ", 90)])
def test_time_is_typed_as_hours_and_minutes(text, minutes):
    assert read_quantity(text, "minute") == minutes


@pytest.mark.parametrize(("text", "minutes"), [("-5", -300), ("-0:30", -30), ("0", 0), ("0:00", 0), ("-0", 0)])
def test_zero_and_negative_time_reach_the_service_which_refuses_them_with_its_own_message(text, minutes):
    assert read_quantity(text, "minute") == minutes


@pytest.mark.parametrize("text", ["", "abc", "1:75", "1.5"])
def test_unreadable_time_is_refused_with_a_reason(text):
    with pytest.raises(ValueError):
        read_quantity(text, "minute")


def test_credits_used_may_be_zero_or_a_whole_number():
    assert (read_quantity("0", "credit"), read_quantity("3", "credit")) == (0, 3)


@pytest.mark.parametrize(("minutes", "text"), [(90, "1:30"), (5, "0:05"), (600, "10:00")])
def test_minutes_are_written_back_in_a_form_the_time_field_reads(minutes, text):
    assert as_hours(minutes) == text
    assert read_quantity(text, "minute") == minutes
