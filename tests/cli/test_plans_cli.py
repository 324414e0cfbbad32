"""`opsportal plans coverage`: what it prints, and what it refuses (SQLite)."""

from __future__ import annotations

import json

import pytest

from tests.utils.builders import make_org
from tests.utils.plans import set_up_gold


@pytest.fixture
def northwind(sqlite_database_url):
    org = make_org("Northwind Holdings")
    set_up_gold(org)
    return org


def test_coverage_at_a_weekend_instant_says_not_covered_with_the_emergency_rate(cli, northwind):
    result = cli("plans", "coverage", "northwind holdings", "--at", "2025-03-15T12:00Z", "--json")
    assert (result.code, result.err) == (0, "")
    payload = json.loads(result.out)
    assert payload["headline"] == "Not covered — emergency support available at USD 250.00 per hour"
    assert payload["emergency_rate"] == "USD 250.00 per hour"
    assert [(r["code"], r["home"], r["covered"]) for r in payload["regions"]] == [("EMEA", True, False),
                                                                                  ("AMER", False, False)]


def test_without_json_it_prints_the_headline_and_one_line_per_region(cli, northwind):
    result = cli("plans", "coverage", "Northwind Holdings", "--at", "2025-03-12T10:00+00:00")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == "Northwind Holdings at 2025-03-12 10:00 UTC: Support available now — EMEA business hours"
    assert "EMEA (home)" in lines[1] and "Covered — Gold business hours" in lines[1]
    assert "AMER" in lines[2] and "Not covered" in lines[2]


@pytest.mark.parametrize(("args", "code", "message"), [
    (("Nobody Ltd",), 1, "Unknown organization 'Nobody Ltd'"),
    (("Northwind Holdings", "--at", "2025-03-15T12:00"), 2, "give a time zone"),
    (("Northwind Holdings", "--at", "Saturday"), 2, "not an ISO date and time"),
])
def test_bad_arguments_are_refused_with_one_line(cli, northwind, args, code, message):
    result = cli("plans", "coverage", *args, "--json")
    assert (result.code, result.out) == (code, "")
    assert message in result.err and result.err.count("\n") == 1
