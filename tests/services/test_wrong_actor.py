"""Every use case checks who is calling, whatever the UI shows or hides."""

from __future__ import annotations

import pytest

from opsportal.services.demo import load_demo
from opsportal.services.errors import PermissionDenied
from opsportal.services.organizations import create_organization, get_overview, list_organizations
from opsportal.services.users import create_user, list_members
from tests.utils.db import dump_tables

STAFF_ADMINS_ONLY = "Only staff administrators may do this."
STAFF_ONLY = "This area is for the support team only."
NOT_YOURS = "That organization was not found or you do not have access to it."

CALLS = {
    "create organization": (lambda w, a: create_organization(a, name="Intruder Ltd"), STAFF_ADMINS_ONLY),
    "create organization under own": (
        lambda w, a: create_organization(a, name="Intruder Subsidiary", parent_name="Northwind Holdings"),
        STAFF_ADMINS_ONLY),
    "create user": (lambda w, a: create_user(a, email="intruder@northwind.example", role="owner",
                                             organization_name="Northwind Holdings",
                                             password="a-long-enough-password"), STAFF_ADMINS_ONLY),
    "load demo": (lambda w, a: load_demo(a), STAFF_ADMINS_ONLY),
    "list organizations": (lambda w, a: list_organizations(a), STAFF_ONLY),
    "overview of another": (lambda w, a: get_overview(a, w.fabrikam.id), NOT_YOURS),
    "members of another": (lambda w, a: list_members(a, w.fabrikam.id), NOT_YOURS),
}

# (caller, use case) pairs that must be refused.
REFUSED = [
    *[(caller, call) for caller in ("holdings_owner", "holdings_admin", "holdings_member", "agent")
      for call in ("create organization", "create organization under own", "create user", "load demo")],
    *[(caller, call) for caller in ("holdings_owner", "holdings_admin", "holdings_billing", "retail_member")
      for call in ("list organizations", "overview of another", "members of another")],
]


@pytest.mark.parametrize(("caller", "call"), REFUSED, ids=[f"{a}-{c.replace(' ', '-')}" for a, c in REFUSED])
def test_a_use_case_refuses_a_caller_without_the_right_and_changes_nothing(world, caller, call):
    run, message = CALLS[call]
    before = dump_tables()
    with pytest.raises(PermissionDenied) as excinfo:
        run(world, world.actor(caller))
    assert str(excinfo.value) == message
    assert dump_tables() == before


def test_the_same_use_cases_succeed_for_a_staff_administrator(world):
    actor = world.actor("staff_admin")
    for run, _message in CALLS.values():
        run(world, actor)
