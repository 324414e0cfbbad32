"""Staff manage the plan catalog, prices, organizations' regions and entitlements; every change is audited in
the same transaction, and only staff administrators may make one."""

from __future__ import annotations

import re
from datetime import date

import pytest

from opsportal.services import demo, plan_catalog, plan_orders, plans
from opsportal.services.demo_plans import load_demo_plans
from opsportal.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from opsportal.services.operator import OPERATOR
from opsportal.services.plan_orders import OrderItem
from tests.utils.db import row_counts
from tests.utils.plans import (
    GOLD_START,
    SATURDAY_NOON,
    TERMS,
    WEDNESDAY_10AM,
    audit_rows,
    entitlements,
    set_up_gold,
    utc,
)

AT = WEDNESDAY_10AM


@pytest.mark.parametrize("who", ["agent", "holdings_owner", "holdings_admin", "holdings_member"])
def test_only_staff_administrators_change_plans(world, who):
    actor = world.actor(who)
    calls = [
        lambda: plan_catalog.save_offering(actor, "gold", name="Gold", price_minor=1, at=AT),
        lambda: plan_catalog.save_bundle(actor, "x", name="X", addons=["everyday_after_hours", "multi_regional"],
                                         discount_bp=100, at=AT),
        lambda: plan_catalog.set_org_regions(actor, world.holdings.id, "EMEA", at=AT),
        lambda: plan_catalog.grant_entitlement(actor, world.holdings.id, "gold", GOLD_START, at=AT),
        lambda: plan_catalog.revoke_entitlement(actor, 1, reason="Because", at=AT),
        lambda: plan_catalog.audit_log(actor),
        lambda: plan_catalog.org_entitlements(actor, world.holdings.id),
        lambda: load_demo_plans(actor, at=AT),
    ]
    before = row_counts()
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert row_counts() == before


# ----------------------------------------------------------------------------------------- catalog


def test_changing_a_price_is_audited_with_who_when_before_and_after(world):
    admin = world.actor("staff_admin")
    after = plan_catalog.save_offering(admin, "everyday_after_hours", name="Everyday After-Hours",
                                       price_minor=450_000, at=AT)
    assert after.price_minor == 450_000
    [row] = audit_rows()
    assert (row.action, row.subject, row.actor_name, row.at) == ("offering.saved", "Offering everyday_after_hours",
                                                                  "Sam Taylor", AT)
    assert (row.before["price_minor"], row.after["price_minor"]) == (420_000, 450_000)
    set_up_gold(world.holdings)
    result = plan_orders.order_plan(world.actor("holdings_owner"), world.holdings.id,
                                    [OrderItem("everyday_after_hours")], accepted_terms=TERMS, at=AT)
    assert result.total == "USD 4,500.00"  # the new price applies to new orders


def test_a_withdrawn_offering_is_no_longer_sold(world):
    set_up_gold(world.holdings)
    with pytest.raises(InvalidInput, match="bundle.*Extended-Term: withdraw them first"):
        plan_catalog.save_offering(OPERATOR, "extended_term", name="Extended-Term", price_minor=360_000,
                                   active=False, at=AT)
    plan_catalog.save_bundle(OPERATOR, "premier_complete", name="Premier complete", discount_bp=1_500, active=False,
                             addons=["everyday_after_hours", "multi_regional", "extended_term"], at=AT)
    plan_catalog.save_offering(OPERATOR, "extended_term", name="Extended-Term", price_minor=360_000, active=False,
                               at=AT)
    with pytest.raises(InvalidInput, match="Extended-Term is not in the catalog"):
        plan_orders.order_plan(world.actor("holdings_owner"), world.holdings.id,
                               [OrderItem("extended_term", versions=("4.6",))], accepted_terms=TERMS, at=AT)
    view = plans.plan_overview(world.actor("holdings_owner"), world.holdings.id, at=AT)
    assert "extended_term" not in {o.code for o in view.offers}
    assert [b.code for b in view.bundles] == ["everyday_global"]


