"""What the plans page offers: every card shown as orderable is accepted when ordered; an add-on that outlives Gold
is one order with the Gold renewal (one invoice, both lines); pay-per-incident only with Gold; another
organization's user is refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from opsportal.services import bank_payments, invoice_staff, invoice_terms, plan_catalog, plan_offers, plans
from opsportal.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from opsportal.services.incidents import request_incident
from opsportal.services.operator import OPERATOR
from opsportal.services.plan_offers import Choice
from tests.utils.plans import (
    DESCRIPTION,
    GOLD_START,
    SATURDAY_NOON,
    TERMS,
    WEDNESDAY_10AM,
    entitlements,
    invoice,
    invoice_lines,
    publish_terms,
    set_up_gold,
)

RENEWS_ON = date(2026, 3, 12)  # Holdings' Gold runs 12 Mar 2025 to 11 Mar 2026


@pytest.fixture
def gold(world):
    set_up_gold(world.holdings)
    return world


def cards(world, who="holdings_owner", choices=None, org=None, at=WEDNESDAY_10AM):
    org = org or world.holdings
    return {c.target: c for c in plan_offers.offers(world.actor(who), org.id, choices, at=at).offers}


def test_another_organizations_user_is_refused_the_offers_and_ordering_them(gold):
    outsider = gold.actor("fabrikam_owner")
    with pytest.raises(PermissionDenied):
        plan_offers.offers(outsider, gold.holdings.id, at=WEDNESDAY_10AM)
    with pytest.raises(PermissionDenied):
        plan_offers.incident_options(outsider, gold.holdings.id, at=WEDNESDAY_10AM)
    with pytest.raises(PermissionDenied):
        plan_offers.order_offer(outsider, gold.holdings.id, "gold", Choice(), accepted_terms=TERMS, at=WEDNESDAY_10AM)
    with pytest.raises(PermissionDenied):  # a subsidiary's owner does not buy for its parent either
        plan_offers.offers(gold.actor("retail_owner"), gold.holdings.id, at=WEDNESDAY_10AM)


def test_a_member_sees_the_offers_but_may_not_order_them(gold):
    view = plan_offers.offers(gold.actor("holdings_member"), gold.holdings.id, at=WEDNESDAY_10AM)
    assert not view.may_buy and view.offers
    with pytest.raises(PermissionDenied):
        plan_offers.order_offer(gold.actor("holdings_member"), gold.holdings.id, "gold", Choice(),
                                accepted_terms=TERMS, at=WEDNESDAY_10AM)


def test_held_gold_is_offered_as_a_renewal_from_the_day_it_ends(gold):
    card = cards(gold)["gold"]
    assert (card.state, card.action, card.choice.start, card.held_until) == (
        "buyable", "Renew Gold Support", RENEWS_ON, date(2026, 3, 11))
    assert [(line.name, line.price) for line in card.priced.lines] == [("Gold Support", "USD 4,800.00")]
    assert card.priced.lines[0].term == "12 months, 12 Mar 2026 to 11 Mar 2027"


def test_an_add_on_within_gold_is_offered_alone_at_its_catalog_price(gold):
    card = cards(gold)["everyday_after_hours"]
    assert (card.state, card.action, card.priced.total, card.choice.start) == (
        "buyable", "Buy Everyday After-Hours", "USD 4,200.00", GOLD_START)


def test_a_24_month_add_on_is_offered_with_the_gold_renewal_priced_line_by_line(gold):
    card = cards(gold, choices={"everyday_after_hours": Choice(months=24)})["everyday_after_hours"]
    assert card.state == "with_gold"
    assert card.action == "Renew Gold Support and add Everyday After-Hours"
    assert [(line.name, line.price) for line in card.priced.lines] == [("Gold Support (renewal)", "USD 4,800.00"),
                                                                ("Everyday After-Hours", "USD 8,400.00")]
    assert card.priced.total == "USD 13,200.00"
    assert "ends on 11 Mar 2026" in card.reason


def test_the_gold_renewal_and_the_add_on_are_one_order_one_invoice_and_both_are_granted_when_paid(gold):
    owner = gold.actor("holdings_owner")
    choice = Choice(months=24)
    shown = cards(gold, choices={"everyday_after_hours": choice})["everyday_after_hours"]
    result = plan_offers.order_offer(owner, gold.holdings.id, "everyday_after_hours", choice,
                                     expected_total_minor=shown.total_minor, accepted_terms=TERMS, at=WEDNESDAY_10AM)
    assert invoice(result.invoice_id).total_minor == shown.total_minor == 1_320_000
    assert [line[3] for line in invoice_lines(result.invoice_id)] == [480_000, 840_000]
    bank_payments.record_offline_payment(OPERATOR, result.invoice_id, at=WEDNESDAY_10AM + timedelta(hours=1))
    assert entitlements(gold.holdings.id)[1:] == [("gold", RENEWS_ON, date(2027, 3, 12)),
                                                  ("everyday_after_hours", GOLD_START, date(2027, 3, 12))]


def test_an_order_whose_price_changed_since_it_was_shown_is_refused_and_writes_nothing(gold):
    with pytest.raises(Conflict, match="price of this order changed"):
        plan_offers.order_offer(gold.actor("holdings_owner"), gold.holdings.id, "everyday_after_hours", Choice(),
                                expected_total_minor=1, accepted_terms=TERMS, at=WEDNESDAY_10AM)
    assert cards(gold)["everyday_after_hours"].state == "buyable"  # no pending order was written


@pytest.mark.parametrize("holds", ["gold", "gold and everyday", "nothing"])
def test_whatever_the_customer_holds_every_card_shown_as_orderable_is_accepted_when_ordered(world, holds):
    if holds == "nothing":
        plan_catalog.set_org_regions(OPERATOR, world.holdings.id, "EMEA", ("AMER",), at=WEDNESDAY_10AM)
        publish_terms()
    else:
        set_up_gold(world.holdings, addons=("everyday_after_hours",) if "everyday" in holds else ())
    owner, ordered = world.actor("holdings_owner"), 0
    for months in (12, 24, 36):
        for target, card in cards(world, choices=None).items():
            choice = Choice(months=months, extra_regions=("AMER",) if card.needs_regions else (),
                            versions=("K2 4.6",) if card.needs_versions else ())
            card = cards(world, choices={target: choice})[target]
            if not card.orderable:
                assert card.reason and not card.missing
                continue
            result = plan_offers.order_offer(owner, world.holdings.id, target, choice,
                                             expected_total_minor=card.total_minor, accepted_terms=TERMS,
                                             at=WEDNESDAY_10AM)
            assert invoice(result.invoice_id).total_minor == card.total_minor
            invoice_staff.void_invoice(OPERATOR, result.invoice_id, reason="Test: next card")
            ordered += 1
    assert ordered >= 3 * 5  # most cards are orderable, whatever is held (the check above is not vacuous)


def test_an_add_on_already_ordered_and_waiting_for_payment_is_not_offered_again_with_the_reason(gold):
    owner = gold.actor("holdings_owner")
    plan_offers.order_offer(owner, gold.holdings.id, "everyday_after_hours", Choice(), accepted_terms=TERMS,
                            at=WEDNESDAY_10AM)
    card = cards(gold)["everyday_after_hours"]
    # offered again only after the pending term, which is past Gold: so with the Gold renewal
    assert (card.state, card.choice.start) == ("with_gold", RENEWS_ON)
    assert (card.held_until, card.ordered_until) == (None, date(2026, 3, 11))  # ordered, not held: not paid yet
    with pytest.raises(InvalidInput, match="already held"):
        plan_offers.order_offer(owner, gold.holdings.id, "everyday_after_hours", Choice(start=GOLD_START),
                                accepted_terms=TERMS, at=WEDNESDAY_10AM)
    assert cards(gold, choices={"everyday_after_hours": Choice(start=GOLD_START)})[
        "everyday_after_hours"].state == "blocked"


def test_multi_regional_waits_for_its_regions_and_is_priced_for_them(gold):
    assert cards(gold)["multi_regional"].missing == "Choose at least one additional region."
    with pytest.raises(InvalidInput, match="additional region"):
        plan_offers.order_offer(gold.actor("holdings_owner"), gold.holdings.id, "multi_regional", Choice(),
                                accepted_terms=TERMS, at=WEDNESDAY_10AM)
    card = cards(gold)["multi_regional"]
    assert [line.name for line in card.priced.lines] == ["Multi-Regional"]  # priced for one, no region named yet
    card = cards(gold, choices={"multi_regional": Choice(extra_regions=("AMER", "APAC"))})["multi_regional"]
    assert (card.missing, card.priced.total) == ("", "USD 3,600.00")
    assert [line.name for line in card.priced.lines] == ["Multi-Regional (AMER, APAC)"]


def test_a_bundle_card_shows_its_price_and_the_saving_against_buying_its_add_ons_separately(gold):
    card = cards(gold)["everyday_global"]
    assert (card.list_price, card.separately, card.saving) == (
        "USD 5,400.00 per 12 months (with one additional region)", "USD 6,000.00", "USD 600.00 (10%)")
    plan_catalog.save_bundle(OPERATOR, "everyday_global", name="Everyday Global",
                             addons=["everyday_after_hours", "multi_regional"], discount_bp=2_000)
    assert cards(gold)["everyday_global"].saving == "USD 1,200.00 (20%)"


def test_an_unknown_offer_is_not_found(gold):
    with pytest.raises(NotFound):
        plan_offers.order_offer(gold.actor("holdings_owner"), gold.holdings.id, "platinum", Choice(),
                                accepted_terms=TERMS, at=WEDNESDAY_10AM)


def test_without_gold_pay_per_incident_is_not_offered_and_buying_gold_is(world):
    plan_catalog.set_org_regions(OPERATOR, world.fabrikam.id, "AMER", (), at=WEDNESDAY_10AM)
    owner = world.actor("fabrikam_owner")
    options = plan_offers.incident_options(owner, world.fabrikam.id, at=SATURDAY_NOON)
    assert [(o.kind, o.available, o.remedy) for o in options] == [("scheduled", False, "buy_gold"),
                                                                  ("emergency", False, "buy_gold")]
    assert "no active Gold Support in AMER" in options[0].reason
    with pytest.raises(InvalidInput, match="no active Gold Support in AMER"):  # the request says the same
        request_incident(owner, world.fabrikam.id, "emergency", None, 1, "Shop offline", DESCRIPTION,
                         accepted_terms=TERMS, at=SATURDAY_NOON)
    gold_card = cards(world, who="fabrikam_owner", org=world.fabrikam, at=SATURDAY_NOON)["gold"]
    assert (gold_card.state, gold_card.action) == ("buyable", "Buy Gold Support")
    everyday = cards(world, who="fabrikam_owner", org=world.fabrikam, at=SATURDAY_NOON)["everyday_after_hours"]
    assert (everyday.state, everyday.action) == ("with_gold", "Buy Gold Support and add Everyday After-Hours")


def test_with_gold_at_the_weekend_both_pay_per_incident_options_are_offered(gold):
    options = plan_offers.incident_options(gold.actor("holdings_owner"), gold.holdings.id, at=SATURDAY_NOON)
    assert [(o.kind, o.available, o.until) for o in options] == [("scheduled", True, "11 Mar 2026"),
                                                                 ("emergency", True, "11 Mar 2026")]
    assert options[0].rate == "USD 200.00 per hour (at least 2)"


def test_during_business_hours_emergency_support_is_not_offered_and_a_ticket_is(gold):
    emergency = plan_offers.incident_options(gold.actor("holdings_owner"), gold.holdings.id, at=WEDNESDAY_10AM)[1]
    assert (emergency.available, emergency.remedy) == (False, "open_ticket")


def test_an_organization_without_a_region_gets_no_cards(world):
    view = plan_offers.offers(world.actor("fabrikam_owner"), world.fabrikam.id, at=WEDNESDAY_10AM)
    assert view.offers == [] and view.incidents == []
    assert plans.NO_REGION  # the plans page explains it


def test_a_card_shows_the_organizations_tax_and_charges_exactly_its_total(gold):
    invoice_terms.set_invoice_terms(OPERATOR, gold.holdings.id, tax_rate="8.25", payment_terms_days=30)
    card = cards(gold)["everyday_after_hours"]
    assert (card.priced.subtotal, card.priced.tax, card.priced.tax_label, card.priced.total) == (
        "USD 4,200.00", "USD 346.50", "Tax (8.25%)", "USD 4,546.50")
    result = plan_offers.order_offer(gold.actor("holdings_owner"), gold.holdings.id, "everyday_after_hours",
                                     Choice(), expected_total_minor=card.total_minor, accepted_terms=TERMS,
                                     at=WEDNESDAY_10AM)
    assert invoice(result.invoice_id).total_minor == card.total_minor == 454_650
