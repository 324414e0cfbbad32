"""Bad input to the task, time and prepaid-hours use cases gets a clear message and changes nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from opsportal.services import prepaid, tasks
from opsportal.services.errors import Conflict, InvalidInput, NotFound
from opsportal.services.operator import OPERATOR
from opsportal.services.tasks import InvalidTicket
from tests.utils.ledger import NOW, day
from tests.utils.tasks import hours, log, new_task, set_ticket_status, task_state


@pytest.fixture
def task(world):
    hours(world.retail, 600)
    return new_task(world.retail)


@pytest.mark.parametrize(("minutes", "message"), [
    (0, "^Time must be a positive number of minutes.$"),
    (-15, "^Time must be a positive number of minutes.$"),
    (1.5, "^Time must be a positive number of minutes.$"),
    ("30", "^Time must be a positive number of minutes.$"),
    (True, "^Time must be a positive number of minutes.$"),
    (16 * 60 + 1, "^One time entry can hold at most 16 hours; split longer work.$"),
])
def test_logging_a_bad_number_of_minutes_is_refused_and_nothing_changes(world, task, minutes, message):
    before = task_state()
    with pytest.raises(InvalidInput, match=message):
        log(task, minutes)
    assert task_state() == before


def test_sixteen_hours_in_one_entry_is_accepted(world, task):
    assert log(task, 16 * 60).minutes == 960


def test_logging_time_for_a_future_date_is_refused_and_nothing_changes(world, task):
    before = task_state()
    with pytest.raises(InvalidInput, match="^Time cannot be logged for a future date.$"):
        log(task, 30, work_date=day(1))
    assert task_state() == before


def test_time_may_be_logged_for_an_earlier_day(world, task):
    assert log(task, 30, work_date=day(-3)).work_date == day(-3)


def test_a_note_over_the_limit_is_refused(world, task):
    before = task_state()
    with pytest.raises(InvalidInput, match="^Keep the note under 500 characters.$"):
        log(task, 30, note="x" * 501)
    assert task_state() == before


def test_logging_time_on_a_closed_task_is_refused_and_nothing_changes(world, task):
    set_ticket_status(task, "closed")
    before = task_state()
    with pytest.raises(Conflict, match=f"^Task {task} is closed"):
        log(task, 30)
    assert task_state() == before


def test_logging_time_on_an_unknown_task_says_so(world):
    with pytest.raises(NotFound, match="^Unknown task 987654.$"):
        log(987654, 30)


def test_an_invalid_ticket_reports_each_problem_by_field_and_creates_nothing(world):
    before = task_state()
    with pytest.raises(InvalidTicket) as refused:
        tasks.create_ticket(world.actor("retail_member"), subject=" ", category="Plumbing", priority="asap",
                            description="short")
    assert set(refused.value.problems) == {"subject", "category", "priority", "description"}
    assert "Give the ticket a subject." in str(refused.value)
    assert task_state() == before


def test_a_staff_member_must_name_the_organization_a_ticket_is_for(world):
    with pytest.raises(InvalidInput, match="^Choose the organization the ticket is for.$"):
        tasks.create_ticket(world.actor("agent"), subject="Printer", category="Other", priority="low",
                            description="The printer is offline.")


def test_a_ticket_for_an_unknown_organization_is_refused(world):
    with pytest.raises(NotFound, match="not found"):
        tasks.create_ticket(OPERATOR, subject="Printer", category="Other", priority="low",
                            description="The printer is offline.", organization_id=987654)


@pytest.mark.parametrize(("rate", "currency", "message"), [
    (-1, "USD", "The hourly rate must be zero or more"),
    (12.5, "USD", "The hourly rate must be zero or more"),
    (10**12, "USD", "The hourly rate must be at most"),
    (12_000, "US", "three-letter ISO code"),
    (12_000, "U$D", "three-letter ISO code"),
    (12_000, "ÜSD", "three-letter ISO code"),
])
def test_a_bad_hourly_rate_or_currency_is_refused_and_nothing_changes(world, rate, currency, message):
    before = task_state()
    with pytest.raises(InvalidInput, match=message):
        prepaid.set_hourly_rate(OPERATOR, world.retail.id, hourly_rate_minor=rate, currency=currency)
    assert task_state() == before


def test_the_currency_is_stored_in_capitals(world):
    prepaid.set_hourly_rate(OPERATOR, world.fabrikam.id, hourly_rate_minor=9_500, currency=" eur ")
    assert prepaid.payg_view(OPERATOR, world.fabrikam.id, at=NOW).currency == "EUR"


@pytest.mark.parametrize(("changes", "message"), [
    ({"name": "  "}, "Name the plan"),
    ({"minutes_per_period": 0}, "Hours per period must be more than zero."),
    ({"minutes_per_period": -60}, "Hours per period must be more than zero."),
    ({"minutes_per_period": 10**10}, "Hours per period must be at most"),
    ({"period": "weekly"}, "The period is monthly or quarterly."),
])
def test_a_bad_subscription_is_refused_and_nothing_changes(world, changes, message):
    before = task_state()
    args = dict(organization_id=world.retail.id, name="Managed Care", minutes_per_period=600, period="monthly",
                rolls_over_once=False, starts_on=date(2025, 1, 1)) | changes
    with pytest.raises(InvalidInput, match=message):
        prepaid.create_subscription(OPERATOR, **args)
    assert task_state() == before


def test_a_subscription_for_an_unknown_organization_is_refused(world):
    with pytest.raises(NotFound):
        prepaid.create_subscription(OPERATOR, organization_id=987654, name="Managed Care", minutes_per_period=600,
                                    period="monthly", rolls_over_once=False, starts_on=NOW.date() - timedelta(days=1))


def test_a_future_date_is_judged_on_the_agents_own_calendar(world, task):
    evening = datetime(2025, 3, 10, 20, 0, tzinfo=UTC)  # already 11 March in Hong Kong, still 10 March in UTC
    in_hong_kong = replace(OPERATOR, time_zone="Asia/Hong_Kong")

    assert log(task, 30, at=evening, by=in_hong_kong).work_date == date(2025, 3, 11)
    with pytest.raises(InvalidInput, match="^Time cannot be logged for a future date.$"):
        log(task, 30, at=evening, work_date=date(2025, 3, 11))
