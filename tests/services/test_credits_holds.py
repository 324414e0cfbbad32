"""Credits held for open tickets ("in play") and settled when the ticket closes (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from opsportal.services import credit_views, credits
from opsportal.services.credit_views import CategoryTotal
from opsportal.services.errors import Conflict
from opsportal.services.operator import OPERATOR
from tests.utils.ledger import (
    NOW,
    cache_mismatches,
    drawn,
    entries,
    grant,
    ledger_state,
    lot_row,
    open_ticket,
)

SC = "service_credits"
LATER = NOW + timedelta(hours=3)


def hold(ticket: int, quantity: int, *, product: str = SC, at=NOW):
    return credits.hold_for_ticket(OPERATOR, ticket_id=ticket, product=product, quantity=quantity, at=at)


def settle(ticket: int, used: int, *, at=LATER):
    return credits.settle_ticket(OPERATOR, ticket_id=ticket, used={SC: used}, at=at)


def retail_summary(world):
    return next(s for s in credit_views.summary(OPERATOR, world.retail.id, at=LATER) if s.product == SC)


def test_a_hold_puts_the_quantity_in_play_by_category_and_ticket_and_out_of_available(world):
    grant(world.retail, 100)
    printer = open_ticket(world.retail, title="Printer on fire", category="Infrastructure")
    vpn = open_ticket(world.retail, title="VPN drops", category="Infrastructure")
    phish = open_ticket(world.retail, title="Phishing mail", category="Security")

    hold(printer, 30)
    hold(vpn, 10)
    hold(phish, 5)

    summary = retail_summary(world)
    assert (summary.available, summary.in_play) == (55, 45)
    balance = credit_views.balance(OPERATOR, world.retail.id, product=SC, at=LATER)
    assert (balance.available, balance.in_play) == (55, 45)
    assert credit_views.in_play_by_category(OPERATOR, world.retail.id, product=SC) == [
        CategoryTotal("Infrastructure", 40, tickets=2), CategoryTotal("Security", 5, tickets=1)]
    tickets = credit_views.in_play_tickets(OPERATOR, world.retail.id, product=SC, category="Infrastructure")
    assert [(t.ticket_id, t.title, t.status, t.quantity) for t in tickets] == [
        (vpn, "VPN drops", "open", 10), (printer, "Printer on fire", "open", 30)]
    snapshot = credit_views.ticket_snapshot(OPERATOR, printer)
    assert (snapshot.category, snapshot.status, snapshot.held, snapshot.used) == (
        "Infrastructure", "open", {SC: 30}, {})
    with pytest.raises(Conflict, match="available 55 credits"):
        credits.consume(OPERATOR, org_id=world.retail.id, product=SC, quantity=56, category="Network", at=LATER)


def test_holding_twice_for_one_ticket_adds_up(world):
    lot = grant(world.retail, 100)
    ticket = open_ticket(world.retail)
    hold(ticket, 10)
    hold(ticket, 15)

    assert credit_views.ticket_snapshot(OPERATOR, ticket).held == {SC: 25}
    assert (lot_row(lot.id)["remaining"], lot_row(lot.id)["held"]) == (100, 25)
    assert cache_mismatches() == []


def test_a_hold_takes_own_credit_before_the_parents_shared_credit_and_is_the_childs_in_play_only(world):
    parents = grant(world.holdings, 50, shared=True)
    own = grant(world.retail, 10)
    ticket = open_ticket(world.retail)

    assert drawn(hold(ticket, 25)) == [(own.id, 10), (parents.id, 15)]

    holdings = credit_views.balance(OPERATOR, world.holdings.id, product=SC, at=LATER)
    assert (holdings.available, holdings.in_play) == (35, 0)
    assert credit_views.in_play_by_category(OPERATOR, world.holdings.id, product=SC) == []
    assert retail_summary(world).in_play == 25


def test_settling_consumes_the_used_part_releases_the_rest_and_closes_the_ticket(world):
    lot = grant(world.retail, 100)
    ticket = open_ticket(world.retail, category="Infrastructure")
    hold(ticket, 30)

    settle(ticket, 12)

    assert (lot_row(lot.id)["remaining"], lot_row(lot.id)["held"]) == (88, 0)
    assert [(kind, q) for kind, _lot, _org, q, *_ in entries(lot.id)] == [
        ("grant", 100), ("allocate", 30), ("consume", 12), ("release", 18)]
    snapshot = credit_views.ticket_snapshot(OPERATOR, ticket)
    assert (snapshot.status, snapshot.held, snapshot.used) == ("closed", {}, {SC: 12})
    summary = retail_summary(world)
    assert (summary.available, summary.in_play, summary.used_30d) == (88, 0, 12)
    assert credit_views.in_play_by_category(OPERATOR, world.retail.id, product=SC) == []
    assert credit_views.used_by_category(OPERATOR, world.retail.id, product=SC, at=LATER) == [
        CategoryTotal("Infrastructure", 12, tickets=1)]
    used = credit_views.used_tickets(OPERATOR, world.retail.id, product=SC, category="Infrastructure", at=LATER)
    assert [(t.ticket_id, t.status, t.quantity) for t in used] == [(ticket, "closed", 12)]
    assert cache_mismatches() == []


def test_settling_uses_held_credit_in_the_consumption_order(world):
    parents = grant(world.holdings, 50, shared=True)
    own = grant(world.retail, 10)
    ticket = open_ticket(world.retail)
    hold(ticket, 25)

    result = settle(ticket, 12)

    assert [(d.lot_id, d.quantity, d.reason.split(":")[0]) for d in result] == [
        (own.id, 10, "consume"), (parents.id, 2, "consume"), (parents.id, 13, "release")]
    assert (lot_row(own.id)["remaining"], lot_row(parents.id)["remaining"]) == (0, 48)


def test_settling_with_nothing_used_releases_everything(world):
    lot = grant(world.retail, 100)
    ticket = open_ticket(world.retail)
    hold(ticket, 30)

    settle(ticket, 0)

    assert (lot_row(lot.id)["remaining"], lot_row(lot.id)["held"]) == (100, 0)
    assert credit_views.ticket_snapshot(OPERATOR, ticket).used == {}


def test_a_closed_ticket_can_be_neither_settled_again_nor_held_for_nor_charged(world):
    grant(world.retail, 100)
    ticket = open_ticket(world.retail)
    hold(ticket, 30)
    settle(ticket, 30)
    before = ledger_state()

    with pytest.raises(Conflict, match=f"Ticket {ticket} is closed."):
        settle(ticket, 0)
    with pytest.raises(Conflict, match=f"Ticket {ticket} is closed."):
        hold(ticket, 1)
    with pytest.raises(Conflict, match=f"Ticket {ticket} is closed."):
        credits.consume(OPERATOR, org_id=world.retail.id, product=SC, quantity=1, category="Network",
                        ticket_id=ticket, at=LATER)

    assert ledger_state() == before
