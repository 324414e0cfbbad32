"""Allocating a lot to all organizations or to one (seed 002, "Sharing and allocation of credits")."""

from __future__ import annotations

import pytest

from opsportal.domain.ledger.lots import Scope
from opsportal.domain.ledger.order import OWN_TIER, tier_for
from opsportal.domain.ledger.products import BUILT_IN_PRODUCTS, KAIZEN_PRODUCTS, SERVICE_CREDITS
from opsportal.domain.ledger.sharing import allocated_scope, allocation_problem
from tests.unit.ledger.builders import ANCESTORS, CHILD_A, CHILD_B, GRANDCHILD, ROOT, make_lot

ROOT_SUBTREE = {ROOT, CHILD_A, CHILD_B, GRANDCHILD}
CHILD_A_SUBTREE = {CHILD_A, GRANDCHILD}
PLATFORM = {p.code: p for p in KAIZEN_PRODUCTS if not p.allocatable}
OFFERS = [p for p in KAIZEN_PRODUCTS if p.allocatable]


def test_the_kaizen_platform_credits_are_the_ones_that_cannot_be_allocated():
    assert set(PLATFORM) == {"kaizen_enterprise", "kaizen_demo", "kaizen_jumpstart"}
    assert {p.code for p in OFFERS} == {"network_offer", "network_offer_7_tokens", "targeting_offer",
                                         "targeting_offer_7_tokens"}


def test_built_in_products_can_be_allocated():
    assert all(p.allocatable for p in BUILT_IN_PRODUCTS)


@pytest.mark.parametrize("code", sorted(PLATFORM))
@pytest.mark.parametrize("target", [None, ROOT, CHILD_A])
def test_kaizen_platform_credits_are_refused_with_a_message_naming_the_product(code, target):
    product = PLATFORM[code]
    lot = make_lot(1, holder=ROOT, product=code)
    problem = allocation_problem(lot, product, target, ROOT_SUBTREE)
    assert problem is not None and product.name in problem and "always shared" in problem


@pytest.mark.parametrize("product", OFFERS, ids=lambda p: p.code)
def test_kaizen_offer_credits_can_be_allocated_to_one_sub_organization(product):
    assert allocation_problem(make_lot(1, product=product.code), product, CHILD_A, ROOT_SUBTREE) is None


@pytest.mark.parametrize("target", [ROOT, CHILD_B])
def test_a_lot_cannot_be_allocated_outside_its_holders_subtree(target):
    lot = make_lot(1, holder=CHILD_A)
    problem = allocation_problem(lot, SERVICE_CREDITS, target, CHILD_A_SUBTREE)
    assert problem is not None and "sub-organizations" in problem


@pytest.mark.parametrize("target", [CHILD_A, GRANDCHILD])
def test_a_lot_can_be_allocated_to_its_holder_or_a_descendant(target):
    assert allocation_problem(make_lot(1, holder=CHILD_A), SERVICE_CREDITS, target, CHILD_A_SUBTREE) is None


def test_a_lot_can_always_be_shared_with_all_organizations():
    assert allocation_problem(make_lot(1, holder=CHILD_A), SERVICE_CREDITS, None, CHILD_A_SUBTREE) is None


def test_all_organizations_means_shared_scope_without_an_assignee():
    assert allocated_scope(None, ROOT) == (Scope.shared, None)


def test_one_organization_means_org_scope_assigned_to_it():
    assert allocated_scope(GRANDCHILD, ROOT) == (Scope.org, GRANDCHILD)


def test_a_lot_allocated_to_the_grandchild_serves_only_the_grandchild():
    scope, assigned = allocated_scope(GRANDCHILD, ROOT)
    lot = make_lot(1, holder=ROOT, scope=scope, assigned=assigned)
    usable = {org for org in ROOT_SUBTREE if tier_for(lot, org, ANCESTORS[org]) is not None}
    assert usable == {GRANDCHILD} and tier_for(lot, GRANDCHILD, ANCESTORS[GRANDCHILD]) == OWN_TIER


def test_a_lot_shared_again_with_all_organizations_serves_the_holder_and_all_descendants():
    scope, assigned = allocated_scope(None, CHILD_A)
    lot = make_lot(1, holder=CHILD_A, scope=scope, assigned=assigned)
    usable = {org for org in ROOT_SUBTREE if tier_for(lot, org, ANCESTORS[org]) is not None}
    assert usable == CHILD_A_SUBTREE


def test_a_lot_of_another_product_than_the_one_given_is_refused():
    lot = make_lot(1, product="kaizen_enterprise")
    assert allocation_problem(lot, SERVICE_CREDITS, CHILD_A, ROOT_SUBTREE) is not None