@pytest.mark.parametrize(("kwargs", "message"), [
    (dict(code="platinum", name="Platinum", price_minor=1), "Unknown offering code 'platinum'"),
    (dict(code="gold", name="", price_minor=1), "Give the offering a name"),
    (dict(code="gold", name="Gold", price_minor=0), "price per 12 months must be more than zero"),
    (dict(code="gold", name="Gold", price_minor=-5), "whole number"),
    (dict(code="gold", name="Gold", price_minor=1, currency="US"), "three-letter ISO code"),
    (dict(code="gold", name="Gold", price_minor=1, currency="EUR"), "one currency"),
    (dict(code="gold", name="Gold", price_minor=1, active=False), "needs Gold Support"),
    (dict(code="ppi_emergency_after_hours", name="Emergency", unit_price_minor=0), "per time unit must be more"),
])
def test_a_bad_offering_is_refused_with_the_reason_and_writes_nothing(world, kwargs, message):
    before = row_counts()
    fields = {k: v for k, v in kwargs.items() if k != "code"}
    with pytest.raises(InvalidInput, match=message):
        plan_catalog.save_offering(OPERATOR, kwargs["code"], at=AT, **fields)
    assert row_counts() == before


def test_a_new_bundle_is_saved_and_audited(world):
    saved = plan_catalog.save_bundle(OPERATOR, "after_hours_pair", name="Both after-hours options",
                                     addons=["business_day_after_hours", "extended_term"], discount_bp=500, at=AT)
    assert saved.addons == ("business_day_after_hours", "extended_term")
    [row] = audit_rows()
    assert (row.action, row.before, row.actor_name) == ("bundle.saved", None, "Operator")


@pytest.mark.parametrize(("code", "addons", "discount", "message"), [
    ("solo", ["everyday_after_hours"], 500, "at least two add-ons"),
    ("with_gold", ["gold", "everyday_after_hours"], 500, "only Premier add-ons are bundled"),
    ("greedy", ["everyday_after_hours", "multi_regional"], 6_000, "the discount is 0.01 %"),
    ("bad code!", ["everyday_after_hours", "multi_regional"], 500, "letters, digits and underscores"),
    ("unknown", ["everyday_after_hours", "platinum"], 500, "known add-ons"),
])
def test_a_bad_bundle_is_refused(world, code, addons, discount, message):
    with pytest.raises(InvalidInput, match=message):
        plan_catalog.save_bundle(OPERATOR, code, name="Bundle", addons=addons, discount_bp=discount, at=AT)
    assert audit_rows() == []


# ----------------------------------------------------------------------------------------- organizations


def test_regions_and_entitlements_are_audited_per_organization(world):
    plan_catalog.set_org_regions(OPERATOR, world.holdings.id, "emea", ["amer"], at=AT)
    granted = plan_catalog.grant_entitlement(OPERATOR, world.holdings.id, "gold", GOLD_START, note="Contract 7",
                                             at=AT)
    plan_catalog.revoke_entitlement(OPERATOR, granted.id, reason="Contract cancelled", at=AT)
    rows = audit_rows()
    assert [(r.action, r.organization_id) for r in rows] == [("regions.set", world.holdings.id),
                                                             ("entitlement.granted", world.holdings.id),
                                                             ("entitlement.revoked", world.holdings.id)]
    assert (rows[0].before, rows[0].after) == (None, {"home": "EMEA", "extra": ["AMER"]})
    assert rows[2].before["revoked"] is False and rows[2].after["revoked"] is True
    assert rows[2].note == "Contract cancelled"
    page = plan_catalog.audit_log(world.actor("staff_admin"), page_size=2)
    assert (page.total, [r.action for r in page.items]) == (3, ["entitlement.revoked", "entitlement.granted"])
    assert plan_catalog.audit_log(OPERATOR, organization_id=world.fabrikam.id).total == 0


def test_a_revoked_entitlement_no_longer_covers(world):
    set_up_gold(world.holdings)
    owner = world.actor("holdings_owner")
    assert plans.coverage_now(owner, world.holdings.id, AT).covered
    [gold] = plan_catalog.org_entitlements(OPERATOR, world.holdings.id).entitlements
    plan_catalog.revoke_entitlement(OPERATOR, gold.id, reason="Refunded", at=AT)
    assert plans.coverage_now(owner, world.holdings.id, AT).headline == "Not covered — no active Gold Support"
    with pytest.raises(Conflict):
        plan_catalog.revoke_entitlement(OPERATOR, gold.id, reason="Refunded", at=AT)
    with pytest.raises(NotFound):
        plan_catalog.revoke_entitlement(OPERATOR, 999_999, reason="Refunded", at=AT)
    with pytest.raises(InvalidInput, match="reason of 3 to 300"):
        plan_catalog.revoke_entitlement(OPERATOR, gold.id, reason=" ", at=AT)


