"""Creating user accounts and listing an organization's members."""

from __future__ import annotations

import pytest

from opsportal.domain.roles import Role
from opsportal.services.auth import sign_in
from opsportal.services.errors import Conflict, InvalidInput, NotFound
from opsportal.services.operator import OPERATOR
from opsportal.services.users import create_user, list_members
from tests.utils.builders import load_user, make_org, make_user, set_active
from tests.utils.db import dump_tables

GOOD_PASSWORD = "a-long-enough-password"


@pytest.fixture
def acme(database_url):
    return make_org("Acme Corp")


def refused_without_writes(error: type[Exception], message: str, *, prefix_only: bool = False, **kwargs):
    """create_user with ``kwargs`` over valid defaults raises ``error`` saying ``message`` and writes nothing."""
    args = {"email": "new.user@acme.example", "role": "member", "organization_name": "Acme Corp",
            "password": GOOD_PASSWORD}
    args.update(kwargs)
    before = dump_tables()
    with pytest.raises(error) as excinfo:
        create_user(OPERATOR, **args)
    assert dump_tables() == before
    said = str(excinfo.value)
    assert said.startswith(message) if prefix_only else said == message


# Creating


def test_a_customer_user_is_created_in_the_named_organization_and_can_sign_in(acme):
    created = create_user(OPERATOR, email="Ada.Lovelace@ACME.example", role="Owner", organization_name="acme corp",
                          password=GOOD_PASSWORD, full_name="  Ada   Lovelace ")
    user = created.user
    assert (user.email, user.full_name, user.role) == ("Ada.Lovelace@acme.example", "Ada Lovelace", "owner")
    assert (user.organization_id, user.organization_name) == (acme.id, "Acme Corp")
    assert created.temporary_password is None
    assert load_user(user.id).email_key == "ada.lovelace@acme.example"
    assert sign_in(email="ada.lovelace@acme.example", password=GOOD_PASSWORD).actor.user_id == user.id


def test_a_user_created_without_a_password_gets_a_one_time_temporary_password(acme):
    created = create_user(OPERATOR, email="grace@acme.example", role="member", organization_name="Acme Corp")
    assert created.temporary_password and len(created.temporary_password) >= 10
    assert created.temporary_password not in load_user(created.user.id).password_hash
    assert sign_in(email="grace@acme.example", password=created.temporary_password).actor.user_id == created.user.id


@pytest.mark.parametrize("role", ["agent", "staff_admin"])
def test_a_staff_user_is_created_without_an_organization(database_url, role):
    created = create_user(OPERATOR, email="alex@opsportal.example", role=role, organization_name=None,
                          password=GOOD_PASSWORD)
    assert (created.user.role, created.user.organization_id, created.user.organization_name) == (role, None, None)


@pytest.mark.parametrize("email", ["ada@acme.example", "ADA@ACME.EXAMPLE", "  Ada@Acme.Example "])
def test_an_email_already_in_use_regardless_of_case_is_a_conflict_and_nothing_is_written(acme, email):
    make_user("ada@acme.example", role="member", org=acme)
    normalized = email.strip().split("@")[0] + "@acme.example"
    refused_without_writes(Conflict, f"A user with e-mail {normalized} already exists.", email=email)


def test_an_unknown_organization_is_not_found_and_nothing_is_written(acme):
    refused_without_writes(NotFound, "Unknown organization 'Nowhere Inc'.", organization_name="Nowhere Inc")


def test_an_unknown_role_is_invalid_and_names_the_valid_roles(acme):
    refused_without_writes(
        InvalidInput,
        "Unknown role 'root'; valid roles: owner, admin, billing, member, agent, staff_admin.", role="root")


@pytest.mark.parametrize("email", ["not-an-address", "ada@", "@acme.example", "ada@@acme.example", ""])
def test_a_malformed_email_is_invalid_and_nothing_is_written(acme, email):
    refused_without_writes(InvalidInput, f"Malformed e-mail address {email!r}: ", prefix_only=True, email=email)


@pytest.mark.parametrize("role", ["agent", "staff_admin"])
def test_a_staff_user_given_an_organization_is_refused(acme, role):
    refused_without_writes(InvalidInput, "Staff users belong to the vendor: do not give an organization.",
                           role=role)


@pytest.mark.parametrize("organization_name", [None, ""])
def test_a_customer_user_without_an_organization_is_refused(acme, organization_name):
    refused_without_writes(InvalidInput, "A billing must belong to an organization.", role="billing",
                           organization_name=organization_name)


def test_a_password_that_breaks_the_rules_is_refused(acme):
    refused_without_writes(InvalidInput, "Password must be at least 10 characters.", password="short")


def test_an_overlong_organization_name_is_not_found(acme):
    refused_without_writes(NotFound, f"Unknown organization {'x' * 200!r}.", organization_name="x" * 200)


# Listing members


def test_members_are_listed_by_name_with_their_organization(world):
    page = list_members(world.actor("holdings_member"), world.holdings.id)
    assert [(u.full_name, u.role) for u in page.items] == [
        ("Adam Reyes", "admin"), ("Bianca Novak", "billing"), ("Mark Osei", "member"), ("Olivia Hart", "owner")]
    assert {u.organization_name for u in page.items} == {"Northwind Holdings"}
    assert page.total == 4


def test_the_member_list_leaves_out_members_of_child_organizations(world):
    emails = {u.email for u in list_members(world.actor("holdings_owner"), world.holdings.id).items}
    assert "rita@retail.northwind.example" not in emails


def test_the_member_list_leaves_out_deactivated_users(world):
    set_active(world.users["holdings_admin"], False)
    page = list_members(world.actor("holdings_owner"), world.holdings.id)
    assert "Adam Reyes" not in [u.full_name for u in page.items]
    assert page.total == 3


def test_the_member_list_is_paginated(world):
    actor = world.actor("holdings_owner")
    first = list_members(actor, world.holdings.id, page=1, page_size=3)
    second = list_members(actor, world.holdings.id, page=2, page_size=3)
    assert [u.full_name for u in first.items] == ["Adam Reyes", "Bianca Novak", "Mark Osei"]
    assert [u.full_name for u in second.items] == ["Olivia Hart"]
    assert (first.total, first.pages) == (4, 2)


def test_staff_asking_for_the_members_of_a_missing_organization_get_not_found(world):
    with pytest.raises(NotFound):
        list_members(world.actor("agent"), 987654)


def test_a_users_role_is_reported_as_stored(world):
    assert Role(list_members(world.actor("agent"), world.fabrikam.id).items[0].role) is Role.owner
