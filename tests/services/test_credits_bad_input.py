"""Bad input is refused with a clear message and leaves nothing written (SQLite and PostgreSQL)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest

from opsportal.services import credit_views, credits
from opsportal.services.errors import Conflict, InvalidInput, NotFound
from opsportal.services.operator import OPERATOR
from tests.utils.ledger import NOW, consume, day, grant, ledger_counts, ledger_state, lot_balances, open_ticket


@pytest.fixture
def funded(world):
    """Retail holds 60 of its own (two lots) and may use 40 shared by Holdings: 100 available."""
    grant(world.retail, 20, expires=day(10))
    grant(world.retail, 40)
    grant(world.holdings, 40, shared=True)
    return world


@contextmanager
def nothing_written():
    counts, balances, state = ledger_counts(), lot_balances(), ledger_state()
    yield
    assert ledger_counts() == counts
    assert lot_balances() == balances
    assert ledger_state() == state


def retail_available(world) -> int:
    return credit_views.balance(OPERATOR, world.retail.id, product="service_credits", at=NOW).available


def test_consuming_more_than_available_is_a_conflict_naming_both_numbers_and_draws_from_no_lot(funded):
    world = funded
    with nothing_written(), pytest.raises(Conflict) as refused:
        consume(world.retail, 101)
    assert str(refused.value) == ("Not enough service credits available for Northwind Retail: "
                                  "requested 101 credits, available 100 credits.")
    assert retail_available(world) == 100


def test_support_hours_conflicts_are_worded_in_hours_and_minutes(world):
    grant(world.retail, 90, product="support_hours")
    with nothing_written(), pytest.raises(Conflict, match=r"requested 2 h, available 1 h 30 min\.$"):
        consume(world.retail, 120, product="support_hours")


def test_holding_more_than_available_for_a_ticket_is_a_conflict_and_holds_nothing(funded):
    world = funded
    ticket = open_ticket(world.retail)
    with nothing_written(), pytest.raises(Conflict, match="requested 150 credits, available 100 credits"):
        credits.hold_for_ticket(OPERATOR, ticket_id=ticket, product="service_credits", quantity=150, at=NOW)


@pytest.mark.parametrize("quantity", [0, -5, True, 2.5])
def test_a_quantity_that_is_not_a_positive_whole_number_is_refused_everywhere(funded, quantity):
    world = funded
    ticket = open_ticket(world.retail)
    message = "Quantity must be a positive whole number."
    with nothing_written():
        with pytest.raises(InvalidInput, match=message):
            grant(world.retail, quantity)
        with pytest.raises(InvalidInput, match=message):
            consume(world.retail, quantity)
        with pytest.raises(InvalidInput, match=message):
            credits.hold_for_ticket(OPERATOR, ticket_id=ticket, product="service_credits", quantity=quantity, at=NOW)


def test_an_unknown_product_is_refused_with_the_known_products(funded):
    world = funded
    with nothing_written():
        for call in (lambda: grant(world.retail, 10, product="gold_bars"),
                     lambda: consume(world.retail, 10, product="gold_bars")):
            with pytest.raises(NotFound) as refused:
                call()
            assert str(refused.value).startswith("Unknown product 'gold_bars'; known products: ")
            assert "service_credits" in str(refused.value)


def test_an_unknown_organization_is_refused(funded):
    class Ghost:
        id = 987654

    with nothing_written():
        with pytest.raises(NotFound, match="organization was not found"):
            grant(Ghost, 10)
        with pytest.raises(NotFound, match="organization was not found"):
            consume(Ghost, 10)


def test_an_expiry_date_in_the_past_is_refused_but_today_is_allowed(funded):
    world = funded
    with nothing_written(), pytest.raises(InvalidInput, match="The expiry date must not be in the past."):
        grant(world.retail, 10, expires=day(-1))

    lot = grant(world.retail, 10, expires=day(0))  # usable until tonight's midnight (UTC)
    assert lot.expires_at == NOW.replace(hour=0, minute=0) + timedelta(days=1)


def test_an_unknown_credit_type_is_refused(funded):
    with nothing_written(), pytest.raises(InvalidInput, match="Type must be purchased or complimentary."):
        grant(funded.retail, 10, kind="free")


@pytest.mark.parametrize("category", ["", "   ", "x" * 61])
def test_a_missing_or_overlong_service_category_is_refused(funded, category):
    with nothing_written(), pytest.raises(InvalidInput, match="Give a service category of 1 to 60 characters."):
        consume(funded.retail, 10, category=category)


def test_settling_more_than_the_ticket_holds_is_refused_and_the_ticket_stays_open(funded):
    world = funded
    ticket = open_ticket(world.retail)
    credits.hold_for_ticket(OPERATOR, ticket_id=ticket, product="service_credits", quantity=30, at=NOW)

    with nothing_written(), pytest.raises(InvalidInput, match="service_credits must be between 0 and 30"):
        credits.settle_ticket(OPERATOR, ticket_id=ticket, used={"service_credits": 31}, at=NOW)
    with nothing_written(), pytest.raises(InvalidInput, match=f"Task {ticket} holds no support_hours"):
        credits.settle_ticket(OPERATOR, ticket_id=ticket, used={"service_credits": 1, "support_hours": 5}, at=NOW)
    with nothing_written(), pytest.raises(InvalidInput, match="service_credits must be between 0 and 30"):
        credits.settle_ticket(OPERATOR, ticket_id=ticket, used={"service_credits": -1}, at=NOW)

    assert credit_views.ticket_snapshot(OPERATOR, ticket).status == "open"


def test_consuming_against_another_organizations_ticket_is_refused(funded):
    world = funded
    other = open_ticket(world.logistics)
    with nothing_written(), pytest.raises(NotFound, match=f"Ticket {other} does not belong to that organization."):
        consume(world.retail, 5, ticket_id=other)
