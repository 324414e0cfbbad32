"""What the staff console relies on: staff-only reads, billing terms, and clear refusals (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from opsportal.services import agent_work, credits, prepaid, tasks
from opsportal.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from opsportal.services.operator import OPERATOR
from tests.utils.db import dump_tables
from tests.utils.ledger import NOW

STAFF_ONLY = "^This area is for the support team only.$"


def open_task(org, subject: str = "Printer offline") -> int:
    return tasks.create_ticket(OPERATOR, subject=subject, category="End-user support", priority="normal",
                               description="The printer on the second floor is offline.", organization_id=org.id).id


def subscribe(org, name: str, starts_on: date, *, period: str = "monthly") -> prepaid.SubscriptionPublic:
    return prepaid.create_subscription(OPERATOR, organization_id=org.id, name=name, minutes_per_period=600,
                                       period=period, rolls_over_once=False, starts_on=starts_on)


def test_staff_open_any_task_in_the_console_but_even_the_tasks_own_customers_are_refused(world):
    task = open_task(world.retail)

    assert agent_work.task_for_staff(world.actor("agent"), task).row.organization == "Northwind Retail"
    for customer in ("retail_owner", "retail_member", "holdings_owner", "fabrikam_owner"):
        with pytest.raises(PermissionDenied, match=STAFF_ONLY):
            agent_work.task_for_staff(world.actor(customer), task)


def test_the_console_shows_who_the_task_is_assigned_to_by_id(world):
    task = open_task(world.retail)
    agent = world.users["agent"]

    agent_work.assign(world.actor("agent"), task, agent.id)

    assert agent_work.task_for_staff(world.actor("agent"), task).assigned_agent_id == agent.id


def test_the_queue_and_the_list_of_agents_are_refused_to_customers(world):
    open_task(world.retail)

    for customer in ("retail_owner", "holdings_owner"):
        with pytest.raises(PermissionDenied, match=STAFF_ONLY):
            agent_work.queue(world.actor(customer))
        with pytest.raises(PermissionDenied, match=STAFF_ONLY):
            agent_work.agents(world.actor(customer))


def test_billing_terms_show_the_hourly_rate_and_the_subscriptions_latest_start_first(world):
    prepaid.set_hourly_rate(OPERATOR, world.retail.id, hourly_rate_minor=12_050, currency="eur")
    first = subscribe(world.retail, "Managed Silver", date(2025, 1, 1))
    second = subscribe(world.retail, "Managed Gold", date(2025, 4, 1), period="quarterly")
    subscribe(world.fabrikam, "Someone else's plan", date(2025, 1, 1))

    terms = prepaid.billing_terms(world.actor("agent"), world.retail.id)

    assert (terms.hourly_rate_minor, terms.currency) == (12_050, "EUR")
    assert [(s.id, s.name, s.period) for s in terms.subscriptions] == [
        (second.id, "Managed Gold", "quarterly"), (first.id, "Managed Silver", "monthly")]


def test_billing_terms_are_refused_to_customers_even_of_that_organization(world):
    for customer in ("retail_owner", "retail_member", "holdings_owner", "fabrikam_owner"):
        with pytest.raises(PermissionDenied, match=STAFF_ONLY):
            prepaid.billing_terms(world.actor(customer), world.retail.id)


def test_billing_terms_of_an_unknown_organization_are_not_found(world):
    with pytest.raises(NotFound):
        prepaid.billing_terms(world.actor("agent"), 987_654)


def test_closing_with_credits_used_for_a_product_the_task_does_not_hold_is_refused_and_changes_nothing(world):
    credits.grant(OPERATOR, org_id=world.retail.id, product="service_credits", quantity=20, kind="purchased", at=NOW)
    task = open_task(world.retail)
    credits.hold_for_ticket(OPERATOR, ticket_id=task, product="service_credits", quantity=5)
    before = dump_tables()

    # A misspelt product must not leave the held one at its default (all of it used).
    with pytest.raises(InvalidInput, match=f"^Task {task} holds no service_credit.$"):
        agent_work.set_status(world.actor("agent"), task, "closed", credits_used={"service_credit": 0})

    assert dump_tables() == before


def test_logging_time_on_a_closed_task_says_it_can_no_longer_be_logged(world):
    task = open_task(world.retail)
    agent_work.set_status(world.actor("agent"), task, "closed")

    with pytest.raises(Conflict, match=f"^Task {task} is closed: time can no longer be logged on it.$"):
        agent_work.log_time(world.actor("agent"), task, minutes=30)


def test_logging_time_on_a_resolved_task_says_to_reopen_it_first(world):
    task = open_task(world.retail)
    agent_work.set_status(world.actor("agent"), task, "resolved")

    with pytest.raises(Conflict, match=f"^Task {task} is resolved: reopen it before logging time.$"):
        agent_work.log_time(world.actor("agent"), task, minutes=30)


@pytest.mark.parametrize(("rate", "currency", "message"), [
    (100_000_001, "USD", "^The hourly rate must be at most USD 1,000,000.00.$"),
    (-1, "USD", "must be zero or more"),
    (12_000, "ÉUR", "three-letter ISO code"),
    (12_000, "US", "three-letter ISO code"),
])
def test_an_hourly_rate_out_of_range_or_an_unreadable_currency_is_refused_with_a_message(world, rate, currency,
                                                                                         message):
    before = dump_tables()

    with pytest.raises(InvalidInput, match=message):
        prepaid.set_hourly_rate(OPERATOR, world.retail.id, hourly_rate_minor=rate, currency=currency)

    assert dump_tables() == before


def test_the_hourly_rate_of_an_unknown_organization_is_not_found(world):
    with pytest.raises(NotFound):
        prepaid.set_hourly_rate(OPERATOR, 987_654, hourly_rate_minor=1_000, currency="USD")


@pytest.mark.parametrize(("minutes", "starts_on", "message"), [
    (prepaid.MAX_MINUTES_PER_PERIOD + 1, date(2025, 1, 1), "^Hours per period must be at most 166,666.$"),
    (600, None, "Give the day the subscription starts"),
    (600, datetime(2025, 1, 1, 9, 0), "Give the day the subscription starts"),
])
def test_a_subscription_with_too_many_hours_or_no_start_day_is_refused_with_a_message(world, minutes, starts_on,
                                                                                      message):
    before = dump_tables()

    with pytest.raises(InvalidInput, match=message):
        prepaid.create_subscription(OPERATOR, organization_id=world.retail.id, name="Managed Gold",
                                    minutes_per_period=minutes, period="monthly", rolls_over_once=False,
                                    starts_on=starts_on)

    assert dump_tables() == before
