"""A customer user never sees another organization's data, even within one tree."""

from __future__ import annotations

import pytest

from opsportal.services.errors import PermissionDenied
from opsportal.services.organizations import get_overview
from opsportal.services.users import list_members

NOT_YOURS = "That organization was not found or you do not have access to it."

# (reader, organization read): every pair crosses an organization boundary.
FOREIGN = [
    pytest.param("holdings_owner", "retail", id="parent-owner-reads-child"),
    pytest.param("holdings_admin", "logistics", id="parent-admin-reads-child"),
    pytest.param("retail_owner", "holdings", id="child-owner-reads-parent"),
    pytest.param("retail_member", "holdings", id="child-member-reads-parent"),
    pytest.param("retail_owner", "logistics", id="sibling-reads-sibling"),
    pytest.param("logistics_owner", "retail", id="other-sibling-reads-sibling"),
    pytest.param("fabrikam_owner", "holdings", id="unrelated-customer"),
    pytest.param("holdings_member", "fabrikam", id="member-reads-unrelated"),
]
SERVICES = [pytest.param(get_overview, id="overview"), pytest.param(list_members, id="members")]


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize(("reader", "target"), FOREIGN)
def test_a_customer_cannot_read_another_organization(world, service, reader, target):
    with pytest.raises(PermissionDenied) as excinfo:
        service(world.actor(reader), world.org(target).id)
    assert str(excinfo.value) == NOT_YOURS


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("reader", ["holdings_owner", "holdings_billing", "holdings_member"])
def test_every_customer_role_can_read_its_own_organization(world, service, reader):
    result = service(world.actor(reader), world.holdings.id)
    assert result is not None


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("reader", ["agent", "staff_admin"])
@pytest.mark.parametrize("target", ["holdings", "retail", "logistics", "fabrikam"])
def test_staff_can_read_every_organization(world, service, reader, target):
    service(world.actor(reader), world.org(target).id)


@pytest.mark.parametrize("service", SERVICES)
def test_a_missing_organization_looks_the_same_as_a_forbidden_one_to_a_customer(world, service):
    with pytest.raises(PermissionDenied) as excinfo:
        service(world.actor("holdings_owner"), 987654)
    assert str(excinfo.value) == NOT_YOURS


def test_the_overview_of_ones_own_organization_is_that_organization(world):
    assert get_overview(world.actor("retail_member"), world.retail.id).organization.id == world.retail.id


def test_the_member_list_of_ones_own_organization_holds_only_its_members(world):
    page = list_members(world.actor("retail_member"), world.retail.id)
    assert {u.email for u in page.items} == {"rita@retail.northwind.example", "sanjay@retail.northwind.example"}
