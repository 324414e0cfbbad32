"""Demo data loads once, adds only what is missing, and only for staff administrators."""

from __future__ import annotations

import pytest
from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.models import Organization
from opsportal.services.auth import sign_in
from opsportal.services.demo import DEMO_ORGANIZATIONS, DEMO_PASSWORD, DEMO_USERS, DemoLoadResult, load_demo
from opsportal.services.errors import PermissionDenied
from opsportal.services.operator import OPERATOR
from opsportal.services.organizations import create_organization
from tests.utils.builders import actor_for, make_org, make_user
from tests.utils.db import dump_tables, row_counts


def test_loading_the_demo_into_an_empty_database_creates_every_organization_and_user(database_url):
    assert load_demo(OPERATOR) == DemoLoadResult(organizations_created=4, users_created=11,
                                                 organizations_total=4, users_total=11)
    counts = row_counts()
    assert (counts["organization"], counts["user_account"], counts["login_session"]) == (4, 11, 0)


def test_loading_the_demo_twice_creates_nothing_the_second_time(database_url):
    load_demo(OPERATOR)
    before = dump_tables()
    result = load_demo(OPERATOR)
    assert (result.organizations_created, result.users_created) == (0, 0)
    assert dump_tables() == before


def test_the_demo_builds_the_northwind_tree(database_url):
    load_demo(OPERATOR)
    with unit_of_work(write=False) as session:
        rows = session.exec(select(Organization.name, Organization.id, Organization.parent_id)).all()
    ids = {name: id_ for name, id_, _parent in rows}
    parents = {name: parent for name, _id, parent in rows}
    assert parents["Northwind Retail"] == parents["Northwind Logistics"] == ids["Northwind Holdings"]
    assert parents["Northwind Holdings"] is None and parents["Fabrikam Clinics"] is None


@pytest.mark.parametrize(("email", "role"), [(e, r) for e, _n, r, _o in DEMO_USERS if e.startswith(("olivia", "sam"))])
def test_demo_users_sign_in_with_the_demo_password(database_url, email, role):
    load_demo(OPERATOR)
    assert sign_in(email=email, password=DEMO_PASSWORD).actor.role.value == role


def test_the_demo_adds_only_what_is_missing(database_url):
    existing = create_organization(OPERATOR, name="NORTHWIND holdings")
    make_user("Olivia.Hart@Northwind.example", role="member", org=make_org("Somewhere Else"))
    result = load_demo(OPERATOR)
    assert (result.organizations_created, result.users_created) == (len(DEMO_ORGANIZATIONS) - 1, len(DEMO_USERS) - 1)
    with unit_of_work(write=False) as session:
        retail_parent = session.exec(
            select(Organization.parent_id).where(Organization.name == "Northwind Retail")).one()
    assert retail_parent == existing.id
    assert row_counts()["organization"] == len(DEMO_ORGANIZATIONS) + 1


@pytest.mark.parametrize("role", ["agent", "owner", "admin", "member"])
def test_only_a_staff_administrator_may_load_the_demo(database_url, role):
    org = None if role == "agent" else make_org("Acme")
    actor = actor_for(make_user(f"{role}@acme.example", role=role, org=org))
    before = dump_tables()
    with pytest.raises(PermissionDenied, match="^Only staff administrators may do this.$"):
        load_demo(actor)
    assert dump_tables() == before
