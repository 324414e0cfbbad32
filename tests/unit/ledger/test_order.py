"""The consumption order, one rule at a time (DESIGN "Consumption order", seed 002)."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from opsportal.domain.ledger.lots import Lot, LotKind, Scope, end_of_day
from opsportal.domain.ledger.order import OWN_TIER, ordered_candidates, tier_for
from tests.unit.ledger.builders import (
    ANCESTORS,
    CHILD_A,
    CHILD_B,
    GRANDCHILD,
    GRANTED,
    NOW,
    PRODUCT,
    ROOT,
    days_from_now,
    make_lot,
    order_of,
)

SOON, LATER, MUCH_LATER = days_from_now(5), days_from_now(40), days_from_now(200)


# --- tiers: own before inherited, nearest ancestor first --------------------------------------------------


def test_child_uses_own_credits_before_parents_shared_credits():
    parents = make_lot(1, holder=ROOT, expires=SOON)
    own = make_lot(2, holder=CHILD_A, expires=MUCH_LATER)
    assert order_of([parents, own], CHILD_A) == [2, 1]


def test_own_lot_without_expiry_still_comes_before_a_parents_expiring_shared_lot():
    parents = make_lot(1, holder=ROOT, expires=SOON, kind=LotKind.complimentary)
    own = make_lot(2, holder=CHILD_A, expires=None)
    assert order_of([parents, own], CHILD_A) == [2, 1]


def test_a_parents_lot_allocated_to_the_child_alone_is_in_the_childs_own_tier():
    parents_shared = make_lot(1, holder=ROOT, expires=SOON)
    allocated_to_child = make_lot(2, holder=ROOT, scope=Scope.org, assigned=CHILD_A, expires=MUCH_LATER)
    assert tier_for(allocated_to_child, CHILD_A, ANCESTORS[CHILD_A]) == OWN_TIER
    assert order_of([parents_shared, allocated_to_child], CHILD_A) == [2, 1]


def test_a_lot_held_with_scope_org_and_no_assignee_is_the_holders_own():
    lot = make_lot(1, holder=CHILD_A, scope=Scope.org, assigned=None)
    assert tier_for(lot, CHILD_A, ANCESTORS[CHILD_A]) == OWN_TIER


def test_tiers_count_own_then_parent_then_grandparent():
    own = make_lot(1, holder=GRANDCHILD)
    parents = make_lot(2, holder=CHILD_A)
    grandparents = make_lot(3, holder=ROOT)
    assert [tier_for(lot, GRANDCHILD, ANCESTORS[GRANDCHILD]) for lot in (own, parents, grandparents)] == [0, 1, 2]


def test_grandparents_shared_lot_is_usable_by_the_grandchild_after_the_parents_shared_lots():
    grandparents = make_lot(1, holder=ROOT, expires=SOON, kind=LotKind.complimentary)
    parents = make_lot(2, holder=CHILD_A, expires=None)
    assert order_of([grandparents, parents], GRANDCHILD) == [2, 1]


def test_nearest_ancestor_comes_first_whatever_the_ids_and_grant_dates():
    grandparents = make_lot(1, holder=ROOT, granted=GRANTED - timedelta(days=300))
    parents = make_lot(9, holder=CHILD_A, granted=GRANTED)
    own = make_lot(20, holder=GRANDCHILD, granted=GRANTED + timedelta(days=30))
    assert order_of([grandparents, parents, own], GRANDCHILD) == [20, 9, 1]


# --- within a tier ------------------------------------------------------------------------------------------


def test_within_a_tier_the_nearest_expiry_comes_first():
    lots = [make_lot(1, expires=MUCH_LATER), make_lot(2, expires=SOON), make_lot(3, expires=LATER)]
    assert order_of(lots, ROOT) == [2, 3, 1]


def test_within_a_tier_lots_without_expiry_come_last():
    lots = [make_lot(1, expires=None, kind=LotKind.complimentary), make_lot(2, expires=MUCH_LATER)]
    assert order_of(lots, ROOT) == [2, 1]


def test_an_exact_expiry_instant_earlier_in_the_same_day_comes_before_the_end_of_that_day():
    day = days_from_now(3)
    lots = [make_lot(1, expires=day), make_lot(2, expires=end_of_day(day) - timedelta(hours=5))]
    assert order_of(lots, ROOT) == [2, 1]


def test_complimentary_comes_before_purchased_when_expiry_is_equal():
    lots = [make_lot(1, expires=LATER, kind=LotKind.purchased), make_lot(2, expires=LATER, kind=LotKind.complimentary)]
    assert order_of(lots, ROOT) == [2, 1]


def test_complimentary_comes_before_purchased_when_neither_expires():
    lots = [make_lot(1, kind=LotKind.purchased), make_lot(2, kind=LotKind.complimentary)]
    assert order_of(lots, ROOT) == [2, 1]


def test_nearer_expiry_outranks_complimentary_kind():
    lots = [make_lot(1, expires=LATER, kind=LotKind.complimentary), make_lot(2, expires=SOON)]
    assert order_of(lots, ROOT) == [2, 1]


def test_the_oldest_grant_comes_first_when_expiry_and_kind_are_equal():
    lots = [make_lot(1, expires=LATER, granted=GRANTED + timedelta(days=2)),
            make_lot(2, expires=LATER, granted=GRANTED)]
    assert order_of(lots, ROOT) == [2, 1]


def test_kind_outranks_the_grant_date():
    lots = [make_lot(1, granted=GRANTED - timedelta(days=100), kind=LotKind.purchased),
            make_lot(2, granted=GRANTED, kind=LotKind.complimentary)]
    assert order_of(lots, ROOT) == [2, 1]


def test_the_lowest_id_breaks_a_complete_tie():
    lots = [make_lot(7, expires=LATER), make_lot(3, expires=LATER), make_lot(5, expires=LATER)]
    assert order_of(lots, ROOT) == [3, 5, 7]


def test_the_order_does_not_depend_on_the_order_lots_are_given_in():
    lots = [make_lot(i, holder=random.Random(i).choice([ROOT, CHILD_A, GRANDCHILD]),
                     expires=random.Random(i * 7).choice([None, SOON, LATER]),
                     kind=random.Random(i * 13).choice(list(LotKind))) for i in range(1, 13)]
    expected = order_of(lots, GRANDCHILD)
    for seed in range(5):
        shuffled = lots[:]
        random.Random(seed).shuffle(shuffled)
        assert order_of(shuffled, GRANDCHILD) == expected


def test_candidates_are_ranked_from_one_in_order():
    lots = [make_lot(1, expires=LATER), make_lot(2, expires=SOON)]
    candidates = ordered_candidates(lots, ROOT, [], PRODUCT, NOW)
    assert [(c.lot.id, c.rank, c.tier) for c in candidates] == [(2, 1, 0), (1, 2, 0)]


# --- who may not use a lot ------------------------------------------------------------------------------------


def test_a_parent_never_draws_from_a_childs_shared_lot():
    childs = make_lot(1, holder=CHILD_A)
    assert tier_for(childs, ROOT, ANCESTORS[ROOT]) is None
    assert order_of([childs], ROOT) == []


def test_a_grandparent_never_draws_from_a_grandchilds_lot():
    assert order_of([make_lot(1, holder=GRANDCHILD)], ROOT) == []
    assert order_of([make_lot(1, holder=GRANDCHILD)], CHILD_A) == []


def test_siblings_never_share_lots():
    a_lot, b_lot = make_lot(1, holder=CHILD_A), make_lot(2, holder=CHILD_B)
    assert order_of([a_lot, b_lot], CHILD_A) == [1]
    assert order_of([a_lot, b_lot], CHILD_B) == [2]


def test_a_nephew_never_draws_from_an_uncles_lot():
    assert order_of([make_lot(1, holder=CHILD_B)], GRANDCHILD) == []


def test_an_org_scoped_lot_allocated_to_child_a_is_not_usable_by_the_holder_parent():
    lot = make_lot(1, holder=ROOT, scope=Scope.org, assigned=CHILD_A)
    assert tier_for(lot, ROOT, ANCESTORS[ROOT]) is None
    assert order_of([lot], ROOT) == []


def test_an_org_scoped_lot_allocated_to_child_a_is_not_usable_by_sibling_b():
    lot = make_lot(1, holder=ROOT, scope=Scope.org, assigned=CHILD_A)
    assert order_of([lot], CHILD_B) == []


def test_an_org_scoped_lot_allocated_to_child_a_is_not_usable_by_child_as_own_children():
    lot = make_lot(1, holder=ROOT, scope=Scope.org, assigned=CHILD_A)
    assert order_of([lot], GRANDCHILD) == []


def test_a_parents_org_scoped_lot_is_not_inherited_by_its_children():
    lot = make_lot(1, holder=ROOT, scope=Scope.org, assigned=None)
    assert order_of([lot], ROOT) == [1]
    assert order_of([lot], CHILD_A) == []


def test_a_lot_allocated_to_organization_zero_serves_organization_zero_only():
    lot = make_lot(1, holder=5, scope=Scope.org, assigned=0)
    assert tier_for(lot, 0, [5]) == OWN_TIER
    assert tier_for(lot, 5, []) is None


def test_other_products_are_never_candidates():
    assert order_of([make_lot(1, product="support_hours")], ROOT) == []


def test_a_lot_whose_whole_remainder_is_held_is_not_a_candidate():
    lots = [make_lot(1, quantity=10, held=10), make_lot(2, quantity=10, remaining=4, held=3)]
    assert order_of(lots, ROOT) == [2]


def test_a_lot_built_from_stored_strings_behaves_like_one_built_from_enums():
    # Rows keep kind and scope as plain strings; a lot rebuilt from them must follow the same rules.
    allocated = Lot(id=1, product=PRODUCT, holder_org_id=ROOT, kind="purchased", quantity=5, granted_at=GRANTED,
                    expires_at=None, scope="org", assigned_org_id=CHILD_A, remaining=5)
    assert tier_for(allocated, ROOT, []) is None
    assert tier_for(allocated, CHILD_A, [ROOT]) == OWN_TIER
    purchased = make_lot(2, kind="purchased")
    complimentary = make_lot(3, kind="complimentary")
    assert order_of([purchased, complimentary], ROOT) == [3, 2]


@pytest.mark.parametrize("org", [ROOT, CHILD_A, CHILD_B, GRANDCHILD])
def test_an_org_scoped_lot_serves_exactly_the_organization_it_is_allocated_to(org):
    lots = [make_lot(10 + target, holder=ROOT, scope=Scope.org, assigned=target)
            for target in (ROOT, CHILD_A, CHILD_B, GRANDCHILD)]
    assert order_of(lots, org) == [10 + org]


def test_expired_lots_are_not_candidates():
    lots = [make_lot(1, expires=date(2025, 3, 9)), make_lot(2, expires=date(2025, 3, 10))]
    assert order_of(lots, ROOT) == [2]
