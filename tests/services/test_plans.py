"""Support plans for customers: coverage right now, the plan overview, and plan orders that are activated only
once their pre-service invoice is paid (bank transfer or a confirmed Stripe payment), exactly once."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from opsportal.db import unit_of_work
from opsportal.domain.invoices import InvoiceKind, InvoicePaid, PaidThrough
from opsportal.models import PlanOrder
from opsportal.services import (
    bank_payments,
    checkout_sessions,
    invoice_events,
    invoice_staff,
    plan_orders,
    plans,
    stripe_events,
)
from opsportal.services.errors import InvalidInput, NotFound, PermissionDenied
from opsportal.services.operator import OPERATOR
from opsportal.services.plan_orders import OrderItem
from tests.utils.db import row_counts
from tests.utils.plans import (
    GOLD_START,
    SATURDAY_NOON,
    TERMS,
    WEDNESDAY_10AM,
    WEDNESDAY_NIGHT,
    entitlements,
    invoice,
    invoice_lines,
    set_up_gold,
)
from tests.utils.stripe_webhook import FakeCheckout, checkout_event

EVERYDAY = OrderItem("everyday_after_hours")

def paid_event(invoice_id: int, at) -> InvoicePaid:
    """The event a checkout payment of a pre-service invoice returns (routed again by a test)."""
    return InvoicePaid(invoice_id, InvoiceKind.pre_service, at, PaidThrough.checkout)


@pytest.fixture
def gold(world):
    """Holdings: Gold only, in EMEA (bought there), with a team in AMER."""
    set_up_gold(world.holdings)
    return world


@pytest.fixture
def fake_checkout(monkeypatch: pytest.MonkeyPatch) -> FakeCheckout:
    from opsportal.services import stripe_gateway as gateway

    fake = FakeCheckout()
    monkeypatch.setattr(gateway, "create_checkout_session", fake)
    return fake


def order(world, *items: OrderItem, who: str = "holdings_owner", start: date | None = None):
    return plan_orders.order_plan(world.actor(who), world.holdings.id, list(items), start, accepted_terms=TERMS,
                                  at=WEDNESDAY_10AM)


# ----------------------------------------------------------------------------------------- coverage now


def test_gold_only_at_a_weekend_instant_is_not_covered_and_offers_emergency_support_at_its_rate(gold):
    view = plans.coverage_now(gold.actor("holdings_member"), gold.holdings.id, SATURDAY_NOON)
    assert view.headline == "Not covered — emergency support available at USD 250.00 per hour"
    assert (view.tone, view.covered, view.emergency_available) == ("not_covered", False, True)
    assert [(r.code, r.home, r.text) for r in view.regions] == [("EMEA", True, "Not covered"),
                                                                ("AMER", False, "Not covered")]
    assert view.regions[0].opens_next == "Business hours resume Mon 17 Mar, 08:00 GMT"
    assert not view.may_request_incident  # a member may look, not buy


def test_during_emea_business_hours_support_is_available_under_gold(gold):
    view = plans.coverage_now(gold.actor("holdings_owner"), gold.holdings.id, WEDNESDAY_10AM)
    assert view.headline == "Support available now — EMEA business hours"
    assert view.regions[0].text == "Covered — Gold business hours"
    assert view.regions[0].local_time == "Wed 10:00 GMT"
    assert view.regions[1].text == "Not covered"  # AMER needs Multi-Regional
    assert view.may_request_incident


def test_an_organization_without_a_home_region_is_not_covered(world):
    view = plans.coverage_now(world.actor("fabrikam_owner"), world.fabrikam.id, SATURDAY_NOON)
    assert view.headline.startswith("Not covered — no support region is set")
    assert view.regions == []


def test_another_organizations_user_is_refused_coverage_overview_and_orders(gold):
    outsider = gold.actor("fabrikam_owner")
    with pytest.raises(PermissionDenied):
        plans.coverage_now(outsider, gold.holdings.id, SATURDAY_NOON)
    with pytest.raises(PermissionDenied):
        plans.plan_overview(outsider, gold.holdings.id, at=WEDNESDAY_10AM)
    with pytest.raises(PermissionDenied):
        plan_orders.order_plan(outsider, gold.holdings.id, [EVERYDAY], accepted_terms=TERMS, at=WEDNESDAY_10AM)
    with pytest.raises(PermissionDenied):  # a subsidiary does not see its parent's plan either
        plans.coverage_now(gold.actor("retail_owner"), gold.holdings.id, SATURDAY_NOON)
    with pytest.raises(PermissionDenied):
        plans.home_region(outsider, gold.holdings.id)


def test_the_home_region_and_the_regions_multi_regional_may_add_come_from_the_service(gold):
    member = gold.actor("holdings_member")
    assert plans.home_region(member, gold.holdings.id).time_zone == "Europe/London"
    overview = plans.plan_overview(member, gold.holdings.id, at=WEDNESDAY_10AM)
    assert (overview.home_region_rules.code, overview.other_regions) == ("EMEA", ["AMER", "APAC"])
    assert plans.home_region(gold.actor("fabrikam_owner"), gold.fabrikam.id) is None  # no region set


def test_a_naive_instant_is_refused(gold):
    with pytest.raises(InvalidInput, match="time zone"):
        plans.coverage_now(gold.actor("holdings_owner"), gold.holdings.id, SATURDAY_NOON.replace(tzinfo=None))


# ----------------------------------------------------------------------------------------- overview


def test_the_overview_shows_gold_with_its_term_and_renewal_date_and_what_can_be_bought(gold):
    view = plans.plan_overview(gold.actor("holdings_member"), gold.holdings.id, at=WEDNESDAY_10AM)
    assert (view.home_region, view.extra_regions) == ("EMEA", ["AMER"])
    assert view.gold is not None
    assert (view.gold.start, view.gold.last_day, view.gold.renews_on) == (
        GOLD_START, date(2026, 3, 11), date(2026, 3, 12))
    assert [r.code for r in view.current] == ["gold"]
    offers = {o.code: o.price for o in view.offers}
    assert offers["gold"] == "USD 4,800.00 per 12 months"
    assert offers["ppi_scheduled_after_hours"] == "USD 200.00 per hour (at least 2)"
    assert {b.code for b in view.bundles} == {"everyday_global", "premier_complete"}
    assert not view.may_buy and view.orders == []


# ----------------------------------------------------------------------------------------- ordering


@pytest.mark.parametrize("who", ["holdings_member", "agent", "staff_admin"])
def test_members_and_staff_may_not_buy_plans(gold, who):
    with pytest.raises(PermissionDenied):
        order(gold, EVERYDAY, who=who)


@pytest.mark.parametrize("who", ["holdings_owner", "holdings_admin", "holdings_billing"])
def test_owners_admins_and_billing_contacts_order_plans(gold, who):
    assert order(gold, EVERYDAY, who=who).invoice_number.startswith("INV-2025-")


def test_an_order_issues_a_pre_service_invoice_and_grants_nothing_until_it_is_paid(gold):
    result = order(gold, EVERYDAY)
    inv = invoice(result.invoice_id)
    assert (inv.kind, inv.status, inv.total_minor, inv.issue_date) == ("pre_service", "open", 420_000,
                                                                       WEDNESDAY_10AM.date())
    assert invoice_lines(inv.id) == [
        ("Everyday After-Hours in EMEA, 12 months, 12 Mar 2025 to 11 Mar 2026", 1, 420_000, 420_000, None)]
    assert result.total == "USD 4,200.00"
    assert entitlements(gold.holdings.id) == [("gold", GOLD_START, date(2026, 3, 12))]
    view = plans.coverage_now(gold.actor("holdings_owner"), gold.holdings.id, SATURDAY_NOON)
    assert view.headline.startswith("Not covered")
    overview = plans.plan_overview(gold.actor("holdings_billing"), gold.holdings.id, at=WEDNESDAY_10AM)
    assert [(o.status, o.invoice_id, o.summary) for o in overview.orders] == [
        ("pending", inv.id, "Everyday After-Hours")]


def test_a_bank_transfer_activates_the_order_and_the_weekend_is_covered(gold):
    result = order(gold, EVERYDAY)
    bank_payments.record_offline_payment(OPERATOR, result.invoice_id, at=WEDNESDAY_10AM + timedelta(hours=1))
    assert entitlements(gold.holdings.id)[1:] == [("everyday_after_hours", GOLD_START, date(2026, 3, 12))]
    view = plans.coverage_now(gold.actor("holdings_owner"), gold.holdings.id, SATURDAY_NOON)
    assert view.headline == "After-hours covered by Everyday After-Hours"
    assert view.tone == "after_hours" and not view.emergency_available
    overview = plans.plan_overview(gold.actor("holdings_owner"), gold.holdings.id, at=WEDNESDAY_10AM)
    assert overview.orders[0].status == "active"
    assert [r.code for r in overview.current] == ["gold", "everyday_after_hours"]


def test_a_confirmed_stripe_payment_activates_the_order_exactly_once(gold, fake_checkout):
    result = order(gold, EVERYDAY)
    started = checkout_sessions.start_invoice_checkout(gold.actor("holdings_owner"), result.invoice_id,
                                                       at=WEDNESDAY_10AM)
    with unit_of_work(write=False) as session:
        from opsportal.models import Payment

        payment = session.get(Payment, started.payment_id)
    paid_at = WEDNESDAY_10AM + timedelta(minutes=5)
    assert entitlements(gold.holdings.id) == [("gold", GOLD_START, date(2026, 3, 12))]  # checkout alone: nothing
    assert stripe_events.apply_event(checkout_event(payment), at=paid_at).startswith("applied")
    assert stripe_events.apply_event(checkout_event(payment), at=paid_at).startswith("already applied")
    counts = row_counts()
    with unit_of_work() as session:  # the paid event routed again changes nothing
        invoice_events.dispatch(session, [paid_event(result.invoice_id, paid_at)])
    assert row_counts() == counts
    assert [e[0] for e in entitlements(gold.holdings.id)] == ["gold", "everyday_after_hours"]
    assert invoice(result.invoice_id).status == "paid"


def test_an_unpaid_or_declined_checkout_activates_nothing(gold, fake_checkout):
    from tests.utils.stripe_webhook import declined_event

    result = order(gold, EVERYDAY)
    started = checkout_sessions.start_invoice_checkout(gold.actor("holdings_owner"), result.invoice_id,
                                                       at=WEDNESDAY_10AM)
    with unit_of_work(write=False) as session:
        from opsportal.models import Payment

        payment = session.get(Payment, started.payment_id)
    stripe_events.apply_event(checkout_event(payment, payment_status="unpaid"), at=WEDNESDAY_10AM)
    stripe_events.apply_event(declined_event(payment), at=WEDNESDAY_10AM)
    assert [e[0] for e in entitlements(gold.holdings.id)] == ["gold"]


def test_bundled_add_ons_are_one_invoice_line_at_the_bundle_price(gold):
    result = order(gold, EVERYDAY, OrderItem("multi_regional", extra_regions=("AMER",)))
    assert result.bundle == "everyday_global"
    lines = invoice_lines(result.invoice_id)
    assert len(lines) == 1 and lines[0][3] == 540_000  # (4,200 + 1,800) less 10 %
    assert "less 10%" in lines[0][0]
    bank_payments.record_offline_payment(OPERATOR, result.invoice_id, at=WEDNESDAY_10AM + timedelta(hours=1))
    view = plans.coverage_now(gold.actor("holdings_owner"), gold.holdings.id, WEDNESDAY_10AM.replace(hour=15))
    assert [r.text for r in view.regions] == ["Covered — Gold business hours",
                                              "Covered — Multi-Regional business hours"]


def test_gold_renewal_and_an_add_on_past_the_current_gold_can_be_bought_together(gold):
    renewal = OrderItem("gold", start=date(2026, 3, 12))
    result = order(gold, renewal, OrderItem("extended_term", months=24, versions=("K2 4.6",)))
    bank_payments.record_offline_payment(OPERATOR, result.invoice_id, at=WEDNESDAY_10AM + timedelta(hours=1))
    assert entitlements(gold.holdings.id)[1:] == [("gold", date(2026, 3, 12), date(2027, 3, 12)),
                                                  ("extended_term", GOLD_START, date(2027, 3, 12))]


# ----------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(("items", "message"), [
    ([], "Choose at least one offering"),
    ([OrderItem("platinum")], "Unknown offering 'platinum'"),
    ([OrderItem("everyday_after_hours", months=18)], "12-month increments"),
    ([OrderItem("everyday_after_hours", months=24)], "renew Gold Support first"),
    ([OrderItem("gold")], "Gold Support for EMEA is already held"),
    ([OrderItem("ppi_emergency_after_hours")], "paid per incident"),
    ([OrderItem("multi_regional")], "needs at least one additional region"),
    ([OrderItem("multi_regional", extra_regions=("EMEA",))], "EMEA is the home region"),
    ([OrderItem("multi_regional", extra_regions=("MARS",))], "Unknown region MARS"),
    ([OrderItem("extended_term")], "needs the product versions"),
    ([OrderItem("everyday_after_hours", start=date(2025, 3, 11))], "starts today (12 Mar 2025) or later"),
    ([OrderItem("everyday_after_hours", start=date(2026, 6, 1))], "within a year"),
])
def test_a_bad_order_is_refused_with_the_reason_and_writes_nothing(gold, items, message):
    before = row_counts()
    with pytest.raises(InvalidInput, match=re.escape(message)):
        order(gold, *items)
    assert row_counts() == before


def test_add_ons_without_gold_are_refused(world):
    from opsportal.services import plan_catalog

    plan_catalog.set_org_regions(OPERATOR, world.fabrikam.id, "AMER", (), at=WEDNESDAY_10AM)
    with pytest.raises(InvalidInput, match="needs active Gold Support in AMER"):
        plan_orders.order_plan(world.actor("fabrikam_owner"), world.fabrikam.id, [EVERYDAY], accepted_terms=TERMS,
                               at=WEDNESDAY_10AM)


def test_an_organization_without_a_region_cannot_order(world):
    with pytest.raises(InvalidInput, match="No support region"):
        plan_orders.order_plan(world.actor("fabrikam_owner"), world.fabrikam.id, [OrderItem("gold")],
                               accepted_terms=TERMS, at=WEDNESDAY_10AM)


def test_an_order_waiting_for_payment_blocks_ordering_the_same_again_until_its_invoice_is_voided(gold):
    first = order(gold, EVERYDAY)
    with pytest.raises(InvalidInput, match="already held"):
        order(gold, EVERYDAY)
    invoice_staff.void_invoice(OPERATOR, first.invoice_id, reason="Ordered by mistake", at=WEDNESDAY_10AM)
    assert order(gold, EVERYDAY).order_id != first.order_id
    overview = plans.plan_overview(gold.actor("holdings_owner"), gold.holdings.id, at=WEDNESDAY_10AM)
    assert [o.status for o in overview.orders] == ["pending", "cancelled"]


def test_a_paid_order_that_can_no_longer_be_granted_is_flagged_not_half_granted(gold):
    from opsportal.services import plan_catalog

    first = order(gold, EVERYDAY)
    plan_catalog.grant_entitlement(OPERATOR, gold.holdings.id, "everyday_after_hours", GOLD_START,
                                   at=WEDNESDAY_10AM)
    bank_payments.record_offline_payment(OPERATOR, first.invoice_id, at=WEDNESDAY_10AM + timedelta(hours=1))
    with unit_of_work(write=False) as session:
        row = session.get(PlanOrder, first.order_id)
    assert row.status == "pending" and row.problem.startswith("Paid but not activated")
    assert [e[0] for e in entitlements(gold.holdings.id)] == ["gold", "everyday_after_hours"]


def test_orders_of_an_unknown_organization_are_refused(gold):
    with pytest.raises((PermissionDenied, NotFound)):
        plans.plan_overview(OPERATOR, 999_999, at=WEDNESDAY_10AM)
    assert WEDNESDAY_NIGHT > WEDNESDAY_10AM
