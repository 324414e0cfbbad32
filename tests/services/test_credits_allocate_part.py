"""An owner allocates part of a lot: "50 of 200 credits to Northwind Logistics" (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest

from opsportal.services import agent_work, bank_payments, credit_views, credits, incidents
from opsportal.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from opsportal.services.operator import OPERATOR
from tests.utils.ledger import (
    NOW,
    cache_mismatches,
    day,
    entries,
    grant,
    ledger_state,
    lot_balances,
    lot_row,
    open_ticket,
)
from tests.utils.plans import DESCRIPTION, SATURDAY_NOON, TERMS, set_up_gold

LOT_NOT_FOUND = "That credit lot was not found or you do not have access to it."


def available(org, product: str = "service_credits", at=NOW) -> int:
    return credit_views.balance(OPERATOR, org.id, product=product, at=at).available


def allocate_part(world, lot, quantity, target, *, who="holdings_owner", at=NOW):
    return credits.allocate_part(world.actor(who), lot_id=lot.id, to_org_id=target.id if target else None,
                                 quantity=quantity, at=at)


def test_fifty_of_two_hundred_credits_become_a_new_lot_of_the_subsidiary_and_the_lot_keeps_the_rest(world):
    lot = grant(world.holdings, 200, expires=day(90), kind="complimentary")

    done = allocate_part(world, lot, 50, world.logistics)

    assert done.split and (done.source_id, done.quantity) == (lot.id, 50)
    part, kept = lot_row(done.lot.id), lot_row(lot.id)
    assert (kept["quantity"], kept["remaining"], kept["held"]) == (200, 150, 0)
    assert (part["quantity"], part["remaining"], part["held"]) == (50, 50, 0)
    assert (part["scope"], part["assigned_org_id"], part["holder_org_id"]) == ("org", world.logistics.id,
                                                                            world.holdings.id)
    same = ("product_code", "kind", "origin", "granted_at", "expires_at")
    assert [part[k] for k in same] == [kept[k] for k in same]
    assert (done.lot.allocated_to, done.lot.free) == ("Northwind Logistics", 50)
    assert (available(world.holdings), available(world.logistics)) == (150, 50)


def test_a_split_appends_two_adjust_entries_and_leaves_the_earlier_ones_untouched(world):
    lot = grant(world.holdings, 200)
    before = entries()

    done = allocate_part(world, lot, 50, world.logistics)

    after = entries()
    assert after[:len(before)] == before
    assert [e[:6] for e in after[len(before):]] == [
        ("adjust", lot.id, world.holdings.id, 50, -50, 0), ("adjust", done.lot.id, world.logistics.id, 50, 50, 0)]
    assert cache_mismatches() == []


def test_the_part_serves_only_the_subsidiary_and_the_rest_still_serves_where_the_lot_did(world):
    lot = grant(world.holdings, 200, shared=True)

    allocate_part(world, lot, 50, world.logistics)

    assert (available(world.holdings), available(world.retail), available(world.logistics)) == (150, 150, 200)


def test_allocating_all_of_an_unheld_lot_moves_the_lot_itself_without_a_new_lot(world):
    lot = grant(world.holdings, 200)
    before = len(entries())

    done = allocate_part(world, lot, 200, None)

    assert not done.split and done.lot.id == lot.id and done.lot.allocated_to == "All organizations"
    assert len(entries()) == before


def test_credit_held_for_an_open_ticket_stays_on_the_lot_and_only_the_free_part_moves(world):
    lot = grant(world.holdings, 200)
    credits.hold_for_ticket(OPERATOR, ticket_id=open_ticket(world.holdings), product="service_credits", quantity=40,
                            at=NOW)
    before = ledger_state()

    with pytest.raises(InvalidInput) as refused:
        allocate_part(world, lot, 161, world.retail)
    assert str(refused.value) == (f"Only 160 credits of lot {lot.id} are free (40 credits held for open "
                                  "tickets): allocate at most that.")
    assert ledger_state() == before

    done = allocate_part(world, lot, 160, world.retail)
    assert done.split
    assert (lot_row(lot.id)["remaining"], lot_row(lot.id)["held"]) == (40, 40)
    assert cache_mismatches() == []


@pytest.mark.parametrize(("quantity", "message"), [
    (0, "Enter a whole number of credits greater than zero."),
    (-3, "Enter a whole number of credits greater than zero."),
    (2.5, "Enter a whole number of credits greater than zero."),
    ("50", "Enter a whole number of credits greater than zero."),
    (201, "Only 200 credits of lot {lot} are free: allocate at most that."),
])
def test_a_bad_quantity_is_refused_with_a_clear_message_and_nothing_changes(world, quantity, message):
    lot = grant(world.holdings, 200)
    before = ledger_state()

    with pytest.raises(InvalidInput) as refused:
        allocate_part(world, lot, quantity, world.logistics)

    assert str(refused.value) == message.format(lot=lot.id)
    assert ledger_state() == before


def test_allocating_part_of_a_lot_where_it_already_is_is_refused(world):
    lot = grant(world.holdings, 200)
    with pytest.raises(InvalidInput, match="already allocated there"):
        allocate_part(world, lot, 50, world.holdings)


def test_an_expired_lot_cannot_be_split(world):
    lot = grant(world.holdings, 200, expires=day(1))
    with pytest.raises(InvalidInput, match="has expired"):
        allocate_part(world, lot, 50, world.logistics, at=NOW + timedelta(days=3))


@pytest.mark.parametrize("caller", ["fabrikam_owner", "retail_owner", "logistics_owner"])
def test_another_organizations_owner_cannot_find_the_lot_and_nothing_changes(world, caller):
    lot = grant(world.holdings, 200, shared=True)
    before = ledger_state()

    with pytest.raises(NotFound) as refused:
        allocate_part(world, lot, 50, world.org(caller.split("_")[0]), who=caller)

    assert str(refused.value) == LOT_NOT_FOUND
    assert ledger_state() == before


@pytest.mark.parametrize("caller", ["holdings_member", "holdings_billing", "agent"])
def test_members_billing_contacts_and_agents_may_not_allocate_part_of_a_lot(world, caller):
    lot = grant(world.holdings, 200)
    before = ledger_state()
    with pytest.raises(PermissionDenied):
        allocate_part(world, lot, 50, world.logistics, who=caller)
    assert ledger_state() == before


def _paid_incident(world):
    set_up_gold(world.holdings)
    result = incidents.request_incident(world.actor("holdings_owner"), world.holdings.id, "emergency", None, 2,
                                        "Shop offline", DESCRIPTION, accepted_terms=TERMS, at=SATURDAY_NOON)
    bank_payments.record_offline_payment(OPERATOR, result.invoice_id, at=SATURDAY_NOON + timedelta(minutes=10))
    [lot] = credit_views.credit_list(OPERATOR, world.holdings.id, at=SATURDAY_NOON).items
    return result, lot


def test_a_lot_held_for_a_paid_incident_window_is_refused_re_allocation_whole_or_in_part(world):
    _result, lot = _paid_incident(world)
    before = ledger_state()

    with pytest.raises(InvalidInput, match="pay-per-incident window"):
        credits.allocate(world.actor("holdings_owner"), lot_id=lot.id, to_org_id=world.logistics.id)
    with pytest.raises(InvalidInput, match="pay-per-incident window"):
        credits.allocate_part(world.actor("holdings_owner"), lot_id=lot.id, to_org_id=world.logistics.id,
                              quantity=60, at=SATURDAY_NOON + timedelta(minutes=20))

    assert ledger_state() == before


def test_the_credit_list_marks_a_lot_held_for_an_incident_window_and_splits_free_from_held(world):
    _result, lot = _paid_incident(world)
    assert (lot.held_for_window, lot.free, lot.held, lot.remaining) == (True, 0, 120, 120)


def test_the_credit_list_shows_each_lots_free_and_held_quantity_and_nothing_free_once_expired(world):
    lot = grant(world.holdings, 200)
    expiring = grant(world.holdings, 30, expires=day(1))
    credits.hold_for_ticket(OPERATOR, ticket_id=open_ticket(world.holdings), product="service_credits", quantity=20,
                            at=NOW)

    listed = {row.id: row for row in credit_views.credit_list(OPERATOR, world.holdings.id, at=NOW).items}
    later = {row.id: row for row in credit_views.credit_list(OPERATOR, world.holdings.id,
                                                            at=NOW + timedelta(days=3)).items}

    # The hold came from the lot expiring first.
    assert [(listed[i].free, listed[i].held) for i in (lot.id, expiring.id)] == [(200, 0), (10, 20)]
    assert sum(r.free for r in listed.values()) == available(world.holdings)
    assert (later[expiring.id].free, later[expiring.id].held, later[expiring.id].remaining) == (0, 20, 30)
    assert (listed[lot.id].held_for_window, listed[lot.id].serves_org_id) == (False, world.holdings.id)


def test_once_the_incident_task_closes_its_left_over_hours_may_be_re_allocated(world):
    result, lot = _paid_incident(world)
    agent_work.set_status(OPERATOR, result.ticket_id, "closed", at=SATURDAY_NOON + timedelta(hours=3))

    [after] = credit_views.credit_list(OPERATOR, world.holdings.id, at=SATURDAY_NOON + timedelta(hours=3)).items
    assert (after.held_for_window, after.free, after.held) == (False, 120, 0)
    done = credits.allocate_part(world.actor("holdings_owner"), lot_id=lot.id, to_org_id=world.logistics.id,
                                 quantity=60, at=SATURDAY_NOON + timedelta(hours=4))
    assert done.split and done.lot.allocated_to == "Northwind Logistics"


def test_concurrent_splits_and_draws_never_move_or_spend_the_same_credit_twice(world):
    lot = grant(world.holdings, 100)
    owner = world.actor("holdings_owner")
    barrier = threading.Barrier(8)
    outcomes: list[str] = []
    lock = threading.Lock()

    def split() -> None:
        barrier.wait()
        try:
            credits.allocate_part(owner, lot_id=lot.id, to_org_id=world.logistics.id, quantity=30, at=NOW)
            result = "split"
        except InvalidInput:
            result = "refused"
        with lock:
            outcomes.append(result)

    def draw() -> None:
        barrier.wait()
        for _ in range(5):
            try:
                credits.consume(OPERATOR, org_id=world.holdings.id, product="service_credits", quantity=2,
                                category="Load test", at=NOW)
                result = "drawn"
            except Conflict:
                result = "short"
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=split) for _ in range(4)] + [threading.Thread(target=draw) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    counts = Counter(outcomes)
    assert counts["split"] + counts["refused"] == 4 and counts["drawn"] + counts["short"] == 20
    assert counts["split"] * 30 + counts["drawn"] * 2 <= 100
    remainders = sum(remaining for remaining, _held in lot_balances().values())
    assert remainders == 100 - counts["drawn"] * 2
    assert available(world.logistics) == counts["split"] * 30
    assert cache_mismatches() == []
