"""A user's own time zone: chosen on the Account page, else their organization's home region's (SQLite and
PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from opsportal.services import auth, users
from opsportal.services.errors import InvalidInput
from opsportal.services.operator import OPERATOR
from opsportal.services.plan_catalog import set_org_regions
from tests.utils.builders import PASSWORD, load_user
from tests.utils.db import dump_tables

AT = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def emea(world):
    """Northwind Holdings' home region is EMEA (Europe/London)."""
    set_org_regions(OPERATOR, world.holdings.id, "EMEA", (), at=AT)
    return world


def signed_in(world, name: str):
    return auth.sign_in(email=world.users[name].email, password=PASSWORD)


def test_without_a_choice_a_user_reads_times_in_the_organizations_home_region_zone(emea):
    session = signed_in(emea, "holdings_owner")
    assert session.actor.time_zone == "Europe/London"
    setting = users.time_zone_setting(session.actor)
    assert (setting.chosen, setting.organization_default, setting.effective) == (None, "Europe/London",
                                                                                 "Europe/London")


def test_a_chosen_zone_is_stored_on_the_callers_account_and_the_next_sign_in_carries_it(emea):
    session = signed_in(emea, "holdings_owner")
    setting = users.set_time_zone(session.actor, "America/New_York")
    assert setting.effective == "America/New_York"
    assert load_user(emea.users["holdings_owner"].id).time_zone == "America/New_York"
    assert signed_in(emea, "holdings_owner").actor.time_zone == "America/New_York"


def test_a_new_zone_shows_at_once_in_every_session_this_worker_remembers(emea):
    here = signed_in(emea, "holdings_owner")
    elsewhere = signed_in(emea, "holdings_owner")
    users.set_time_zone(here.actor, "Asia/Tokyo")
    assert auth.recent_actor(here.token).time_zone == "Asia/Tokyo"
    assert auth.recent_actor(elsewhere.token).time_zone == "Asia/Tokyo"


def test_setting_a_zone_changes_only_the_callers_own_account(emea):
    colleague = signed_in(emea, "holdings_admin")
    other_org = signed_in(emea, "fabrikam_owner")
    users.set_time_zone(signed_in(emea, "holdings_owner").actor, "America/New_York")
    assert load_user(emea.users["holdings_admin"].id).time_zone is None
    assert auth.recent_actor(colleague.token).time_zone == "Europe/London"
    assert load_user(emea.users["fabrikam_owner"].id).time_zone is None
    assert auth.recent_actor(other_org.token).time_zone == "UTC"


def test_choosing_no_zone_goes_back_to_the_organization_default(emea):
    actor = signed_in(emea, "holdings_owner").actor
    users.set_time_zone(actor, "America/New_York")
    setting = users.set_time_zone(actor, None)
    assert (setting.chosen, setting.effective) == (None, "Europe/London")
    assert load_user(emea.users["holdings_owner"].id).time_zone is None


@pytest.mark.parametrize(("name", "message"), [
    ("Mars/Olympus_Mons", "'Mars/Olympus_Mons' is not a known time zone (use a name such as Europe/London)."),
    ("", "Choose a time zone."),
    ("EST5EDT", "'EST5EDT' is not a known time zone (use a name such as Europe/London)."),
])
def test_an_unknown_zone_is_refused_with_a_message_and_nothing_is_written(emea, name, message):
    session = signed_in(emea, "holdings_owner")
    before = dump_tables()
    with pytest.raises(InvalidInput) as refused:
        users.set_time_zone(session.actor, name)
    assert str(refused.value) == message
    assert dump_tables() == before
    assert auth.recent_actor(session.token).time_zone == "Europe/London"


def test_a_user_without_a_home_region_reads_utc_until_they_choose(world):
    actor = signed_in(world, "fabrikam_owner").actor
    assert actor.time_zone == "UTC"
    assert users.set_time_zone(actor, "Australia/Sydney").effective == "Australia/Sydney"
