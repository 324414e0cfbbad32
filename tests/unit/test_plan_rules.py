"""Plan rules: Gold is the base, add-ons come in 12-month increments on top of it, bundles, prices, incidents."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain.incidents import ScheduledWindow, scheduled_window_problem
from opsportal.domain.plan_catalog import (
    DEFAULT_CATALOG,
    Bundle,
    Catalog,
    Offering,
    OfferingCode,
    bundle_definition_problem,
    catalog_problems,
    offering_problem,
    rate_text,
    unit_text,
)
from opsportal.domain.plan_purchase import PurchaseLine, bundle_problem, discount_of, purchase_problems, quote
from opsportal.domain.plan_terms import (
    Entitlement,
    extended_term_problem,
    gold_cover_problem,
    multi_regional_problem,
    term_end,
    term_problem,
)
from opsportal.domain.regions import DEFAULT_REGIONS

GOLD, BDAH, EVERYDAY = OfferingCode.gold, OfferingCode.business_day_after_hours, OfferingCode.everyday_after_hours
MULTI, EXTENDED = OfferingCode.multi_regional, OfferingCode.extended_term
SCHEDULED, EMERGENCY = OfferingCode.scheduled_after_hours, OfferingCode.emergency_after_hours
HOME = "AMER"
REGIONS = set(DEFAULT_REGIONS)
START = date(2025, 3, 1)
GOLD_2025 = Entitlement(GOLD, HOME, START, date(2026, 3, 1))
GOLD_2026 = Entitlement(GOLD, HOME, date(2026, 3, 1), date(2027, 3, 1))  # its renewal


def problems(*lines: PurchaseLine, existing=(GOLD_2025,), catalog=DEFAULT_CATALOG) -> list[str]:
    return purchase_problems(lines, home_region=HOME, known_regions=REGIONS, existing=existing, catalog=catalog)


def offering(code: OfferingCode) -> Offering:
    return DEFAULT_CATALOG.offering(code)


# ------------------------------------------------------------------------------------------ terms


@pytest.mark.parametrize("months", [12, 24, 36])
def test_a_term_of_whole_12_month_increments_is_accepted(months):
    assert term_problem(months) is None


@pytest.mark.parametrize("months", [18, 6, 13, 0, -12])
def test_a_term_that_is_not_a_whole_12_month_increment_is_refused(months):
    assert "12-month increments" in term_problem(months)


def test_an_18_month_add_on_is_refused_with_the_reason():
    assert problems(PurchaseLine(EVERYDAY, START, 18)) == [
        "Everyday After-Hours: a term is a whole number of 12-month increments (12, 24, 36…), not 18 months"]


def test_a_term_ends_on_the_same_day_of_the_month_years_later_exclusive():
    assert term_end(date(2025, 3, 1), 12) == date(2026, 3, 1)
    assert term_end(date(2025, 3, 15), 36) == date(2028, 3, 15)


def test_a_term_starting_on_29_february_ends_on_1_march():
    assert term_end(date(2024, 2, 29), 12) == date(2025, 3, 1)


def test_an_entitlement_is_active_from_its_start_day_up_to_but_not_on_its_end_day():
    assert GOLD_2025.is_active_on(date(2025, 3, 1))
    assert GOLD_2025.is_active_on(date(2026, 2, 28))
    assert not GOLD_2025.is_active_on(date(2026, 3, 1))
    assert not GOLD_2025.is_active_on(date(2025, 2, 28))


# ------------------------------------------------------------------------------------------ Gold is the base


def test_an_add_on_within_gold_is_accepted():
    assert problems(PurchaseLine(EVERYDAY, START)) == []


def test_an_add_on_without_gold_is_refused():
    assert problems(PurchaseLine(EVERYDAY, START), existing=()) == [
        "Everyday After-Hours: an add-on needs active Gold Support in AMER from its first day, 1 Mar 2025"]


def test_an_add_on_that_outlives_gold_is_refused():
    assert problems(PurchaseLine(BDAH, date(2025, 9, 1))) == [
        "Business-Day After-Hours: Gold Support in AMER runs only through 28 Feb 2026, "
        "but the add-on runs through 31 Aug 2026: renew Gold Support first"]


def test_an_add_on_starting_before_gold_is_refused():
    assert "from its first day" in problems(PurchaseLine(EVERYDAY, date(2025, 2, 1)))[0]


def test_gold_in_another_region_does_not_carry_an_add_on():
    emea_gold = replace(GOLD_2025, region="EMEA")
    assert gold_cover_problem(START, date(2026, 3, 1), HOME, [emea_gold]) is not None


def test_gold_renewed_without_a_gap_carries_a_24_month_add_on():
    assert problems(PurchaseLine(EVERYDAY, START, 24), existing=(GOLD_2025, GOLD_2026)) == []


def test_gold_bought_in_the_same_purchase_carries_the_add_ons():
    assert problems(PurchaseLine(GOLD, START, 24), PurchaseLine(EVERYDAY, START, 24), existing=()) == []


def test_a_purchase_of_add_ons_alone_cannot_stand_in_for_gold():
    found = problems(PurchaseLine(EVERYDAY, START), PurchaseLine(MULTI, START, extra_regions=("EMEA",)), existing=())
    assert len(found) == 2 and all("needs active Gold Support" in p for p in found)


def test_gold_alone_needs_no_other_gold():
    assert problems(PurchaseLine(GOLD, START), existing=()) == []


def test_the_same_add_on_twice_over_the_same_days_is_refused_with_a_renewal_hint():
    held = Entitlement(EVERYDAY, HOME, START, date(2026, 3, 1))
    assert problems(PurchaseLine(EVERYDAY, date(2025, 6, 1)), existing=(GOLD_2025, GOLD_2026, held)) == [
        "Everyday After-Hours for AMER is already held from 1 Mar 2025 through 28 Feb 2026; renew it from 1 Mar 2026"]


def test_buying_the_renewal_of_an_add_on_from_its_end_day_is_accepted():
    held = Entitlement(EVERYDAY, HOME, START, date(2026, 3, 1))
    assert problems(PurchaseLine(EVERYDAY, date(2026, 3, 1)), existing=(GOLD_2025, GOLD_2026, held)) == []


def test_pay_per_incident_is_not_bought_for_a_term():
    assert problems(PurchaseLine(EMERGENCY, START)) == [
        "Pay-Per-Incident Emergency After-Hours is paid per incident before the service, not bought for a term"]


def test_an_offering_missing_from_the_catalog_cannot_be_bought():
    catalog = Catalog(tuple(o for o in DEFAULT_CATALOG.offerings if o.code is not EXTENDED))
    assert problems(PurchaseLine(EXTENDED, START, versions=("4.6",)), catalog=catalog) == [
        "Extended-Term is not in the catalog"]


# ------------------------------------------------------------------------------ Multi-Regional, Extended-Term


def test_multi_regional_names_additional_regions():
    assert multi_regional_problem(("EMEA", "APAC"), HOME, REGIONS) is None


def test_multi_regional_without_regions_is_refused():
    assert multi_regional_problem((), HOME, REGIONS) == "Multi-Regional needs at least one additional region"


def test_multi_regional_for_the_home_region_is_refused():
    assert "is the home region" in multi_regional_problem(("AMER",), HOME, REGIONS)


def test_multi_regional_for_an_unknown_region_is_refused():
    assert multi_regional_problem(("LATAM",), HOME, REGIONS) == "unknown region LATAM"


def test_multi_regional_naming_a_region_twice_is_refused():
    assert multi_regional_problem(("EMEA", "EMEA"), HOME, REGIONS) == "each additional region is named once"


def test_multi_regional_for_another_region_may_overlap_an_existing_one():
    held = Entitlement(MULTI, HOME, START, date(2026, 3, 1), extra_regions=("EMEA",))
    assert problems(PurchaseLine(MULTI, START, extra_regions=("APAC",)), existing=(GOLD_2025, held)) == []


def test_extended_term_without_versions_is_refused():
    assert extended_term_problem(()) == "Extended-Term needs the product versions it covers (at least one)"
    assert problems(PurchaseLine(EXTENDED, START)) == [
        "Extended-Term needs the product versions it covers (at least one)"]


def test_extended_term_with_a_blank_version_is_refused():
    assert extended_term_problem(("4.6", "  ")) is not None


def test_extended_term_names_the_versions_it_covers():
    assert extended_term_problem(("4.6", "4.7")) is None


# ------------------------------------------------------------------------------------------ prices and bundles


def test_a_lines_price_is_the_yearly_price_times_the_number_of_years():
    assert quote([PurchaseLine(GOLD, START, 36)], DEFAULT_CATALOG).total_minor == 3 * 480_000


def test_multi_regional_is_priced_per_additional_region():
    line = PurchaseLine(MULTI, START, 24, extra_regions=("EMEA", "APAC"))
    assert quote([line], DEFAULT_CATALOG).total_minor == 2 * 2 * 180_000


def test_a_bundle_takes_its_discount_off_the_bundled_add_ons_only():
    lines = [PurchaseLine(GOLD, START), PurchaseLine(EVERYDAY, START),
             PurchaseLine(MULTI, START, extra_regions=("EMEA",))]
    result = quote(lines, DEFAULT_CATALOG)
    assert result.bundle.code == "everyday_global"
    assert result.subtotal_minor == 480_000 + 420_000 + 180_000
    assert result.discount_minor == 60_000  # 10 % of 600,000, Gold at full price
    assert result.total_minor == 1_020_000


def test_bundles_do_not_stack_the_one_worth_most_applies():
    lines = [PurchaseLine(EVERYDAY, START), PurchaseLine(MULTI, START, extra_regions=("EMEA",)),
             PurchaseLine(EXTENDED, START, versions=("4.6",))]
    result = quote(lines, DEFAULT_CATALOG)
    assert result.bundle.code == "premier_complete"
    assert result.discount_minor == 144_000  # 15 % of 960,000


def test_a_bundle_missing_one_of_its_add_ons_gives_no_discount():
    result = quote([PurchaseLine(EVERYDAY, START)], DEFAULT_CATALOG)
    assert result.bundle is None and result.discount_minor == 0
    everyday_global = DEFAULT_CATALOG.bundles[0]
    assert bundle_problem(everyday_global, [PurchaseLine(EVERYDAY, START)]) == (
        "Everyday After-Hours + Multi-Regional also needs Multi-Regional in the same purchase")


def test_bundled_add_ons_with_different_terms_give_no_discount():
    lines = [PurchaseLine(EVERYDAY, START, 24), PurchaseLine(MULTI, START, 12, extra_regions=("EMEA",))]
    assert quote(lines, DEFAULT_CATALOG).discount_minor == 0
    assert "same term" in bundle_problem(DEFAULT_CATALOG.bundles[0], lines)


def test_bundled_add_ons_starting_on_different_days_give_no_discount():
    lines = [PurchaseLine(EVERYDAY, START), PurchaseLine(MULTI, date(2025, 4, 1), extra_regions=("EMEA",))]
    assert quote(lines, DEFAULT_CATALOG).discount_minor == 0


def test_a_discount_is_rounded_half_up_to_the_minor_unit():
    assert discount_of(1_005, 1_000) == 101  # 100.5 -> 101
    assert discount_of(1_004, 1_000) == 100  # 100.4 -> 100
    assert discount_of(333, 1_500) == 50  # 49.95 -> 50


@given(st.integers(0, 10**9), st.integers(0, 10_000))
def test_a_discount_is_the_exact_share_rounded_half_up_and_never_more_than_the_amount(amount, bp):
    discount = discount_of(amount, bp)
    assert 0 <= discount <= amount
    assert abs(discount * 10_000 - amount * bp) <= 5_000  # within half a minor unit of the exact share


@given(st.lists(st.sampled_from([BDAH, EVERYDAY, MULTI, EXTENDED]), min_size=1, max_size=4, unique=True),
       st.sampled_from([12, 24, 36]))
def test_a_quotes_total_is_its_subtotal_less_its_discount_and_never_below_the_undiscounted_gold(codes, months):
    lines = [PurchaseLine(GOLD, START, months)] + [
        PurchaseLine(c, START, months, extra_regions=("EMEA",) if c is MULTI else (),
                     versions=("4.6",) if c is EXTENDED else ()) for c in codes]
    result = quote(lines, DEFAULT_CATALOG)
    assert result.total_minor == result.subtotal_minor - result.discount_minor
    assert result.subtotal_minor == sum(price for _, price in result.lines)
    assert result.total_minor >= 480_000 * months // 12
    assert (result.bundle is None) == (result.discount_minor == 0)


# ------------------------------------------------------------------------------------------ catalog


def test_the_default_catalog_has_no_problems():
    assert catalog_problems(DEFAULT_CATALOG) == []


def test_a_catalog_without_gold_is_refused():
    catalog = Catalog(tuple(o for o in DEFAULT_CATALOG.offerings if o.code is not GOLD))
    assert "the catalog needs Gold Support: every add-on is bought on top of it" in catalog_problems(catalog)


def test_a_catalog_in_two_currencies_is_refused():
    catalog = Catalog((*DEFAULT_CATALOG.offerings[:-1], replace(DEFAULT_CATALOG.offerings[-1], currency="EUR")))
    assert "all offerings are priced in one currency" in catalog_problems(catalog)


def test_a_subscription_without_a_price_is_refused():
    assert "must be more than zero" in offering_problem(replace(offering(GOLD), price_minor=0))


def test_an_incident_option_without_a_price_per_time_unit_is_refused():
    assert "price per time unit" in offering_problem(replace(offering(EMERGENCY), unit_price_minor=0))


def test_a_bundle_of_one_add_on_is_refused():
    assert "at least two add-ons" in bundle_definition_problem(Bundle("b", "Solo", frozenset({EVERYDAY}), 500))


def test_a_bundle_including_gold_is_refused():
    assert "only Premier add-ons" in bundle_definition_problem(Bundle("b", "B", frozenset({GOLD, EVERYDAY}), 500))


def test_a_bundle_discount_over_half_is_refused():
    assert "discount" in bundle_definition_problem(Bundle("b", "B", frozenset({BDAH, MULTI}), 5_001))


# ------------------------------------------------------------------------------------------ incidents


def test_the_rate_reads_currency_amount_per_time_unit():
    assert rate_text(offering(EMERGENCY)) == "USD 250.00 per hour"
    assert rate_text(replace(offering(EMERGENCY), unit_minutes=30)) == "USD 250.00 per 30 minutes"


def test_a_scheduled_window_is_booked_before_it_starts_with_gold_active():
    window = ScheduledWindow(datetime(2025, 6, 14, 2, 0, tzinfo=UTC), datetime(2025, 6, 14, 6, 0, tzinfo=UTC))
    now = datetime(2025, 6, 10, tzinfo=UTC)
    assert scheduled_window_problem(window, now=now, home=DEFAULT_REGIONS[HOME], entitlements=[GOLD_2025]) is None


def test_a_scheduled_window_in_the_past_is_refused():
    window = ScheduledWindow(datetime(2025, 6, 14, 2, 0, tzinfo=UTC), datetime(2025, 6, 14, 6, 0, tzinfo=UTC))
    found = scheduled_window_problem(window, now=datetime(2025, 6, 15, tzinfo=UTC), home=DEFAULT_REGIONS[HOME],
                                     entitlements=[GOLD_2025])
    assert found == "a scheduled window is booked and paid before it starts"


def test_a_scheduled_window_past_the_end_of_gold_is_refused():
    # Gold's last day is 28 February 2026 in New York; the window runs into 1 March there.
    window = ScheduledWindow(datetime(2026, 3, 1, 3, 0, tzinfo=UTC), datetime(2026, 3, 1, 6, 0, tzinfo=UTC))
    found = scheduled_window_problem(window, now=datetime(2026, 2, 1, tzinfo=UTC), home=DEFAULT_REGIONS[HOME],
                                     entitlements=[GOLD_2025])
    assert found == "pay-per-incident support needs active Gold Support; there is none in AMER on 1 Mar 2026"


def test_a_scheduled_window_with_naive_times_is_refused():
    window = ScheduledWindow(datetime(2025, 6, 14, 2, 0), datetime(2025, 6, 14, 6, 0))
    found = scheduled_window_problem(window, now=datetime(2025, 6, 1, tzinfo=UTC), home=DEFAULT_REGIONS[HOME],
                                     entitlements=[GOLD_2025])
    assert "aware" in found


@pytest.mark.parametrize(("minutes", "text"), [(60, "hour"), (120, "2 hours"), (30, "30 minutes"), (1, "minute"),
                                               (90, "90 minutes")])
def test_an_incident_time_unit_is_named_in_words(minutes, text):
    assert unit_text(minutes) == text
