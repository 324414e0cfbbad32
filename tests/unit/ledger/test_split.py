"""Allocating part of a lot: the part becomes a new lot, the lot keeps the rest (issue 12, point 4)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsportal.domain.ledger.entries import EntryKind, apply
from opsportal.domain.ledger.lots import LotKind, Scope
from opsportal.domain.ledger.plan import available
from opsportal.domain.ledger.products import SERVICE_CREDITS, SUPPORT_HOURS
from opsportal.domain.ledger.sharing import allocation_problem
from opsportal.domain.ledger.split import part_of, part_problem, serves, split_entries, takes_whole_lot
from tests.unit.ledger.builders import (
    ANCESTORS,
    CHILD_A,
    CHILD_B,
    GRANDCHILD,
    NOW,
    PRODUCT,
    ROOT,
    days_from_now,
    make_lot,
)

TREE = (ROOT, CHILD_A, CHILD_B, GRANDCHILD)
ROOT_SUBTREE = set(TREE)


def _split(lot, quantity, target, part_id=99):
    part = replace(part_of(lot, quantity, target), id=part_id)
    specs = split_entries(lot, part, at=NOW, target_name="Child A")
    return apply(lot, specs), apply(part, specs), specs


@st.composite
def lots_and_parts(draw):
    quantity = draw(st.integers(1, 500))
    remaining = draw(st.integers(1, quantity))
    held = draw(st.integers(0, remaining - 1))
    scope = draw(st.sampled_from(list(Scope)))
    lot = make_lot(7, holder=ROOT, quantity=quantity, remaining=remaining, held=held, scope=scope,
                   assigned=draw(st.sampled_from([None, CHILD_B])) if scope is Scope.org else None,
                   kind=draw(st.sampled_from(list(LotKind))),
                   expires=draw(st.one_of(st.none(), st.integers(0, 400).map(days_from_now))))
    target = draw(st.sampled_from([t for t in (None, *TREE) if not serves(lot, t)]))
    return lot, draw(st.integers(1, lot.free)), target


@settings(max_examples=300)
@given(lots_and_parts())
def test_the_two_remainders_of_a_split_add_up_to_what_the_lot_had(case):
    lot, quantity, target = case
    kept, part, _specs = _split(lot, quantity, target)
    assert kept.remaining + part.remaining == lot.remaining
    assert (part.remaining, part.quantity, part.held) == (quantity, quantity, 0)


@settings(max_examples=300)
@given(lots_and_parts())
def test_a_split_keeps_every_hold_on_the_lot_and_moves_only_free_quantity(case):
    lot, quantity, target = case
    kept, part, _specs = _split(lot, quantity, target)
    assert kept.held == lot.held
    assert kept.free == lot.free - quantity


@settings(max_examples=300)
@given(lots_and_parts())
def test_the_part_keeps_the_lots_product_holder_type_grant_and_expiry_and_serves_the_target(case):
    lot, quantity, target = case
    _kept, part, _specs = _split(lot, quantity, target)
    keep = ("product", "holder_org_id", "kind", "granted_at", "expires_at")
    assert [getattr(part, f) for f in keep] == [getattr(lot, f) for f in keep]
    assert serves(part, target)
    assert allocation_problem(part, SERVICE_CREDITS, target, ROOT_SUBTREE) is None


@settings(max_examples=300)
@given(lots_and_parts())
def test_a_split_moves_availability_from_the_lots_organizations_to_the_targets_and_creates_none(case):
    lot, quantity, target = case
    kept, part, _specs = _split(lot, quantity, target)
    for org in TREE:
        def free_for(lots, org=org):
            return available(lots, org_id=org, ancestors=ANCESTORS[org], product=PRODUCT, at=NOW)
        served_before, served_by_part = free_for([lot]) > 0, free_for([part]) > 0
        assert free_for([kept, part]) - free_for([lot]) == quantity * (served_by_part - served_before)


def test_a_split_is_two_adjust_entries_one_out_of_the_lot_and_one_into_the_part():
    lot = make_lot(12, quantity=200)
    _kept, _part, specs = _split(lot, 50, CHILD_A, part_id=31)
    assert [(s.lot_id, s.kind, s.quantity, s.delta_remaining, s.delta_held) for s in specs] == [
        (12, EntryKind.adjust, 50, -50, 0), (31, EntryKind.adjust, 50, 50, 0)]
    assert "lot 31" in specs[0].reason and "lot 12" in specs[1].reason


def test_allocating_all_of_an_unheld_lot_moves_the_lot_itself():
    lot = make_lot(1, quantity=200, remaining=120)
    assert takes_whole_lot(lot, 120)
    assert not takes_whole_lot(lot, 119)
    assert not takes_whole_lot(make_lot(1, quantity=200, remaining=120, held=20), 100)


@pytest.mark.parametrize("quantity", [0, -5, 2.5, "50", True, None])
def test_a_quantity_that_is_not_a_positive_whole_number_is_refused(quantity):
    problem = part_problem(make_lot(1, quantity=200), SERVICE_CREDITS, quantity, CHILD_A, at=NOW)
    assert problem == "enter a whole number of credits greater than zero"


def test_support_hours_refusals_speak_of_hours():
    problem = part_problem(make_lot(1, product="support_hours"), SUPPORT_HOURS, 0, CHILD_A, at=NOW)
    assert problem == "enter hours such as 10, 7:30 or 45m greater than zero"


def test_more_than_the_lots_free_quantity_is_refused_saying_how_much_is_free_and_held():
    lot = make_lot(3, quantity=200, remaining=200, held=40)
    assert part_problem(lot, SERVICE_CREDITS, 161, CHILD_A, at=NOW) == (
        "only 160 credits of lot 3 are free (40 credits held for open tickets): allocate at most that")
    assert part_problem(lot, SERVICE_CREDITS, 160, CHILD_A, at=NOW) is None


def test_a_lot_all_held_for_tickets_has_nothing_to_allocate():
    lot = make_lot(3, quantity=10, remaining=10, held=10)
    assert part_problem(lot, SERVICE_CREDITS, 1, CHILD_A, at=NOW) == (
        "nothing of lot 3 is free: all of it is held for open tickets")


def test_an_expired_lot_cannot_be_split():
    lot = make_lot(3, expires=days_from_now(-1))
    assert "expired" in part_problem(lot, SERVICE_CREDITS, 1, CHILD_A, at=NOW)


@pytest.mark.parametrize(("scope", "assigned", "target"), [
    (Scope.shared, None, None), (Scope.org, CHILD_A, CHILD_A), (Scope.org, None, ROOT)])
def test_allocating_part_of_a_lot_where_it_already_is_is_refused(scope, assigned, target):
    lot = make_lot(3, scope=scope, assigned=assigned)
    assert "already allocated there" in part_problem(lot, SERVICE_CREDITS, 1, target, at=NOW)


def test_a_lot_holding_an_incident_windows_hours_is_not_re_allocated():
    problem = allocation_problem(make_lot(5, product="support_hours"), SUPPORT_HOURS, CHILD_A, ROOT_SUBTREE,
                                 held_for_window=True)
    assert problem is not None and "pay-per-incident window" in problem


def test_the_part_must_be_stored_before_its_entries_are_written():
    lot = make_lot(12, quantity=200)
    with pytest.raises(ValueError):
        split_entries(lot, part_of(lot, 50, CHILD_A), at=NOW, target_name="Child A")
