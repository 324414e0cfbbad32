"""What the credit list shows of a credit (seed 002): usage period, offers carried, credit holder, allocation."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain.ledger.credit_list import (
    ALL_ORGANIZATIONS,
    credit_holder,
    needs_allocation,
    offers,
    usage_period,
)
from opsportal.domain.ledger.lots import end_of_day
from opsportal.domain.ledger.products import BUILT_IN_PRODUCTS, KAIZEN_PRODUCTS

PRODUCTS = {p.code: p for p in (*BUILT_IN_PRODUCTS, *KAIZEN_PRODUCTS)}
PLATFORM = ("kaizen_enterprise", "kaizen_demo", "kaizen_jumpstart")
GRANTED = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def test_a_credit_shows_its_usage_period_from_its_grant_through_its_last_usable_day():
    period = usage_period(PRODUCTS["network_offer"], GRANTED, end_of_day(date(2027, 3, 31)))
    assert period is not None and period.starts == GRANTED and period.last_day == date(2027, 3, 31)


def test_a_credit_without_expiry_shows_a_usage_period_without_end():
    period = usage_period(PRODUCTS["kaizen_enterprise"], GRANTED, None)
    assert period is not None and period.last_day is None


@pytest.mark.parametrize("expires_at", [None, end_of_day(date(2027, 3, 31))])
def test_kaizen_platform_jumpstart_credits_show_no_usage_period(expires_at):
    assert usage_period(PRODUCTS["kaizen_jumpstart"], GRANTED, expires_at) is None


def test_only_jumpstart_hides_the_usage_period():
    assert [code for code, p in PRODUCTS.items() if not p.shows_usage_period] == ["kaizen_jumpstart"]


@pytest.mark.parametrize("code", ["network_offer_7_tokens", "targeting_offer_7_tokens"])
def test_the_offers_with_7_tokens_carry_seven_tokens_a_credit(code):
    assert offers(PRODUCTS[code], 1) == 7
    assert offers(PRODUCTS[code], 3) == 21


@pytest.mark.parametrize("code", sorted(set(PRODUCTS) - {"network_offer_7_tokens", "targeting_offer_7_tokens"}))
def test_credits_of_other_products_show_no_offer_count(code):
    assert offers(PRODUCTS[code], 5) is None


@given(st.integers(min_value=0, max_value=10_000_000), st.sampled_from(["network_offer_7_tokens",
                                                                       "targeting_offer_7_tokens"]))
def test_the_offers_carried_grow_by_seven_with_each_credit(credits, code):
    assert offers(PRODUCTS[code], credits + 1) - offers(PRODUCTS[code], credits) == 7


@pytest.mark.parametrize("code", PLATFORM)
@pytest.mark.parametrize("holder", ["Northwind Holdings", "Northwind Retail"])
def test_kaizen_platform_credits_name_all_organizations_as_holder_whatever_the_organization(code, holder):
    assert credit_holder(PRODUCTS[code], holder) == ALL_ORGANIZATIONS


@pytest.mark.parametrize("code", ["support_hours", "service_credits", "network_offer", "targeting_offer_7_tokens"])
def test_allocatable_credits_name_their_holding_organization(code):
    assert credit_holder(PRODUCTS[code], "Northwind Retail") == "Northwind Retail"


@pytest.mark.parametrize("code", PLATFORM)
def test_kaizen_platform_credits_need_no_allocation(code):
    assert not needs_allocation(PRODUCTS[code])


def test_offer_credits_may_be_allocated():
    assert all(needs_allocation(PRODUCTS[c]) for c in ("network_offer", "network_offer_7_tokens", "targeting_offer",
                                                        "targeting_offer_7_tokens"))
