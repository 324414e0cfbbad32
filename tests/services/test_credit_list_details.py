"""The credit list's details of Kaizen Platform credits (seed 002): usage period, offers, credit holder and
allocation, as the service reads them (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.domain.ledger.credit_list import ALL_ORGANIZATIONS
from opsportal.domain.ledger.products import BUILT_IN_PRODUCTS, KAIZEN_PRODUCTS
from opsportal.models import ProductRow
from opsportal.services import credit_views, credits
from opsportal.services.errors import InvalidInput, NotFound, PermissionDenied
from tests.utils.ledger import NOW, consume, day, grant


def _listed(world, actor: str, org, lot_id: int) -> credits.LotPublic:
    listing = credit_views.credit_list(world.actor(actor), org.id, page_size=100, at=NOW)
    return next(lot for lot in listing.items if lot.id == lot_id)


def test_the_product_rows_carry_the_same_offers_and_usage_period_rules_as_the_domain(world):
    with unit_of_work(write=False) as session:
        rows = {r.code: (r.tokens_per_credit, r.shows_usage_period) for r in session.exec(select(ProductRow))}
    assert rows == {p.code: (p.tokens_per_credit, p.shows_usage_period) for p in (*BUILT_IN_PRODUCTS,
                                                                                   *KAIZEN_PRODUCTS)}


@pytest.mark.parametrize("product", ["network_offer_7_tokens", "targeting_offer_7_tokens"])
def test_a_seven_token_offer_credit_lists_seven_tokens_for_each_credit_granted_and_free(world, product):
    lot = grant(world.holdings, 3, product=product, expires=day(90))
    consume(world.holdings, 1, product=product)
    listed = _listed(world, "holdings_owner", world.holdings, lot.id)
    assert (listed.tokens_per_credit, listed.offers, listed.offers_free) == (7, 21, 14)


def test_a_plain_offer_credit_lists_no_offer_count(world):
    lot = grant(world.holdings, 3, product="network_offer", expires=day(90))
    listed = _listed(world, "holdings_owner", world.holdings, lot.id)
    assert (listed.offers, listed.offers_free) == (None, None)


def test_a_credit_lists_its_usage_period_from_its_grant_to_its_last_usable_day(world):
    lot = grant(world.holdings, 3, product="network_offer", expires=day(90))
    period = _listed(world, "holdings_owner", world.holdings, lot.id).usage_period
    assert period is not None and (period.starts, period.last_day) == (NOW, day(90))


def test_a_jumpstart_credit_lists_no_usage_period(world):
    lot = grant(world.holdings, 3, product="kaizen_jumpstart", expires=day(90))
    assert _listed(world, "holdings_owner", world.holdings, lot.id).usage_period is None


@pytest.mark.parametrize("product", ["kaizen_enterprise", "kaizen_demo", "kaizen_jumpstart"])
@pytest.mark.parametrize("holder, reader, org", [("holdings", "holdings_owner", "holdings"),
                                                 ("retail", "retail_owner", "retail"),
                                                 ("holdings", "retail_member", "retail"),
                                                 ("retail", "staff_admin", "retail")])
def test_platform_credits_name_all_organizations_as_holder_and_offer_no_allocation(world, product, holder, reader,
                                                                                  org):
    lot = grant(world.org(holder), 4, product=product, expires=day(60))
    listed = _listed(world, reader, world.org(org), lot.id)
    assert (listed.credit_holder, listed.allocated_to, listed.allocatable) == (ALL_ORGANIZATIONS,
                                                                                ALL_ORGANIZATIONS, False)
    with pytest.raises(InvalidInput, match="always shared"):
        credits.allocate(world.actor(f"{holder}_owner"), lot_id=lot.id, to_org_id=world.retail.id)


def test_an_offer_credit_names_its_holding_organization_and_may_be_allocated(world):
    lot = grant(world.holdings, 4, product="targeting_offer_7_tokens", expires=day(60))
    listed = _listed(world, "holdings_owner", world.holdings, lot.id)
    assert (listed.credit_holder, listed.allocatable) == ("Northwind Holdings", True)
    moved = credits.allocate(world.actor("holdings_owner"), lot_id=lot.id, to_org_id=world.retail.id)
    assert moved.allocated_to == "Northwind Retail" and moved.credit_holder == "Northwind Holdings"


def test_another_organizations_user_cannot_read_the_credit_list(world):
    grant(world.holdings, 4, product="kaizen_jumpstart", expires=day(60))
    with pytest.raises((PermissionDenied, NotFound)):
        credit_views.credit_list(world.actor("fabrikam_owner"), world.holdings.id, at=NOW)
