"""`opsportal subscriptions grant`: the cron job that gives each subscription's period its hours, once."""

from __future__ import annotations

import json
from datetime import date

import pytest

from opsportal.services import credit_views, prepaid
from opsportal.services.operator import OPERATOR
from opsportal.services.organizations import resolve_id
from tests.utils.db import dump_tables


@pytest.fixture
def contoso(cli, sqlite_database_url) -> int:
    """Contoso with 10 hours a month from 1 February 2026, rolling over once."""
    assert cli("org", "create", "Contoso").code == 0
    org_id = resolve_id(OPERATOR, "Contoso")
    prepaid.create_subscription(OPERATOR, organization_id=org_id, name="Managed Gold", minutes_per_period=600,
                                period="monthly", rolls_over_once=True, starts_on=date(2026, 2, 1))
    return org_id


def test_grant_gives_the_current_period_its_hours_and_says_how_many_periods_it_granted(cli, contoso):
    result = cli("subscriptions", "grant", "--at", "2026-02-10T09:00:00Z", "--json")

    assert (result.code, result.err) == (0, "")
    assert json.loads(result.out) == {"granted": 1, "at": "2026-02-10T09:00:00+00:00"}
    balance = credit_views.balance(OPERATOR, contoso, at=prepaid._midnight(date(2026, 2, 10)))
    assert balance.available == 600
    # February's hours roll over once: usable through the end of March.
    assert [lot.expires_at.date() for lot in balance.lots] == [date(2026, 4, 1)]


def test_running_the_job_again_in_the_same_period_grants_nothing_more(cli, contoso):
    assert json.loads(cli("subscriptions", "grant", "--at", "2026-02-10T09:00:00Z", "--json").out)["granted"] == 1
    before = dump_tables()

    again = cli("subscriptions", "grant", "--at", "2026-02-27T23:00:00Z", "--json")

    assert json.loads(again.out)["granted"] == 0
    assert dump_tables() == before


def test_the_next_period_gets_its_own_hours(cli, contoso):
    cli("subscriptions", "grant", "--at", "2026-02-10T09:00:00Z", "--json")

    assert json.loads(cli("subscriptions", "grant", "--at", "2026-03-01T00:00:00Z", "--json").out)["granted"] == 1


def test_without_json_the_job_says_what_it_did_in_a_sentence(cli, contoso):
    result = cli("subscriptions", "grant", "--at", "2026-02-10T09:00:00Z")

    assert result.code == 0
    assert result.out == "Granted 1 subscription period due at 2026-02-10 09:00 UTC.\n"


def test_a_malformed_instant_is_refused_with_one_line_and_changes_nothing(cli, contoso):
    before = dump_tables()

    result = cli("subscriptions", "grant", "--at", "next tuesday", "--json")

    assert result.code == 2
    assert result.out == ""
    assert result.err.count("\n") == 1 and "not an ISO-8601 date or time" in result.err
    assert dump_tables() == before
