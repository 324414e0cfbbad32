"""The services catalog's rules: what a service may be, who may spend credits on one, where a request's credits are."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain.roles import Role
from opsportal.domain.services_catalog import (
    MAX_PRICE,
    RequestState,
    ServiceTerms,
    cancel_problem,
    may_request_service,
    request_description,
    request_state,
    request_subject,
    service_problems,
    shortfall,
)

GOOD = ServiceTerms("Health check", "A review of your environment with a report.", "Infrastructure", 12)


def test_a_complete_service_has_no_problems():
    assert service_problems(GOOD) == {}


def test_a_service_needs_a_name_a_description_a_task_category_and_a_whole_positive_price():
    problems = service_problems(ServiceTerms("  ", "too short", "Cooking", 0))
    assert set(problems) == {"name", "description", "category", "price"}


def test_a_price_must_be_a_whole_number_of_credits_within_the_limit():
    for price in (-1, 0, MAX_PRICE + 1, 1.5, True, "12"):
        assert "price" in service_problems(ServiceTerms(GOOD.name, GOOD.description, GOOD.category, price))
    for price in (1, MAX_PRICE):
        assert service_problems(ServiceTerms(GOOD.name, GOOD.description, GOOD.category, price)) == {}


def test_only_owners_and_administrators_may_spend_service_credits_on_a_service():
    assert {r for r in Role if may_request_service(r)} == {Role.owner, Role.admin}


@given(st.integers(-1_000, 100_000), st.integers(1, MAX_PRICE))
def test_the_shortfall_is_what_is_missing_and_zero_when_the_balance_covers_the_price(available, price):
    missing = shortfall(available, price)
    assert missing >= 0
    assert (missing == 0) == (available >= price)
    if missing:
        assert max(0, available) + missing == price


@given(st.booleans(), st.booleans())
def test_a_requests_credits_are_in_play_while_its_task_is_open_then_used_unless_cancelled(task_open, cancelled):
    state = request_state(task_open=task_open, cancelled=cancelled)
    if cancelled:
        assert state is RequestState.cancelled
    else:
        assert state is (RequestState.in_play if task_open else RequestState.used)


@given(st.booleans(), st.booleans())
def test_a_request_can_be_cancelled_only_while_its_credits_are_in_play(task_open, cancelled):
    allowed = cancel_problem(task_open=task_open, cancelled=cancelled) is None
    assert allowed == (request_state(task_open=task_open, cancelled=cancelled) is RequestState.in_play)


def test_the_task_names_the_service_its_price_and_the_customers_notes():
    assert request_subject("  Health   check ") == "Service request: Health check"
    text = request_description("What we do.", " Start Monday. ", "12 credits")
    assert "12 credits" in text and "What we do." in text and text.endswith("Start Monday.")
    assert "Notes" not in request_description("What we do.", "  ", "12 credits")


def test_state_labels_are_words():
    assert [s.label for s in RequestState] == ["In play", "Used", "Cancelled"]
