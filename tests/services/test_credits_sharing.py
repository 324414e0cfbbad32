"""Who may draw from which lot, in which order, and how lots are allocated (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from opsportal.domain import formats
from opsportal.services import credit_views, credits
from opsportal.services.errors import Conflict, InvalidInput
from opsportal.services.operator import OPERATOR
from tests.utils.builders import make_org
from tests.utils.ledger import (
    NOW,
    consume,
    day,
    drawn,
    entries,
    grant,
    ledger_state,
    lot_row,
)


def available(org, product: str = "service_credits") -> int:
    return credit_views.balance(OPERATOR, org.id, product=product, at=NOW).available


def test_a_child_uses_its_own_lots_first_then_shared_lots_nearest_ancestor_first(world):
    stores = make_org("Northwind Retail Stores", parent=world.retail)
    # Tiers beat expiry: the grandparent's lot expires first and is still used last.
    grandparent = grant(world.holdings, 50, shared=True, expires=day(5))
    parent = grant(world.retail, 30, shared=True)
    own = grant(stores, 10, expires=day(300))
    grant(world.holdings, 1000)  # the grandparent's own (not shared) lot is never the child's

    draws = consume(stores, 85)

    assert drawn(draws) == [(own.id, 10), (parent.id, 30), (grandparent.id, 45)]
    assert available(stores) == 5


def test_within_a_tier_nearest_expiry_comes_first_then_complimentary_then_oldest_grant(world):
    no_expiry_purchased = grant(world.retail, 1)
    no_expiry_complimentary = grant(world.retail, 1, kind="complimentary")
    late_purchased = grant(world.retail, 1, expires=day(60))
    late_complimentary = grant(world.retail, 1, kind="complimentary", expires=day(60))
    soon = grant(world.retail, 1, expires=day(30))
    late_purchased_granted_earlier = grant(world.retail, 1, expires=day(60), at=NOW.replace(day=1))

    draws = consume(world.retail, 6)

    assert [lot_id for lot_id, _q in drawn(draws)] == [
        soon.id, late_complimentary.id, late_purchased_granted_earlier.id, late_purchased.id,
        no_expiry_complimentary.id, no_expiry_purchased.id,
    ]


def test_a_parent_uses_only_its_own_lots_never_a_childs_shared_lot(world):
    grant(world.retail, 40, shared=True)
    own = grant(world.holdings, 10)

    assert available(world.holdings) == 10
    with pytest.raises(Conflict, match="requested 11 credits, available 10 credits"):
        consume(world.holdings, 11)
    assert drawn(consume(world.holdings, 10)) == [(own.id, 10)]


def test_siblings_never_share_even_a_lot_shared_with_all_organizations(world):
    shared = grant(world.retail, 40, shared=True)

    assert available(world.logistics) == 0
    with pytest.raises(Conflict, match="available 0 credits"):
        consume(world.logistics, 1)
    assert lot_row(shared.id)["remaining"] == 40


def test_a_lot_allocated_to_one_child_is_usable_by_that_child_only(world):
    lot = grant(world.holdings, 20)
    allocated = credits.allocate(world.actor("holdings_owner"), lot_id=lot.id, to_org_id=world.retail.id)
    assert (allocated.scope, allocated.allocated_to) == ("org", "Northwind Retail")

    assert (available(world.retail), available(world.logistics), available(world.holdings)) == (20, 0, 0)
    for other in (world.logistics, world.holdings):
        with pytest.raises(Conflict):
            consume(other, 1)
    assert drawn(consume(world.retail, 20)) == [(lot.id, 20)]


def test_a_lot_allocated_to_all_organizations_is_usable_by_the_holder_and_every_descendant(world):
    lot = grant(world.holdings, 30)
    assert available(world.retail) == 0

    allocated = credits.allocate(world.actor("holdings_admin"), lot_id=lot.id, to_org_id=None)

    assert (allocated.scope, allocated.allocated_to) == ("shared", "All organizations")
    assert drawn(consume(world.retail, 10)) == [(lot.id, 10)]
    assert drawn(consume(world.logistics, 10)) == [(lot.id, 10)]
    assert drawn(consume(world.holdings, 10)) == [(lot.id, 10)]


def test_kaizen_enterprise_is_granted_shared_with_all_organizations_without_asking(world):
    lot = grant(world.holdings, 12, product="kaizen_enterprise")  # no shared=True

    assert (lot.scope, lot.allocated_to) == ("shared", "All organizations")
    assert drawn(consume(world.retail, 5, product="kaizen_enterprise")) == [(lot.id, 5)]
    assert drawn(consume(world.logistics, 5, product="kaizen_enterprise")) == [(lot.id, 5)]


@pytest.mark.parametrize("target", ["retail", None])
def test_allocate_refuses_kaizen_enterprise_with_a_clear_message_and_changes_nothing(world, target):
    lot = grant(world.holdings, 12, product="kaizen_enterprise")
    before = ledger_state()

    with pytest.raises(InvalidInput) as refused:
        credits.allocate(world.actor("holdings_owner"), lot_id=lot.id,
                         to_org_id=world.org(target).id if target else None)

    assert str(refused.value) == ("Kaizen Platform Enterprise credits are always shared with all organizations "
                                  "and cannot be re-allocated.")
    assert ledger_state() == before


@pytest.mark.parametrize(("holder", "target"), [
    ("holdings", "fabrikam"),  # another tree
    ("retail", "logistics"),  # a sibling
    ("retail", "holdings"),  # the parent
])
def test_allocating_to_an_organization_outside_the_holders_subtree_is_refused(world, holder, target):
    lot = grant(world.org(holder), 10)
    before = ledger_state()

    with pytest.raises(InvalidInput, match="only be allocated to its holder or one of the holder's sub-organizations"):
        credits.allocate(OPERATOR, lot_id=lot.id, to_org_id=world.org(target).id)

    assert ledger_state() == before
    with pytest.raises(Conflict):
        consume(world.org(target), 1)


def test_a_grandchild_is_inside_the_holders_subtree_and_may_receive_an_allocation(world):
    stores = make_org("Northwind Retail Stores", parent=world.retail)
    lot = grant(world.holdings, 10)

    credits.allocate(world.actor("holdings_owner"), lot_id=lot.id, to_org_id=stores.id)

    assert drawn(consume(stores, 10)) == [(lot.id, 10)]


def test_each_consume_entry_explains_why_its_lot_was_chosen(world):
    stores = make_org("Northwind Retail Stores", parent=world.retail)
    grandparent = grant(world.holdings, 5, shared=True)
    parent = grant(world.retail, 5, shared=True, expires=day(20))
    own = grant(stores, 5)
    allocated = grant(world.holdings, 5, kind="complimentary")
    credits.allocate(OPERATOR, lot_id=allocated.id, to_org_id=stores.id)

    draws = consume(stores, 20)

    reasons = {d.lot_id: d.reason for d in draws}
    assert reasons[allocated.id].startswith("1st choice: credit allocated to this organization alone")
    assert reasons[own.id].startswith("2nd choice: own credit; no expiry")
    assert reasons[parent.id].startswith("3rd choice: shared by parent Northwind Retail, used after own credit; "
                                         f"expires {formats.day(day(20))}")
    assert reasons[grandparent.id].startswith("4th choice: shared by ancestor (2 levels up) Northwind Holdings")
    # The reason is stored on the consume entry itself, not only returned.
    stored = {lot_id: reason for kind, lot_id, *_rest, reason in entries() if kind == "consume"}
    assert stored == reasons
