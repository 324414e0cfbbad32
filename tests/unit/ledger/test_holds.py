"""Holds for open tickets, settling them when the ticket closes, and apply's guard on a lot's balance."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from opsportal.domain.ledger.entries import EntryKind, EntrySpec, apply, consume, grant, hold, settle_holds
from opsportal.domain.ledger.lots import LotKind
from opsportal.domain.ledger.plan import InsufficientBalance
from tests.unit.ledger.builders import (
    ANCESTORS,
    CHILD_A,
    GRANDCHILD,
    NOW,
    PRODUCT,
    ROOT,
    days_from_now,
    explain_plain,
    make_lot,
)

TICKET, CATEGORY = 77, "Infrastructure"


def hold_for(lots, quantity, org=ROOT, at=NOW):
    return hold(lots, org_id=org, ancestors=ANCESTORS[org], product=PRODUCT, quantity=quantity, at=at,
                ticket_id=TICKET, category=CATEGORY, explain=explain_plain)


def settle(lots, holds, used, org=ROOT, at=NOW):
    return settle_holds({lot.id: lot for lot in lots}, holds, org_id=org, ancestors=ANCESTORS[org], used=used,
                        at=at, ticket_id=TICKET, category=CATEGORY)


def applied(lots, entries):
    return {lot.id: apply(lot, entries) for lot in lots}


def test_a_hold_moves_quantity_from_free_to_held_without_changing_remaining():
    lot = make_lot(1, quantity=10)
    entries = hold_for([lot], 4)
    after = apply(lot, entries)
    assert (after.remaining, after.held, after.free) == (10, 4, 6)
    assert [(e.kind, e.delta_remaining, e.delta_held) for e in entries] == [(EntryKind.allocate, 0, 4)]


def test_a_hold_records_the_ticket_category_spender_and_why_the_lot_was_chosen():
    [entry] = hold_for([make_lot(1, holder=ROOT)], 3, org=CHILD_A)
    assert (entry.ticket_id, entry.category, entry.org_id, entry.at) == (TICKET, CATEGORY, CHILD_A, NOW)
    assert "shared by parent" in entry.reason


def test_a_hold_spreads_over_lots_in_consumption_order():
    lots = [make_lot(1, quantity=10, expires=days_from_now(90)), make_lot(2, quantity=3, expires=days_from_now(9))]
    assert [(e.lot_id, e.quantity) for e in hold_for(lots, 5)] == [(2, 3), (1, 2)]


def test_held_quantity_is_not_available_to_a_second_hold():
    lot = make_lot(1, quantity=10)
    after = apply(lot, hold_for([lot], 8))
    with pytest.raises(InsufficientBalance) as raised:
        hold_for([after], 3)
    assert raised.value.available == 2


def test_consume_reduces_remaining_and_leaves_holds_alone():
    lot = make_lot(1, quantity=10, held=2)
    entries = consume([lot], org_id=ROOT, ancestors=[], product=PRODUCT, quantity=5, at=NOW, category=CATEGORY,
                      ticket_id=None, explain=explain_plain)
    assert [(e.kind, e.delta_remaining, e.delta_held) for e in entries] == [(EntryKind.consume, -5, 0)]
    after = apply(lot, entries)
    assert (after.remaining, after.held) == (5, 2)


def test_settling_with_less_used_than_held_consumes_in_order_and_releases_the_rest():
    soon = make_lot(1, quantity=10, expires=days_from_now(5), remaining=10, held=4)
    late = make_lot(2, quantity=10, expires=days_from_now(50), remaining=10, held=6)
    entries = settle([late, soon], {2: 6, 1: 4}, used=7)
    assert [(e.lot_id, e.kind, e.quantity) for e in entries] == [
        (1, EntryKind.consume, 4), (2, EntryKind.consume, 3), (2, EntryKind.release, 3)]
    after = applied([soon, late], entries)
    assert [(after[i].remaining, after[i].held) for i in (1, 2)] == [(6, 0), (7, 0)]


def test_settle_consumes_own_holds_before_holds_on_a_parents_shared_lot():
    parents = make_lot(1, holder=CHILD_A, expires=days_from_now(1), held=5)
    own = make_lot(2, holder=GRANDCHILD, expires=None, held=5)
    entries = settle([parents, own], {1: 5, 2: 5}, used=5, org=GRANDCHILD)
    assert [(e.lot_id, e.kind) for e in entries] == [(2, EntryKind.consume), (1, EntryKind.release)]


def test_settling_with_all_of_the_hold_used_releases_nothing():
    lot = make_lot(1, held=6)
    entries = settle([lot], {1: 6}, used=6)
    assert [(e.kind, e.delta_remaining, e.delta_held) for e in entries] == [(EntryKind.consume, -6, -6)]


def test_settling_with_nothing_used_releases_the_whole_hold():
    lot = make_lot(1, held=6)
    entries = settle([lot], {1: 6}, used=0)
    assert [(e.kind, e.delta_remaining, e.delta_held) for e in entries] == [(EntryKind.release, 0, -6)]
    assert (apply(lot, entries).remaining, apply(lot, entries).free) == (10, 10)


def test_a_hold_survives_its_lots_expiry_and_can_still_be_used():
    lot = make_lot(1, expires=date(2025, 3, 1), held=6)  # expired before NOW
    entries = settle([lot], {1: 6}, used=6)
    assert [(e.kind, e.quantity) for e in entries] == [(EntryKind.consume, 6)]


def test_what_is_released_from_an_already_expired_lot_expires_at_once():
    lot = make_lot(1, holder=CHILD_A, expires=date(2025, 3, 1), remaining=6, held=6)
    entries = settle([lot], {1: 6}, used=2, org=CHILD_A)
    assert [(e.kind, e.quantity, e.delta_remaining, e.delta_held) for e in entries] == [
        (EntryKind.consume, 2, -2, -2), (EntryKind.release, 4, 0, -4), (EntryKind.expire, 4, -4, 0)]
    assert entries[-1].org_id == CHILD_A
    after = apply(lot, entries)
    assert (after.remaining, after.held) == (0, 0)


def test_what_is_released_from_a_lot_still_valid_goes_back_to_free():
    lot = make_lot(1, expires=NOW + timedelta(seconds=1), held=6)
    entries = settle([lot], {1: 6}, used=2)
    assert EntryKind.expire not in [e.kind for e in entries]


def test_settling_more_than_is_held_is_refused():
    lot = make_lot(1, held=3)
    with pytest.raises(InsufficientBalance) as raised:
        settle([lot], {1: 3}, used=4)
    assert (raised.value.requested, raised.value.available) == (4, 3)


def test_settling_a_negative_use_is_refused():
    with pytest.raises(ValueError, match="negative"):
        settle([make_lot(1, held=3)], {1: 3}, used=-1)


def test_settle_entries_carry_the_ticket_and_category():
    entries = settle([make_lot(1, held=3)], {1: 3}, used=1)
    assert {(e.ticket_id, e.category) for e in entries} == {(TICKET, CATEGORY)}


# --- apply ----------------------------------------------------------------------------------------------------


def entry(kind, delta_remaining, delta_held, lot_id=1):
    return EntrySpec(lot_id, kind, abs(delta_remaining or delta_held), delta_remaining, delta_held, ROOT, NOW)


def test_a_grant_on_an_empty_lot_gives_it_its_quantity():
    lot = make_lot(1, quantity=12, remaining=0)
    assert apply(lot, [grant(lot, NOW)]).remaining == 12


def test_apply_rejects_entries_that_would_make_held_negative():
    with pytest.raises(ValueError, match="held=-1"):
        apply(make_lot(1, held=2), [entry(EntryKind.release, 0, -3)])


def test_apply_rejects_entries_that_would_leave_remaining_below_held():
    with pytest.raises(ValueError, match="remaining=4 held=5"):
        apply(make_lot(1, quantity=10, held=5), [entry(EntryKind.consume, -6, 0)])


def test_apply_rejects_a_bad_step_even_if_a_later_entry_would_repair_it():
    lot = make_lot(1, quantity=10, remaining=2)
    with pytest.raises(ValueError):
        apply(lot, [entry(EntryKind.consume, -3, 0), entry(EntryKind.adjust, 5, 0)])


def test_apply_rejects_a_hold_larger_than_the_free_quantity():
    with pytest.raises(ValueError):
        apply(make_lot(1, quantity=10, held=8), [entry(EntryKind.allocate, 0, 3)])


def test_apply_ignores_entries_of_other_lots():
    lot = make_lot(1, quantity=10)
    assert apply(lot, [entry(EntryKind.consume, -50, 0, lot_id=2)]) == lot


def test_apply_keeps_everything_but_the_balances():
    lot = make_lot(1, quantity=10, kind=LotKind.complimentary, expires=days_from_now(3))
    after = apply(lot, [entry(EntryKind.consume, -4, 0)])
    assert after.remaining == 6 and after.with_balance(remaining=10) == lot