@pytest.mark.parametrize(("at", "status"), [
    (utc(2025, 3, 12, 3, 59), "upcoming"),  # 11 March, 23:59 in New York: Gold starts there the next day
    (utc(2025, 3, 12, 4, 0), "active"),
    (utc(2026, 3, 12, 3, 59), "active"),  # already 12 March in UTC, still the term's last day in New York
    (utc(2026, 3, 12, 4, 0), "ended"),
])
def test_the_staff_and_customer_plan_pages_agree_on_a_terms_status_on_the_home_regions_day(world, at, status):
    set_up_gold(world.holdings, home="AMER", extra=())  # Gold: 12 March 2025 up to 12 March 2026
    [staff_row] = plan_catalog.org_entitlements(OPERATOR, world.holdings.id, at=at).entitlements
    overview = plans.plan_overview(world.actor("holdings_owner"), world.holdings.id, at=at)
    customer = [r.state for r in overview.current + overview.upcoming + overview.ended]
    assert (staff_row.status, customer) == (status, [status])


@pytest.mark.parametrize(("home", "extra", "message"), [
    ("MARS", [], "Unknown region MARS"),
    ("", [], "Unknown region (none)"),
    ("EMEA", ["EMEA"], "EMEA is the home region"),
    ("EMEA", ["AMER", "amer"], "each other region once"),
])
def test_bad_regions_are_refused(world, home, extra, message):
    with pytest.raises(InvalidInput, match=re.escape(message)):
        plan_catalog.set_org_regions(OPERATOR, world.holdings.id, home, extra, at=AT)


@pytest.mark.parametrize(("code", "start", "kwargs", "message"), [
    ("everyday_after_hours", GOLD_START, {}, "needs active Gold Support in EMEA"),
    ("gold", GOLD_START, dict(months=6), "12-month increments"),
    ("platinum", GOLD_START, {}, "Unknown offering code"),
    ("ppi_emergency_after_hours", GOLD_START, {}, "paid per incident"),
])
def test_bad_grants_are_refused_with_the_reason(world, code, start, kwargs, message):
    plan_catalog.set_org_regions(OPERATOR, world.holdings.id, "EMEA", at=AT)
    with pytest.raises(InvalidInput, match=message):
        plan_catalog.grant_entitlement(OPERATOR, world.holdings.id, code, start, at=AT, **kwargs)


def test_a_grant_needs_the_home_region_first(world):
    with pytest.raises(InvalidInput, match="home region first"):
        plan_catalog.grant_entitlement(OPERATOR, world.holdings.id, "gold", GOLD_START, at=AT)


# ----------------------------------------------------------------------------------------- defaults and demo


def test_the_migrations_seed_the_default_catalog_and_seeding_again_adds_nothing(world):
    from opsportal.db import unit_of_work

    with unit_of_work() as session:
        assert plan_catalog.seed_defaults(session, AT) == 0
    view = plans.plan_overview(OPERATOR, world.holdings.id, at=AT)
    assert len(view.offers) == 7 and len(view.bundles) == 2


def test_demo_plans_give_northwind_gold_only_and_fabrikam_everyday_after_hours(database_url):
    demo.load_demo(OPERATOR)
    assert load_demo_plans(OPERATOR, at=SATURDAY_NOON) > 0
    assert load_demo_plans(OPERATOR, at=SATURDAY_NOON) == 0  # idempotent
    from opsportal.db import unit_of_work
    from opsportal.services import orgtree

    with unit_of_work(write=False) as session:
        northwind = orgtree.require_by_name(session, "Northwind Holdings").id
        fabrikam = orgtree.require_by_name(session, "Fabrikam Clinics").id
    assert [e[0] for e in entitlements(northwind)] == ["gold"]
    assert entitlements(northwind)[0][1] <= SATURDAY_NOON.date() < entitlements(northwind)[0][2]
    assert plans.coverage_now(OPERATOR, northwind, SATURDAY_NOON).headline.startswith(
        "Not covered — emergency support available at")
    assert plans.coverage_now(OPERATOR, fabrikam, SATURDAY_NOON).headline == (
        "After-hours covered by Everyday After-Hours")
    assert date(2025, 1, 1) < SATURDAY_NOON.date()
