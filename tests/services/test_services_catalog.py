"""The services catalog: staff keep it, owners and administrators request a service with service credits held for
its task; the task's end uses them, a cancellation releases them (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from opsportal.domain.services_catalog import RequestState
from opsportal.services import agent_work, credit_views, services_catalog, tasks, ticket_actions
from opsportal.services.credit_views import CategoryTotal
from opsportal.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tests.utils.ledger import NOW, cache_mismatches, grant, ledger_state, lot_row

SC = "service_credits"
LATER = NOW + timedelta(hours=2)
HEALTH = dict(name="Health check", description="A review of your environment's health with a written report.",
              category="Infrastructure", price_credits=12)


def add_service(world, **changes):
    return services_catalog.save_service(world.actor("staff_admin"), service_id=None, **{**HEALTH, **changes})


def request(world, service, who="holdings_owner", **kwargs):
    return services_catalog.request_service(world.actor(who), service_id=service.id, at=NOW, **kwargs)


def in_play(world, org="holdings"):
    return credit_views.in_play_by_category(world.actor("agent"), world.org(org).id, product=SC)


def used(world, org="holdings"):
    return credit_views.used_by_category(world.actor("agent"), world.org(org).id, product=SC, at=LATER)


def available(world, org="holdings"):
    return next(s.available for s in credit_views.summary(world.actor("agent"), world.org(org).id, at=NOW)
                if s.product == SC)


def test_a_request_opens_a_task_in_the_services_category_with_its_price_in_play(world):
    grant(world.holdings, 50)
    service = add_service(world)
    made = request(world, service, note="Please look at the file servers first.")
    assert made.state is RequestState.in_play and made.credits == 12
    task = tasks.get_task(world.actor("holdings_owner"), made.ticket_id)
    assert task.row.category == "Infrastructure" and task.row.title == "Service request: Health check"
    assert "file servers" in task.description and task.row.status == "open"
    assert in_play(world) == [CategoryTotal(category="Infrastructure", quantity=12, tickets=1)]
    assert available(world) == 38
    assert cache_mismatches() == []


def test_staff_completing_the_task_turns_the_held_credits_into_used_ones(world):
    grant(world.holdings, 50)
    made = request(world, add_service(world))
    agent_work.set_status(world.actor("agent"), made.ticket_id, "resolved", at=LATER)
    assert in_play(world) == []
    assert used(world) == [CategoryTotal(category="Infrastructure", quantity=12, tickets=1)]
    assert available(world) == 38
    page = services_catalog.requests_of(world.actor("holdings_member"), world.holdings.id)
    assert [r.state for r in page.items] == [RequestState.used]


def test_the_customer_solving_the_task_uses_the_credits_too(world):
    grant(world.holdings, 50)
    made = request(world, add_service(world))
    ticket_actions.solve(world.actor("holdings_owner"), made.ticket_id, at=LATER)
    assert used(world) == [CategoryTotal(category="Infrastructure", quantity=12, tickets=1)]


def test_a_cancelled_request_closes_its_task_and_gives_every_credit_back(world):
    grant(world.holdings, 50)
    made = request(world, add_service(world))
    cancelled = services_catalog.cancel_request(world.actor("agent"), made.id, at=LATER)
    assert cancelled.state is RequestState.cancelled
    assert in_play(world) == [] and used(world) == [] and available(world) == 50
    assert tasks.get_task(world.actor("agent"), made.ticket_id).row.status == "closed"
    with pytest.raises(Conflict, match="already cancelled"):
        services_catalog.cancel_request(world.actor("agent"), made.id, at=LATER)
    assert cache_mismatches() == []


def test_a_request_whose_task_is_done_cannot_be_cancelled(world):
    grant(world.holdings, 50)
    made = request(world, add_service(world))
    agent_work.set_status(world.actor("agent"), made.ticket_id, "closed", at=LATER)
    with pytest.raises(Conflict, match="already closed"):
        services_catalog.cancel_request(world.actor("agent"), made.id, at=LATER)
    assert used(world)[0].quantity == 12


def test_a_member_may_not_request_a_service_and_nothing_is_written(world):
    grant(world.holdings, 50)
    service = add_service(world)
    before = ledger_state()
    with pytest.raises(PermissionDenied, match="owners and administrators"):
        request(world, service, who="holdings_member")
    assert ledger_state() == before


def test_a_member_sees_the_catalog_but_may_not_request(world):
    grant(world.holdings, 50)
    add_service(world)
    view = services_catalog.catalog_for(world.actor("holdings_member"), world.holdings.id)
    assert [s.name for s in view.services] == ["Health check"]
    assert view.available == 50 and not view.may_request
    assert services_catalog.catalog_for(world.actor("holdings_admin"), world.holdings.id).may_request


def test_another_organizations_user_cannot_read_its_catalog_view_requests_or_task(world):
    grant(world.holdings, 50)
    made = request(world, add_service(world))
    fiona = world.actor("fabrikam_owner")
    with pytest.raises(PermissionDenied):
        services_catalog.catalog_for(fiona, world.holdings.id)
    with pytest.raises(PermissionDenied):
        services_catalog.requests_of(fiona, world.holdings.id)
    with pytest.raises(NotFound):
        tasks.get_task(fiona, made.ticket_id)
    assert services_catalog.requests_of(fiona, world.fabrikam.id).items == []


def test_customers_cannot_cancel_requests_or_manage_the_catalog(world):
    grant(world.holdings, 50)
    made = request(world, add_service(world))
    for who in ("holdings_owner", "fabrikam_owner"):
        with pytest.raises(PermissionDenied):
            services_catalog.cancel_request(world.actor(who), made.id, at=LATER)
        with pytest.raises(PermissionDenied):
            services_catalog.save_service(world.actor(who), service_id=None, **{**HEALTH, "name": "Other"})
        with pytest.raises(PermissionDenied):
            services_catalog.requests_in_play(world.actor(who))
    with pytest.raises(PermissionDenied):
        services_catalog.save_service(world.actor("agent"), service_id=None, **{**HEALTH, "name": "By an agent"})


def test_a_request_spends_the_requesters_own_organizations_credits_only(world):
    grant(world.holdings, 50)
    grant(world.fabrikam, 50)
    made = request(world, add_service(world), who="fabrikam_owner")
    assert made.organization == "Fabrikam Clinics"
    assert available(world, "fabrikam") == 38 and available(world) == 50


def test_not_enough_credits_refuses_the_request_naming_what_is_available_and_writes_nothing(world):
    grant(world.holdings, 5)
    service = add_service(world)
    before = ledger_state()
    with pytest.raises(Conflict, match="requested 12 credits, available 5 credits"):
        request(world, service)
    assert ledger_state() == before
    assert services_catalog.requests_of(world.actor("holdings_owner"), world.holdings.id).total == 0


def test_an_unknown_or_retired_service_cannot_be_requested(world):
    grant(world.holdings, 50)
    service = add_service(world)
    services_catalog.set_active(world.actor("staff_admin"), service.id, False)
    before = ledger_state()
    for service_id in (service.id, 999_999):
        with pytest.raises(NotFound, match="not in the catalog"):
            services_catalog.request_service(world.actor("holdings_owner"), service_id=service_id, at=NOW)
    assert ledger_state() == before
    assert services_catalog.catalog_for(world.actor("holdings_owner"), world.holdings.id).services == []


def test_a_request_uses_the_credits_in_the_consumption_order(world):
    shared = grant(world.holdings, 10, shared=True)
    own = grant(world.retail, 5)
    made = request(world, add_service(world), who="retail_owner")
    assert made.organization == "Northwind Retail"
    # The organization's own lot first, then its parent's shared lot for the rest.
    assert (lot_row(own.id)["held"], lot_row(shared.id)["held"]) == (5, 7)


def test_bad_catalog_input_is_refused_field_by_field(world):
    admin = world.actor("staff_admin")
    with pytest.raises(services_catalog.InvalidService) as caught:
        services_catalog.save_service(admin, service_id=None, name=" ", description="short", category="Cooking",
                                      price_credits=0)
    assert set(caught.value.problems) == {"name", "description", "category", "price"}
    add_service(world)
    with pytest.raises(services_catalog.InvalidService, match="already has a service called"):
        add_service(world, name="health CHECK")
    with pytest.raises(NotFound):
        services_catalog.save_service(admin, service_id=999_999, **HEALTH)


def test_a_new_price_applies_to_new_requests_only(world):
    grant(world.holdings, 50)
    service = add_service(world)
    first = request(world, service)
    services_catalog.save_service(world.actor("staff_admin"), service_id=service.id, **{**HEALTH, "price_credits": 20})
    second = request(world, service)
    assert (first.credits, second.credits) == (12, 20)
    assert in_play(world)[0].quantity == 32


def test_staff_see_requests_in_play_across_organizations(world):
    grant(world.holdings, 50)
    grant(world.fabrikam, 50)
    service = add_service(world)
    a = request(world, service)
    b = request(world, service, who="fabrikam_owner")
    agent_work.set_status(world.actor("agent"), a.ticket_id, "resolved", at=LATER)
    page = services_catalog.requests_in_play(world.actor("agent"))
    assert [r.id for r in page.items] == [b.id]


def test_notes_that_are_too_long_are_refused(world):
    grant(world.holdings, 50)
    with pytest.raises(InvalidInput, match="notes"):
        request(world, add_service(world), note="x" * 2_001)
