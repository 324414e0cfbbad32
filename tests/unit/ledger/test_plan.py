"""plan_draw: all or nothing, exactly the request, never more than a lot's free quantity."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsportal.domain.ledger.lots import LotKind
from opsportal.domain.ledger.plan import InsufficientBalance, available, plan_draw, plan_still_holds
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
    order_of,
)


def draw(lots, quantity, org=ROOT):
    return plan_draw(lots, org_id=org, ancestors=ANCESTORS[org], product=PRODUCT, quantity=quantity, at=NOW)


def test_a_request_is_taken_from_the_first_lot_in_order_while_it_lasts():
    lots = [make_lot(1, quantity=10, expires=days_from_now(60)), make_lot(2, quantity=10, expires=days_from_now(5))]
    assert [(d.lot_id, d.quantity) for d in draw(lots, 7)] == [(2, 7)]


def test_a_request_larger_than_the_first_lot_spills_into_the_next_in_order():
    lots = [make_lot(1, quantity=10, expires=days_from_now(60)), make_lot(2, quantity=4, expires=days_from_now(5))]
    assert [(d.lot_id, d.quantity) for d in draw(lots, 9)] == [(2, 4), (1, 5)]


def test_draws_sum_exactly_to_the_request():
    lots = [make_lot(i, quantity=q) for i, q in enumerate([3, 8, 2, 9], start=1)]
    assert sum(d.quantity for d in draw(lots, 15)) == 15


def test_no_draw_exceeds_the_lots_free_quantity():
    lots = [make_lot(1, quantity=10, remaining=9, held=6), make_lot(2, quantity=10, expires=None)]
    draws = draw(lots, 5)
    assert [(d.lot_id, d.quantity) for d in draws] == [(1, 3), (2, 2)]


def test_a_request_equal_to_what_is_available_drains_every_candidate():
    lots = [make_lot(1, quantity=4), make_lot(2, quantity=6, held=1), make_lot(3, holder=CHILD_B, quantity=50)]
    assert [(d.lot_id, d.quantity) for d in draw(lots, 9)] == [(1, 4), (2, 5)]


def test_a_request_above_what_is_available_raises_insufficient_balance_with_both_numbers():
    lots = [make_lot(1, quantity=4), make_lot(2, holder=CHILD_A, quantity=100)]
    with pytest.raises(InsufficientBalance) as raised:
        draw(lots, 5)
    assert (raised.value.requested, raised.value.available) == (5, 4)
    assert "requested 5" in str(raised.value) and "only 4" in str(raised.value)


def test_insufficient_balance_is_a_value_error_so_callers_can_report_bad_input():
    assert issubclass(InsufficientBalance, ValueError)


def test_a_request_with_nothing_available_raises_with_zero_available():
    with pytest.raises(InsufficientBalance) as raised:
        draw([], 1)
    assert raised.value.available == 0


@pytest.mark.parametrize("quantity", [0, -1, -100])
def test_a_zero_or_negative_request_is_refused(quantity):
    with pytest.raises(ValueError, match="positive") as raised:
        draw([make_lot(1)], quantity)
    assert not isinstance(raised.value, InsufficientBalance)


def test_the_draw_carries_the_candidate_that_explains_it():
    own, parents = make_lot(1, holder=GRANDCHILD, quantity=2), make_lot(2, holder=ROOT, quantity=5)
    draws = draw([own, parents], 4, org=GRANDCHILD)
    assert [(d.candidate.lot.id, d.candidate.tier, d.candidate.rank) for d in draws] == [(1, 0, 1), (2, 2, 2)]


def test_available_counts_free_usable_unexpired_quantity_of_the_product_only():
    lots = [
        make_lot(1, holder=ROOT, quantity=10, held=4),  # 6 free, inherited
        make_lot(2, holder=CHILD_A, quantity=3),  # own
        make_lot(3, holder=CHILD_B, quantity=100),  # sibling's
        make_lot(4, holder=ROOT, quantity=100, expires=days_from_now(-1)),  # expired
        make_lot(5, holder=CHILD_A, quantity=100, product="support_hours"),  # other product
    ]
    assert available(lots, org_id=CHILD_A, ancestors=ANCESTORS[CHILD_A], product=PRODUCT, at=NOW) == 9


ORGS = [ROOT, CHILD_A, CHILD_B, GRANDCHILD]
lot_fields = st.fixed_dictionaries({
    "holder": st.sampled_from(ORGS),
    "quantity": st.integers(1, 30),
    "used": st.integers(0, 30),
    "held": st.integers(0, 30),
    "kind": st.sampled_from(list(LotKind)),
    "expires": st.one_of(st.none(), st.integers(-3, 100)),
})


def build(fields_list):
    lots = []
    for i, f in enumerate(fields_list, start=1):
        remaining = max(f["quantity"] - f["used"], 0)
        lots.append(make_lot(i, holder=f["holder"], quantity=f["quantity"], remaining=remaining,
                             held=min(f["held"], remaining), kind=f["kind"],
                             expires=None if f["expires"] is None else days_from_now(f["expires"])))
    return lots


@settings(max_examples=150)
@given(st.lists(lot_fields, max_size=8), st.sampled_from(ORGS), st.integers(1, 120))
def test_a_plan_takes_exactly_the_request_greedily_in_order_or_raises_without_drawing(fields_list, org, quantity):
    lots = build(fields_list)
    by_id = {lot.id: lot for lot in lots}
    in_order = order_of(lots, org)
    can = sum(by_id[i].free for i in in_order)
    try:
        draws = draw(lots, quantity, org=org)
    except InsufficientBalance as e:
        assert quantity > can and (e.requested, e.available) == (quantity, can)
        return
    assert quantity <= can
    assert sum(d.quantity for d in draws) == quantity
    assert all(0 < d.quantity <= by_id[d.lot_id].free for d in draws)
    # Greedy in order: every lot before the last one drawn is drained, none after it is touched.
    ids = [d.lot_id for d in draws]
    assert ids == in_order[:len(ids)]
    assert all(d.quantity == by_id[d.lot_id].free for d in draws[:-1])


def test_a_lot_is_not_drawn_before_its_grant_instant():
    future = make_lot(1, quantity=10, granted=NOW + timedelta(seconds=1))
    assert available([future], org_id=ROOT, ancestors=[], product=PRODUCT, at=NOW) == 0
    assert available([future], org_id=ROOT, ancestors=[], product=PRODUCT, at=NOW + timedelta(seconds=1)) == 10


def _holds(planned, lots, org=ROOT):
    return plan_still_holds(planned, lots, org_id=org, ancestors=ANCESTORS[org], product=PRODUCT, at=NOW)


def test_a_plan_holds_while_its_lots_still_have_at_least_what_it_takes():
    lots = [make_lot(1, quantity=10, expires=days_from_now(5)), make_lot(2, quantity=10, expires=days_from_now(9))]
    planned = [(d.lot_id, d.quantity) for d in draw(lots, 14)]
    assert _holds(planned, lots)
    assert _holds(planned, [make_lot(1, quantity=10, expires=days_from_now(5)),
                            make_lot(2, quantity=10, remaining=4, expires=days_from_now(9))])


def test_a_plan_no_longer_holds_once_a_lot_it_draws_has_less_than_it_takes_or_is_gone():
    planned = [(1, 10), (2, 4)]
    lot_two = make_lot(2, quantity=10, expires=days_from_now(9))
    assert not _holds(planned, [make_lot(1, quantity=10, remaining=9, expires=days_from_now(5)), lot_two])
    assert not _holds(planned, [make_lot(1, quantity=10, held=1, expires=days_from_now(5)), lot_two])
    assert not _holds(planned, [lot_two])
    assert not _holds(planned, [make_lot(1, quantity=10, expires=days_from_now(5)),
                                make_lot(2, quantity=10, remaining=3, expires=days_from_now(9))])


def test_a_plan_no_longer_holds_when_a_lot_it_empties_gained_quantity_or_the_order_changed():
    planned = [(1, 4), (2, 6)]
    assert not _holds(planned, [make_lot(1, quantity=10, expires=days_from_now(5)),
                                make_lot(2, quantity=10, expires=days_from_now(9))])
    assert not _holds(planned, [make_lot(1, quantity=4, expires=days_from_now(20)),
                                make_lot(2, quantity=10, expires=days_from_now(9))])


def test_a_plan_no_longer_holds_when_a_lot_it_draws_expired_or_went_to_another_organization():
    planned = [(1, 4)]
    assert not _holds(planned, [make_lot(1, quantity=10, expires=NOW)])
    assert not _holds(planned, [make_lot(1, holder=CHILD_A, quantity=10)])
