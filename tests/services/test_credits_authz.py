"""Every credit use case checks who is calling (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from opsportal.services import credit_history, credit_views, credits
from opsportal.services.errors import NotFound, PermissionDenied
from opsportal.services.operator import OPERATOR
from tests.utils.ledger import NOW, consume, day, grant, ledger_state, lot_row, open_ticket

NOT_YOURS = "That organization was not found or you do not have access to it."
TICKET_NOT_FOUND = "That ticket was not found or you do not have access to it."
LOT_NOT_FOUND = "That credit lot was not found or you do not have access to it."
STAFF_ONLY = "This area is for the support team only."
STAFF_ADMINS_ONLY = "Only staff administrators may do this."
MANAGERS_ONLY = "Only the organization's owners and administrators may do this."


@pytest.mark.parametrize("caller", ["holdings_owner", "holdings_admin"])
def test_owners_and_admins_of_the_holder_may_allocate_its_lot_within_their_subtree(world, caller):
    lot = grant(world.holdings, 10)

    credits.allocate(world.actor(caller), lot_id=lot.id, to_org_id=world.logistics.id)

    assert (lot_row(lot.id)["scope"], lot_row(lot.id)["assigned_org_id"]) == ("org", world.logistics.id)


@pytest.mark.parametrize("caller", ["holdings_member", "holdings_billing"])
def test_a_member_or_billing_user_of_the_holder_may_not_allocate_its_lot(world, caller):
    lot = grant(world.holdings, 10)
    before = ledger_state()

    with pytest.raises(PermissionDenied, match=MANAGERS_ONLY):
        credits.allocate(world.actor(caller), lot_id=lot.id, to_org_id=world.retail.id)

    assert ledger_state() == before


@pytest.mark.parametrize("caller", ["fabrikam_owner", "retail_owner", "logistics_owner"])
def test_another_organizations_owner_cannot_even_find_the_lot_and_nothing_changes(world, caller):
    # Fabrikam is unrelated; Retail and Logistics are children of the holder (a child manages only its own lots).
    lot = grant(world.holdings, 10, shared=True)
    before = ledger_state()

    with pytest.raises(NotFound) as refused:
        credits.allocate(world.actor(caller), lot_id=lot.id, to_org_id=world.org(caller.split("_")[0]).id)

    assert str(refused.value) == LOT_NOT_FOUND
    assert ledger_state() == before


def test_an_unknown_lot_gets_the_same_answer_as_someone_elses_lot(world):
    with pytest.raises(NotFound) as refused:
        credits.allocate(world.actor("fabrikam_owner"), lot_id=987654, to_org_id=None)
    assert str(refused.value) == LOT_NOT_FOUND


def test_an_agent_may_not_allocate_a_customers_lot(world):
    lot = grant(world.holdings, 10)
    before = ledger_state()
    with pytest.raises(PermissionDenied):
        credits.allocate(world.actor("agent"), lot_id=lot.id, to_org_id=world.retail.id)
    assert ledger_state() == before


@pytest.mark.parametrize("caller", ["holdings_owner", "holdings_admin", "agent"])
def test_only_a_staff_administrator_may_grant_credits(world, caller):
    before = ledger_state()
    with pytest.raises(PermissionDenied, match=STAFF_ADMINS_ONLY):
        credits.grant(world.actor(caller), org_id=world.holdings.id, product="service_credits", quantity=10,
                      kind="complimentary", at=NOW)
    assert ledger_state() == before

    lot = credits.grant(world.actor("staff_admin"), org_id=world.holdings.id, product="service_credits", quantity=10,
                        kind="complimentary", at=NOW)
    assert lot_row(lot.id)["created_by"] == world.users["staff_admin"].id


@pytest.mark.parametrize("caller", ["holdings_owner", "holdings_admin", "retail_member"])
def test_only_staff_may_consume_hold_or_settle(world, caller):
    grant(world.retail, 50)
    ticket = open_ticket(world.retail)
    credits.hold_for_ticket(OPERATOR, ticket_id=ticket, product="service_credits", quantity=5, at=NOW)
    actor = world.actor(caller)
    before = ledger_state()

    with pytest.raises(PermissionDenied, match=STAFF_ONLY):
        credits.consume(actor, org_id=world.retail.id, product="service_credits", quantity=1, category="Network",
                        at=NOW)
    with pytest.raises(PermissionDenied, match=STAFF_ONLY):
        credits.hold_for_ticket(actor, ticket_id=ticket, product="service_credits", quantity=1, at=NOW)
    with pytest.raises(PermissionDenied, match=STAFF_ONLY):
        credits.settle_ticket(actor, ticket_id=ticket, used={"service_credits": 5}, at=NOW)
    with pytest.raises(PermissionDenied, match=STAFF_ADMINS_ONLY):
        credits.expire_due(actor, at=NOW)
    assert ledger_state() == before


def test_an_agent_may_consume_hold_and_settle(world):
    grant(world.retail, 50)
    agent = world.actor("agent")
    ticket = open_ticket(world.retail)

    credits.consume(agent, org_id=world.retail.id, product="service_credits", quantity=3, category="Network", at=NOW)
    credits.hold_for_ticket(agent, ticket_id=ticket, product="service_credits", quantity=7, at=NOW)
    credits.settle_ticket(agent, ticket_id=ticket, used={"service_credits": 7}, at=NOW)

    assert credit_views.balance(agent, world.retail.id, product="service_credits", at=NOW).available == 40


def _read_calls(target_id: int, ticket_id: int):
    product = "service_credits"
    return {
        "summary": lambda a: credit_views.summary(a, target_id, at=NOW),
        "balance": lambda a: credit_views.balance(a, target_id, product=product, at=NOW),
        "credit_list": lambda a: credit_views.credit_list(a, target_id, at=NOW),
        "in_play_by_category": lambda a: credit_views.in_play_by_category(a, target_id, product=product),
        "in_play_tickets": lambda a: credit_views.in_play_tickets(a, target_id, product=product,
                                                                  category="Infrastructure"),
        "used_by_category": lambda a: credit_views.used_by_category(a, target_id, product=product, at=NOW),
        "used_tickets": lambda a: credit_views.used_tickets(a, target_id, product=product, category="Infrastructure",
                                                            at=NOW),
        "expired_by_month": lambda a: credit_views.expired_by_month(a, target_id, product=product, at=NOW),
        "ticket_snapshot": lambda a: credit_views.ticket_snapshot(a, ticket_id),
        "history": lambda a: credit_history.history(a, target_id),
        "history_batches": lambda a: list(credit_history.history_batches(a, target_id)),
        "schedule": lambda a: credit_views.schedule(a, target_id, product=product, at=NOW),
    }


READS = list(_read_calls(0, 0))
INTRUDERS = [
    ("fabrikam_owner", "holdings"),  # another tree
    ("logistics_owner", "retail"),  # a sibling
    ("holdings_owner", "retail"),  # the parent looking at its child
    ("retail_owner", "holdings"),  # the child looking at its parent
]


@pytest.fixture
def busy_world(world):
    """Every organization of the tree with granted, held, used and expired credits, and an open ticket."""
    for org in (world.holdings, world.retail):
        grant(org, 100, shared=True)
        grant(org, 10, expires=day(3))
        ticket = open_ticket(org)
        credits.hold_for_ticket(OPERATOR, ticket_id=ticket, product="service_credits", quantity=5, at=NOW)
        consume(org, 5, ticket_id=ticket)
    credits.expire_due(OPERATOR, at=NOW.replace(day=20))
    return world


def _ticket_of(org_id: int) -> int:
    from sqlalchemy import text

    from opsportal.db import get_engine

    with get_engine().connect() as conn:
        return conn.execute(text("SELECT MIN(id) FROM ticket WHERE organization_id = :o"), {"o": org_id}).scalar_one()


@pytest.mark.parametrize("read", READS)
def test_every_credit_read_refuses_a_user_of_another_organization_even_in_the_same_tree(busy_world, read):
    world = busy_world
    for caller, target in INTRUDERS:
        target_id = world.org(target).id
        call = _read_calls(target_id, _ticket_of(target_id))[read]

        # A ticket is reached by its own id: another organization's reads like a missing one (test_foreign_ids).
        expected = (NotFound, TICKET_NOT_FOUND) if read == "ticket_snapshot" else (PermissionDenied, NOT_YOURS)
        with pytest.raises(expected[0]) as refused:
            call(world.actor(caller))

        assert str(refused.value) == expected[1], (caller, target)


def test_every_credit_read_answers_the_organizations_own_member(busy_world):
    world = busy_world
    calls = _read_calls(world.retail.id, _ticket_of(world.retail.id))
    member = world.actor("retail_member")

    results = {name: call(member) for name, call in calls.items()}

    assert results["balance"].in_play == 5
    assert results["ticket_snapshot"].held == {"service_credits": 5}
    assert results["history"].total > 0
