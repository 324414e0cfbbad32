"""Who may see and manage an organization's data."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsportal.domain.access import Principal, may_manage_organization, may_view_organization
from opsportal.domain.roles import CUSTOMER_ROLES, Role
from opsportal.services import authz
from opsportal.services.authz import Actor, require_visible
from opsportal.services.errors import NotFound

OWN, OTHER = 10, 20


def customer(role: Role, org: int = OWN) -> Principal:
    return Principal(user_id=1, role=role, organization_id=org)


def staff(role: Role) -> Principal:
    return Principal(user_id=2, role=role, organization_id=None)


@pytest.mark.parametrize("role", sorted(CUSTOMER_ROLES))
def test_a_customer_may_view_their_own_organization(role):
    assert may_view_organization(customer(role), OWN)


@pytest.mark.parametrize("role", sorted(CUSTOMER_ROLES))
def test_a_customer_may_not_view_another_organization(role):
    assert not may_view_organization(customer(role), OTHER)


@pytest.mark.parametrize("role", [Role.agent, Role.staff_admin])
def test_staff_may_view_every_organization(role):
    assert may_view_organization(staff(role), OWN)
    assert may_view_organization(staff(role), OTHER)


@pytest.mark.parametrize("role", [Role.owner, Role.admin])
def test_owners_and_administrators_may_manage_their_own_organization(role):
    assert may_manage_organization(customer(role), OWN)


@pytest.mark.parametrize("role", [Role.owner, Role.admin])
def test_owners_and_administrators_may_not_manage_another_organization(role):
    assert not may_manage_organization(customer(role), OTHER)


@pytest.mark.parametrize("role", [Role.billing, Role.member])
def test_billing_contacts_and_members_may_not_manage_their_own_organization(role):
    assert not may_manage_organization(customer(role), OWN)


def test_an_agent_may_view_but_not_manage_an_organization():
    assert may_view_organization(staff(Role.agent), OWN)
    assert not may_manage_organization(staff(Role.agent), OWN)


def test_a_staff_administrator_may_manage_every_organization():
    assert may_manage_organization(staff(Role.staff_admin), OWN)
    assert may_manage_organization(staff(Role.staff_admin), OTHER)


def test_a_customer_without_an_organization_sees_nothing():
    assert not may_view_organization(Principal(user_id=1, role=Role.owner, organization_id=None), OWN)


principals = st.builds(Principal, user_id=st.integers(1, 1000), role=st.sampled_from(Role),
                       organization_id=st.one_of(st.none(), st.integers(1, 5)))


@given(principal=principals, organization_id=st.integers(1, 5))
def test_whoever_may_manage_an_organization_may_also_view_it(principal, organization_id):
    if may_manage_organization(principal, organization_id):
        assert may_view_organization(principal, organization_id)


@given(principal=principals, organization_id=st.integers(1, 5))
def test_a_customer_sees_exactly_one_organization(principal, organization_id):
    if not principal.is_staff:
        assert may_view_organization(principal, organization_id) == (principal.organization_id == organization_id)


# ------------------------------------------------------------------------------------------ services.authz


def actor(role: Role, org: int | None = OWN) -> Actor:
    return Actor(user_id=1, role=role, organization_id=org, session_id="s", email="a@example.com", full_name="A")


def test_a_row_of_another_organization_reached_by_its_id_reads_as_not_found_with_the_rows_own_message():
    require_visible(actor(Role.member), OWN, "That task was not found.")
    require_visible(actor(Role.agent, None), OTHER, "That task was not found.")
    for org in (OTHER, None):  # None: the row does not exist
        with pytest.raises(NotFound, match="That task was not found."):
            require_visible(actor(Role.owner), org, "That task was not found.")


@given(st.sampled_from(list(Role)), st.sampled_from([OWN, OTHER, None]), st.sampled_from([OWN, OTHER, None]))
def test_the_services_access_helpers_say_what_the_domain_rule_says(role, own, organization_id):
    who = actor(role, None if role.is_staff else own)
    assert authz.may_view(who, organization_id) == (
        organization_id is not None and may_view_organization(who.principal, organization_id))
    assert authz.may_manage(who, organization_id) == (
        organization_id is not None and may_manage_organization(who.principal, organization_id))
