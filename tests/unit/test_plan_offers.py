"""What is offered before any form is filled: buyable as asked, with Gold added in the same order, or not at
all with the reason; bundle prices and savings from the catalog; pay-per-incident only with Gold in force."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain.coverage import OrgPlan, coverage_at
from opsportal.domain.plan_catalog import DEFAULT_CATALOG, OfferingCode
from opsportal.domain.plan_offers import (
    OfferState,
    Remedy,
    bundle_lines,
    bundle_saving,
    gold_to_add,
    incident_option,
    offer,
)
from opsportal.domain.plan_purchase import PurchaseLine, purchase_problems, quote
from opsportal.domain.plan_terms import Entitlement, term_end
from opsportal.domain.regions import DEFAULT_REGIONS

GOLD, BDAH, EVERYDAY = OfferingCode.gold, OfferingCode.business_day_after_hours, OfferingCode.everyday_after_hours
MULTI, EXTENDED = OfferingCode.multi_regional, OfferingCode.extended_term
SCHEDULED, EMERGENCY = OfferingCode.scheduled_after_hours, OfferingCode.emergency_after_hours
ADDONS = (BDAH, EVERYDAY, MULTI, EXTENDED)
HOME = "AMER"
REGIONS = set(DEFAULT_REGIONS)
START = date(2025, 3, 1)
GOLD_2025 = Entitlement(GOLD, HOME, START, date(2026, 3, 1))
BUNDLES = {b.code: b for b in DEFAULT_CATALOG.bundles}
SATURDAY_NY_NOON = datetime(2025, 3, 15, 16, 0, tzinfo=UTC)
WEDNESDAY_NY_10AM = datetime(2025, 3, 12, 14, 0, tzinfo=UTC)


def line(code: OfferingCode, start: date = START, months: int = 12) -> PurchaseLine:
    return PurchaseLine(code, start, months, ("EMEA",) if code is MULTI else (), ("4.6",) if code is EXTENDED else ())


def offer_for(*lines: PurchaseLine, existing=(GOLD_2025,), catalog=DEFAULT_CATALOG):
    return offer(lines, home_region=HOME, known_regions=REGIONS, existing=existing, catalog=catalog)


def price(code: OfferingCode) -> int:
    return DEFAULT_CATALOG.offering(code).price_minor


# ------------------------------------------------------------------------------------------ add-ons and Gold


def test_an_add_on_within_gold_is_offered_as_it_is():
    found = offer_for(line(EVERYDAY))
    assert (found.state, found.lines, found.gold) == (OfferState.buyable, (line(EVERYDAY),), None)
    assert found.quote.total_minor == price(EVERYDAY)


def test_an_add_on_that_outlives_gold_is_offered_with_the_gold_renewal_in_one_order_priced_for_both():
    addon = line(BDAH, date(2025, 9, 1))
    found = offer_for(addon)
    assert found.state is OfferState.with_gold
    assert found.gold == PurchaseLine(GOLD, date(2026, 3, 1), 12)  # renewed from the day the current Gold ends
    assert found.lines == (found.gold, addon)
    assert [p for _, p in found.quote.lines] == [price(GOLD), price(BDAH)]
    assert found.quote.total_minor == price(GOLD) + price(BDAH)
    assert "ends on 28 Feb 2026" in found.reason and "renewed for 12 months from 1 Mar 2026" in found.reason


def test_the_gold_added_is_the_shortest_term_that_carries_the_add_on_to_its_last_day():
    found = offer_for(line(EXTENDED, date(2025, 4, 1), months=24))  # runs to 31 Mar 2027
    assert found.gold == PurchaseLine(GOLD, date(2026, 3, 1), 24)


def test_an_add_on_without_any_gold_is_offered_with_gold_from_its_first_day():
    found = offer_for(line(EVERYDAY), existing=())
    assert found.state is OfferState.with_gold
    assert found.gold == PurchaseLine(GOLD, START, 12)
    assert "do not hold in AMER" in found.reason


def test_gold_in_force_through_the_add_ons_term_is_not_added_again():
    assert gold_to_add([line(EVERYDAY)], home_region=HOME, existing=[GOLD_2025]) is None


def test_an_add_on_already_held_is_not_offered_and_the_page_gets_the_renewal_hint():
    held = Entitlement(EVERYDAY, HOME, START, date(2026, 3, 1))
    found = offer_for(line(EVERYDAY), existing=(GOLD_2025, held))
    assert (found.state, found.lines, found.quote) == (OfferState.blocked, (), None)
    assert "renew it from 1 Mar 2026" in found.reason


def test_gold_already_bought_ahead_is_not_bought_a_second_time_for_an_add_on():
    ahead = Entitlement(GOLD, HOME, date(2025, 6, 1), date(2026, 6, 1))  # starts after the add-on would
    found = offer_for(line(EVERYDAY), existing=(ahead,))
    assert found.state is OfferState.blocked
    assert "from its first day, 1 Mar 2025" in found.reason


def test_a_bundle_that_outlives_gold_is_offered_with_gold_and_keeps_its_discount():
    bundle = BUNDLES["everyday_global"]
    found = offer_for(*bundle_lines(bundle, date(2025, 9, 1), 12, extra_regions=("EMEA",)))
    assert found.state is OfferState.with_gold
    assert found.quote.bundle == bundle
    assert found.quote.total_minor == price(GOLD) + (price(EVERYDAY) + price(MULTI)) * 9 // 10


# ------------------------------------------------------------------------------------------ properties

entitlements = st.lists(st.builds(
    lambda code, region, offset, years: Entitlement(code, region, START + timedelta(days=offset),
                                                    term_end(START + timedelta(days=offset), 12 * years),
                                                    ("EMEA",) if code is MULTI else (),
                                                    ("4.6",) if code is EXTENDED else ()),
    st.sampled_from([GOLD, GOLD, *ADDONS]), st.sampled_from([HOME, HOME, "EMEA"]),
    st.integers(-400, 400), st.integers(1, 2)), max_size=5)
requests = st.one_of(
    st.builds(lambda code, offset, months: [line(code, START + timedelta(days=offset), months)],
              st.sampled_from([GOLD, *ADDONS]), st.integers(0, 366), st.sampled_from([12, 24, 36])),
    st.builds(lambda bundle, offset, months: bundle_lines(bundle, START + timedelta(days=offset), months,
                                                          extra_regions=("EMEA",), versions=("4.6",)),
              st.sampled_from(DEFAULT_CATALOG.bundles), st.integers(0, 366), st.sampled_from([12, 24, 36])),
)


@given(entitlements, requests)
def test_whatever_the_customer_holds_every_offer_shown_as_buyable_is_accepted_by_the_purchase_rules(held, lines):
    found = offer_for(*lines, existing=held)
    if found.buyable:
        assert purchase_problems(found.lines, home_region=HOME, known_regions=REGIONS, existing=held,
                                 catalog=DEFAULT_CATALOG) == []
        assert list(found.lines[1:] if found.gold else found.lines) == list(lines)  # what was asked, all of it
        assert found.quote == quote(found.lines, DEFAULT_CATALOG)
    else:
        assert found.lines == () and found.reason


@given(st.integers(0, 364), st.sampled_from(ADDONS), st.sampled_from([12, 24, 36]), st.integers(1, 3))
def test_an_add_on_starting_while_gold_is_in_force_is_never_refused_for_want_of_gold(offset, code, months, years):
    gold = Entitlement(GOLD, HOME, START, term_end(START, 12 * years))
    start = START + timedelta(days=offset)
    found = offer_for(line(code, start, months), existing=(gold,))
    assert found.buyable
    if found.gold is not None:
        assert found.gold.start == gold.end and found.gold.end >= term_end(start, months)
        shorter = found.gold.months - 12
        assert shorter == 0 or term_end(gold.end, shorter) < term_end(start, months)  # the shortest that reaches


# ------------------------------------------------------------------------------------------ bundles


def test_a_bundle_card_price_and_saving_come_from_the_catalog():
    bundle = BUNDLES["everyday_global"]
    assert bundle_saving(bundle, START, 12, DEFAULT_CATALOG) == (540_000, 60_000)  # 4,200 + 1,800 less 10 %
    assert bundle_saving(bundle, START, 24, DEFAULT_CATALOG) == (1_080_000, 120_000)
    richer = replace(DEFAULT_CATALOG, bundles=(replace(bundle, discount_bp=2_000),))
    assert bundle_saving(richer.bundles[0], START, 12, richer) == (480_000, 120_000)


def test_a_bundle_with_multi_regional_is_priced_per_additional_region():
    bundle = BUNDLES["everyday_global"]
    one = bundle_saving(bundle, START, 12, DEFAULT_CATALOG, extra_regions=("EMEA",))
    two = bundle_saving(bundle, START, 12, DEFAULT_CATALOG, extra_regions=("EMEA", "APAC"))
    assert two[0] - one[0] == price(MULTI) * 9 // 10


# ------------------------------------------------------------------------------------------ pay-per-incident


def option(code: OfferingCode, *held: Entitlement, at: datetime = SATURDAY_NY_NOON, catalog=DEFAULT_CATALOG):
    coverage = coverage_at(OrgPlan(HOME, (), held), DEFAULT_REGIONS, at, catalog)
    return incident_option(code, coverage=coverage, home_region=HOME, today=at.date(), entitlements=held,
                           catalog=catalog)


def test_without_gold_neither_pay_per_incident_option_is_offered_and_buying_gold_is():
    for code in (SCHEDULED, EMERGENCY):
        found = option(code)
        assert (found.available, found.remedy) == (False, Remedy.buy_gold)
        assert "no active Gold Support in AMER" in found.reason


def test_gold_that_has_ended_does_not_carry_pay_per_incident_support():
    ended = Entitlement(GOLD, HOME, date(2024, 1, 1), date(2025, 1, 1))
    assert option(SCHEDULED, ended).remedy is Remedy.buy_gold


def test_with_gold_a_scheduled_window_is_offered_up_to_the_last_day_of_gold():
    found = option(SCHEDULED, GOLD_2025)
    assert (found.available, found.reason, found.until) == (True, "", date(2026, 2, 28))


def test_emergency_support_is_offered_with_gold_while_nothing_covers():
    assert option(EMERGENCY, GOLD_2025).available


def test_emergency_support_is_not_offered_while_support_is_available_and_a_ticket_is_suggested():
    found = option(EMERGENCY, GOLD_2025, at=WEDNESDAY_NY_10AM)
    assert (found.available, found.remedy) == (False, Remedy.open_ticket)
    assert "open a regular ticket" in found.reason


def test_an_option_withdrawn_from_the_catalog_is_not_offered():
    catalog = replace(DEFAULT_CATALOG, offerings=tuple(o for o in DEFAULT_CATALOG.offerings if o.code is not SCHEDULED))
    found = option(SCHEDULED, GOLD_2025, catalog=catalog)
    assert (found.available, found.remedy) == (False, Remedy.none)


@given(entitlements, st.integers(0, 800), st.integers(0, 23), st.sampled_from([SCHEDULED, EMERGENCY]))
def test_pay_per_incident_is_offered_only_with_gold_in_force_in_the_home_region(held, days, hour, code):
    at = datetime.combine(START + timedelta(days=days), datetime.min.time(), UTC) + timedelta(hours=hour)
    found = option(code, *held, at=at)
    coverage = coverage_at(OrgPlan(HOME, (), tuple(held)), DEFAULT_REGIONS, at, DEFAULT_CATALOG)
    if code is EMERGENCY:  # the page's option and the coverage card's emergency offer never disagree
        assert found.available == (coverage.emergency is not None)
    if found.available:
        assert coverage.gold_active
        assert code is SCHEDULED or not coverage.covered
    else:
        assert found.reason
        assert (found.remedy is Remedy.buy_gold) == (not coverage.gold_active)
