"""Creating organizations, an organization's overview, and the staff list of organizations."""

from __future__ import annotations

import pytest

from opsportal.services.errors import Conflict, InvalidInput, NotFound
from opsportal.services.operator import OPERATOR
from opsportal.services.organizations import create_organization, get_overview, list_organizations
from tests.utils.builders import make_org, make_user, set_active
from tests.utils.db import dump_tables, row_counts


def refused_without_writes(error: type[Exception], message: str, call):
    before = dump_tables()
    with pytest.raises(error) as excinfo:
        call()
    assert str(excinfo.value) == message
    assert dump_tables() == before


# Creating


def test_creating_a_top_level_organization_returns_it_with_its_id(database_url):
    org = create_organization(OPERATOR, name="Contoso")
    assert (org.name, org.parent_id, org.parent_name) == ("Contoso", None, None)
    assert org.id > 0 and org.created_at.tzinfo is not None
    assert row_counts()["organization"] == 1


def test_an_organization_can_be_created_under_a_parent_named_in_any_case(database_url):
    parent = create_organization(OPERATOR, name="Northwind Holdings")
    child = create_organization(OPERATOR, name="Northwind Retail", parent_name="  northwind HOLDINGS ")
    assert (child.parent_id, child.parent_name) == (parent.id, "Northwind Holdings")
    assert get_overview(OPERATOR, parent.id).children == ["Northwind Retail"]


def test_white_space_in_a_new_name_is_collapsed(database_url):
    assert create_organization(OPERATOR, name="  Contoso \t Health  ").name == "Contoso Health"


@pytest.mark.parametrize("duplicate", ["Contoso Health", "CONTOSO HEALTH", "contoso   health"])
def test_a_name_already_taken_regardless_of_case_is_a_conflict_and_nothing_is_written(database_url, duplicate):
    create_organization(OPERATOR, name="Contoso Health")
    clean = " ".join(duplicate.split())
    refused_without_writes(Conflict, f"An organization named {clean!r} already exists.",
                           lambda: create_organization(OPERATOR, name=duplicate))


def test_an_unknown_parent_is_not_found_and_nothing_is_written(database_url):
    create_organization(OPERATOR, name="Contoso")
    refused_without_writes(NotFound, "Unknown parent organization 'Nowhere Inc'.",
                           lambda: create_organization(OPERATOR, name="Contoso Labs", parent_name="Nowhere Inc"))


@pytest.mark.parametrize("parent_name", ["", "   ", "x" * 500])
def test_a_blank_or_overlong_parent_name_is_not_found(database_url, parent_name):
    refused_without_writes(NotFound, f"Unknown parent organization {parent_name!r}.",
                           lambda: create_organization(OPERATOR, name="Contoso Labs", parent_name=parent_name))


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_an_empty_name_is_invalid_and_nothing_is_written(database_url, name):
    refused_without_writes(InvalidInput, "Organization name must not be empty.",
                           lambda: create_organization(OPERATOR, name=name))


def test_an_overlong_name_is_invalid(database_url):
    refused_without_writes(InvalidInput, "Organization name must be at most 120 characters.",
                           lambda: create_organization(OPERATOR, name="x" * 121))


# Overview


def test_an_overview_shows_the_organization_its_children_and_its_members_by_role(world):
    overview = get_overview(world.actor("holdings_member"), world.holdings.id)
    assert overview.organization.name == "Northwind Holdings"
    assert overview.organization.parent_name is None
    assert overview.children == ["Northwind Logistics", "Northwind Retail"]
    assert overview.members_by_role == {"owner": 1, "admin": 1, "billing": 1, "member": 1}
    assert overview.member_count == 4


def test_an_overviews_subsidiaries_can_be_opened_only_by_those_the_access_rule_lets_see_them(world):
    """A customer sees their subsidiaries' names but not their pages (domain.access); staff open any of them."""
    for name in ("holdings_owner", "holdings_member"):
        customer_view = get_overview(world.actor(name), world.holdings.id).subsidiaries
        assert [(s.id, s.name, s.may_open) for s in customer_view] == [
            (world.logistics.id, "Northwind Logistics", False), (world.retail.id, "Northwind Retail", False)]
    staff_view = get_overview(world.actor("agent"), world.holdings.id).subsidiaries
    assert [(s.name, s.may_open) for s in staff_view] == [("Northwind Logistics", True), ("Northwind Retail", True)]


def test_a_child_organizations_overview_names_its_parent(world):
    overview = get_overview(world.actor("retail_owner"), world.retail.id)
    assert (overview.organization.parent_id, overview.organization.parent_name) == (
        world.holdings.id, "Northwind Holdings")
    assert overview.children == []
    assert overview.members_by_role == {"owner": 1, "admin": 0, "billing": 0, "member": 1}


def test_deactivated_users_are_not_counted_as_members(world):
    set_active(world.users["holdings_billing"], False)
    overview = get_overview(world.actor("holdings_owner"), world.holdings.id)
    assert overview.members_by_role["billing"] == 0
    assert overview.member_count == 3


def test_staff_asking_for_a_missing_organization_get_not_found(world):
    with pytest.raises(NotFound):
        get_overview(world.actor("agent"), 987654)


# The staff list


def test_the_organization_list_shows_every_organization_with_parent_and_member_count(world):
    page = list_organizations(world.actor("agent"))
    assert [(r.name, r.parent_name, r.member_count) for r in page.items] == [
        ("Fabrikam Clinics", None, 1),
        ("Northwind Holdings", None, 4),
        ("Northwind Logistics", "Northwind Holdings", 1),
        ("Northwind Retail", "Northwind Holdings", 2),
    ]
    assert (page.total, page.page, page.pages) == (4, 1, 1)


def test_the_organization_list_is_paginated(world):
    first = list_organizations(world.actor("staff_admin"), page=1, page_size=3)
    second = list_organizations(world.actor("staff_admin"), page=2, page_size=3)
    beyond = list_organizations(world.actor("staff_admin"), page=3, page_size=3)
    assert [r.name for r in first.items] == ["Fabrikam Clinics", "Northwind Holdings", "Northwind Logistics"]
    assert [r.name for r in second.items] == ["Northwind Retail"]
    assert beyond.items == []
    assert (first.total, first.pages) == (4, 2)


def test_the_organization_list_searches_names_regardless_of_case(world):
    page = list_organizations(world.actor("agent"), search="  NORTHWIND r")
    assert [r.name for r in page.items] == ["Northwind Retail"]
    assert page.total == 1


def test_the_organization_search_treats_wildcards_literally(database_url):
    make_org("100% Uptime Ltd")
    make_org("Fabrikam")
    assert [r.name for r in list_organizations(OPERATOR, search="%").items] == ["100% Uptime Ltd"]
    assert list_organizations(OPERATOR, search="_").total == 0


def test_the_organization_list_counts_members_in_sql_per_organization(database_url):
    org = make_org("Contoso")
    for n in range(3):
        make_user(f"user{n}@contoso.example", role="member", org=org)
    [row] = list_organizations(OPERATOR).items
    assert row.member_count == 3
