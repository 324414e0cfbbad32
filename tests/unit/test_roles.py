"""Roles: customers belong to an organization, staff to the vendor."""

from __future__ import annotations

import pytest

from opsportal.domain.roles import (
    CUSTOMER_ROLES,
    ORG_MANAGER_ROLES,
    ROLE_LABELS,
    STAFF_ROLES,
    Role,
    parse_role,
)


@pytest.mark.parametrize(("text", "role"), [
    ("owner", Role.owner), ("Admin", Role.admin), (" BILLING ", Role.billing), ("member", Role.member),
    ("agent", Role.agent), ("Staff_Admin", Role.staff_admin),
])
def test_a_role_is_parsed_from_its_name_regardless_of_case_and_spaces(text, role):
    assert parse_role(text) is role


@pytest.mark.parametrize("text", ["", "root", "staff admin", "owners", "superuser"])
def test_an_unknown_role_is_refused_with_the_list_of_valid_roles(text):
    with pytest.raises(ValueError) as excinfo:
        parse_role(text)
    assert str(excinfo.value) == (
        f"unknown role {text!r}; valid roles: owner, admin, billing, member, agent, staff_admin")


@pytest.mark.parametrize("role", [Role.agent, Role.staff_admin])
def test_agents_and_staff_administrators_are_staff(role):
    assert role.is_staff


@pytest.mark.parametrize("role", [Role.owner, Role.admin, Role.billing, Role.member])
def test_customer_roles_are_not_staff(role):
    assert not role.is_staff


def test_every_role_is_either_a_customer_role_or_a_staff_role():
    assert CUSTOMER_ROLES | STAFF_ROLES == set(Role)
    assert not CUSTOMER_ROLES & STAFF_ROLES


def test_only_owners_and_administrators_manage_an_organization():
    assert ORG_MANAGER_ROLES == {Role.owner, Role.admin}


def test_every_role_has_a_label():
    assert set(ROLE_LABELS) == set(Role)
    assert Role.billing.label == "Billing contact"
    assert Role.staff_admin.label == "Staff administrator"
