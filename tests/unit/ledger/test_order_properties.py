"""Property tests: the consumption order agrees with an independent statement of the rules."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from opsportal.domain.ledger.lots import LotKind, Scope
from opsportal.domain.ledger.order import in_leading_window, ordered_candidates, sort_key, tier_for
from opsportal.domain.ledger.plan import available, plan_draw
from tests.unit.ledger.builders import GRANTED, NOW, PRODUCT, days_from_now, expiry, make_lot
from tests.unit.ledger.model import Tree


@st.composite
def trees(draw):
    parent, next_id = {1: None}, 2
    for _ in range(draw(st.integers(1, 3))):
        child, next_id = next_id, next_id + 1
        parent[child] = 1
        for _ in range(draw(st.integers(0, 2))):
            parent[next_id], next_id = child, next_id + 1
    return Tree(parent)


@st.composite
def trees_with_lots(draw):
    tree = draw(trees())
    lots = []
    for lot_id in draw(st.lists(st.integers(1, 500), unique=True, max_size=10)):
        holder = draw(st.sampled_from(tree.orgs))
        scope = draw(st.sampled_from(list(Scope)))
        assigned = draw(st.one_of(st.none(), st.sampled_from(sorted(tree.subtree(holder))))) \
            if scope is Scope.org else None
        quantity = draw(st.integers(1, 20))
        remaining = draw(st.integers(0, quantity))
        lots.append(make_lot(
            lot_id, holder=holder, scope=scope, assigned=assigned, quantity=quantity, remaining=remaining,
            held=draw(st.integers(0, remaining)), kind=draw(st.sampled_from(list(LotKind))),
            granted=GRANTED + timedelta(days=draw(st.integers(0, 3))),
            expires=draw(st.one_of(st.none(), st.integers(-2, 6).map(days_from_now))),
            product=draw(st.sampled_from([PRODUCT, PRODUCT, PRODUCT, "support_hours"]))))
    return tree, lots, draw(st.sampled_from(tree.orgs))


@settings(max_examples=200)
@given(trees_with_lots())
def test_tier_for_agrees_with_walking_the_organization_tree(case):
    tree, lots, org = case
    for lot in lots:
        assert tier_for(lot, org, tree.ancestors(org)) == tree.tier(lot, org)


@settings(max_examples=200)
@given(trees_with_lots())
def test_ordered_candidates_are_exactly_the_usable_lots_sorted_by_the_rules(case):
    tree, lots, org = case
    got = ordered_candidates(lots, org, tree.ancestors(org), PRODUCT, NOW)
    assert [c.lot.id for c in got] == [lot.id for lot in tree.order(lots, org, PRODUCT, NOW)]
    assert [c.rank for c in got] == list(range(1, len(got) + 1))
    keys = [sort_key(c.lot, c.tier) for c in got]
    assert keys == sorted(keys)


@settings(max_examples=100)
@given(trees_with_lots(), st.randoms(use_true_random=False))
def test_the_order_ignores_the_order_lots_are_loaded_in(case, rnd):
    tree, lots, org = case
    shuffled = lots[:]
    rnd.shuffle(shuffled)
    ids = [c.lot.id for c in ordered_candidates(lots, org, tree.ancestors(org), PRODUCT, NOW)]
    assert [c.lot.id for c in ordered_candidates(shuffled, org, tree.ancestors(org), PRODUCT, NOW)] == ids


@settings(max_examples=100)
@given(trees_with_lots())
def test_a_parent_can_use_no_more_than_its_own_lots_and_its_ancestors_shared_lots(case):
    tree, lots, org = case
    mine = sum(lot.free for lot in lots if tree.usable(lot, org, PRODUCT, NOW))
    assert available(lots, org_id=org, ancestors=tree.ancestors(org), product=PRODUCT, at=NOW) == mine
    for child in (o for o in tree.orgs if tree.parent[o] == org):
        child_lots = [lot for lot in lots if lot.holder_org_id == child]
        assert available(child_lots, org_id=org, ancestors=tree.ancestors(org), product=PRODUCT, at=NOW) == 0


@settings(max_examples=300)
@given(trees_with_lots(), st.integers(-2, 7), st.integers(1, 60))
def test_a_request_the_leading_window_covers_draws_from_it_exactly_what_it_draws_from_every_lot(case, until,
                                                                                                quantity):
    tree, lots, org = case
    ancestors, expiring_by = tree.ancestors(org), expiry(days_from_now(until))
    window = [lot for lot in lots if in_leading_window(lot, org, ancestors, expiring_by)]
    order = [c.lot.id for c in ordered_candidates(lots, org, ancestors, PRODUCT, NOW)]
    head = [c.lot.id for c in ordered_candidates(window, org, ancestors, PRODUCT, NOW)]
    assert order[:len(head)] == head
    if quantity <= available(window, org_id=org, ancestors=ancestors, product=PRODUCT, at=NOW):
        def plan(of):
            return [(d.lot_id, d.quantity, d.candidate.rank) for d in
                    plan_draw(of, org_id=org, ancestors=ancestors, product=PRODUCT, quantity=quantity, at=NOW)]
        assert plan(window) == plan(lots)
