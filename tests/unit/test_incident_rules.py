"""Pay-per-incident rules written once: who may ask for emergency support, the kinds and statuses of a request,
and the day plan terms are counted in (``domain.incidents``, ``domain.plan_terms``, ``domain.plan_purchase``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain.coverage import OrgPlan, coverage_at, emergency_offer
from opsportal.domain.incidents import IncidentKind, IncidentStatus, ScheduledWindow, shown_status
from opsportal.domain.plan_catalog import DEFAULT_CATALOG, OfferingCode
from opsportal.domain.plan_offers import Remedy, incident_option
from opsportal.domain.plan_purchase import OrderStatus, shown_order_status
from opsportal.domain.plan_terms import Entitlement, EntitlementStatus, entitlement_day, entitlement_status
from opsportal.domain.regions import DEFAULT_REGIONS

GOLD, EVERYDAY, BDAH = OfferingCode.gold, OfferingCode.everyday_after_hours, OfferingCode.business_day_after_hours
TERM = (date(2025, 1, 1), date(2026, 1, 1))
instants = st.datetimes(min_value=datetime(2024, 6, 1), max_value=datetime(2026, 6, 1), timezones=st.just(UTC))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@st.composite
def org_plans(draw) -> OrgPlan:
    codes = draw(st.lists(st.sampled_from([GOLD, EVERYDAY, BDAH]), unique=True))
    windows = ()
    if draw(st.booleans()):
        start = draw(instants)
        windows = (ScheduledWindow(start, start + timedelta(minutes=draw(st.integers(60, 600))),
                                   emergency=draw(st.booleans())),)
    return OrgPlan("AMER", (), tuple(Entitlement(c, "AMER", *TERM) for c in codes), windows)


# ------------------------------------------------------------------------------------------ emergency support


@given(org_plans(), instants)
def test_the_headline_the_plans_page_and_the_request_form_follow_one_emergency_rule(org, at):
    coverage = coverage_at(org, DEFAULT_REGIONS, at, DEFAULT_CATALOG)
    eligible = coverage.emergency_eligible
    option = incident_option(OfferingCode.emergency_after_hours, coverage=coverage, home_region="AMER",
                             today=entitlement_day(DEFAULT_REGIONS["AMER"], at), entitlements=org.entitlements,
                             catalog=DEFAULT_CATALOG)
    assert eligible == (coverage.gold_active and not coverage.covered)
    assert (emergency_offer(coverage, DEFAULT_CATALOG) is not None) == eligible == (coverage.emergency is not None)
    assert option.available == eligible


def test_emergency_support_needs_gold_and_is_refused_while_support_covers_the_moment():
    wednesday_3am_ny, wednesday_10am_ny = utc(2025, 3, 12, 7), utc(2025, 3, 12, 14)
    gold = OrgPlan("AMER", (), (Entitlement(GOLD, "AMER", *TERM),))
    assert coverage_at(gold, DEFAULT_REGIONS, wednesday_3am_ny).emergency_eligible
    assert not coverage_at(gold, DEFAULT_REGIONS, wednesday_10am_ny).emergency_eligible
    assert not coverage_at(OrgPlan("AMER", (), ()), DEFAULT_REGIONS, wednesday_3am_ny).emergency_eligible
    covered = coverage_at(gold, DEFAULT_REGIONS, wednesday_10am_ny)
    option = incident_option(OfferingCode.emergency_after_hours, coverage=covered, home_region="AMER",
                             today=date(2025, 3, 12), entitlements=gold.entitlements, catalog=DEFAULT_CATALOG)
    assert option.remedy is Remedy.open_ticket


# ------------------------------------------------------------------------------------------ kinds and statuses


def test_each_kind_of_request_is_priced_by_its_own_pay_per_incident_offering():
    assert IncidentKind.emergency.code is OfferingCode.emergency_after_hours
    assert IncidentKind.scheduled.code is OfferingCode.scheduled_after_hours
    assert [IncidentKind.of(k.code) for k in IncidentKind] == list(IncidentKind)
    with pytest.raises(ValueError, match="not a pay-per-incident option"):
        IncidentKind.of(GOLD)


def test_statuses_are_stored_as_the_same_words_as_before():
    assert [s.value for s in IncidentStatus] == ["awaiting_payment", "scheduled", "cancelled"]
    assert [s.value for s in OrderStatus] == ["pending", "active", "cancelled"]
    assert [k.value for k in IncidentKind] == ["scheduled", "emergency"]


def test_a_request_or_order_still_unpaid_whose_invoice_was_voided_reads_cancelled():
    assert shown_status("awaiting_payment", invoice_void=True) is IncidentStatus.cancelled
    assert shown_status("awaiting_payment", invoice_void=False) is IncidentStatus.awaiting_payment
    assert shown_status("scheduled", invoice_void=True) is IncidentStatus.scheduled
    assert shown_order_status("pending", invoice_void=True) is OrderStatus.cancelled
    assert shown_order_status("pending", invoice_void=False) is OrderStatus.pending
    assert shown_order_status("active", invoice_void=True) is OrderStatus.active


# ------------------------------------------------------------------------------------------ the day terms count in


def test_terms_are_counted_on_the_home_regions_day_not_utcs():
    # 1 January 2026, 03:00 UTC is still 31 December 2025 in New York, already 1 January in London.
    at = utc(2026, 1, 1, 3)
    assert entitlement_day(DEFAULT_REGIONS["AMER"], at) == date(2025, 12, 31)
    assert entitlement_day(DEFAULT_REGIONS["EMEA"], at) == date(2026, 1, 1)
    assert entitlement_day(None, at) == date(2026, 1, 1)  # no home region yet: UTC's day


@pytest.mark.parametrize(("today", "revoked", "status"), [
    (date(2024, 12, 31), False, EntitlementStatus.upcoming),
    (date(2025, 1, 1), False, EntitlementStatus.active),
    (date(2025, 12, 31), False, EntitlementStatus.active),
    (date(2026, 1, 1), False, EntitlementStatus.ended),
    (date(2025, 6, 1), True, EntitlementStatus.revoked),
])
def test_a_term_is_upcoming_before_its_start_active_through_its_last_day_then_ended(today, revoked, status):
    assert entitlement_status(*TERM, today, revoked=revoked) is status
    if not revoked:
        assert Entitlement(GOLD, "AMER", *TERM).is_active_on(today) == (status is EntitlementStatus.active)
