"""`opsportal sla report`: the month's breaches, and what it refuses (SQLite)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from opsportal.services import tasks
from opsportal.services.operator import OPERATOR
from tests.utils.builders import make_org
from tests.utils.plans import set_up_gold
from tests.utils.tasks import DESCRIPTION


@pytest.fixture
def breached(sqlite_database_url):
    org = make_org("Northwind Holdings")
    set_up_gold(org)
    # Friday 14 March 2025, 09:00 GMT, urgent: first response due 10:00, resolution 17:00; nobody answers.
    return tasks.create_ticket(OPERATOR, subject="Tills offline", category="Infrastructure", priority="urgent",
                               description=DESCRIPTION, organization_id=org.id,
                               at=datetime(2025, 3, 14, 9, tzinfo=UTC)).id


def test_the_report_of_a_past_month_lists_its_breaches_as_json(cli, breached):
    result = cli("sla", "report", "--month", "2025-03", "--json")
    assert (result.code, result.err) == (0, "")
    payload = json.loads(result.out)
    assert (payload["month"], payload["first_response"], payload["resolution"]) == ("2025-03", 1, 1)
    assert payload["by_organization"] == [{"name": "Northwind Holdings", "first_response": 1, "resolution": 1}]
    assert [(b["task"], b["target"]) for b in payload["breaches"]] == [(breached, "First response"),
                                                                       (breached, "Resolution")]


def test_without_json_it_prints_a_headline_and_the_breached_tasks(cli, breached):
    result = cli("sla", "report", "--month", "2025-03")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == "Service-level breaches, March 2025: 1 first response, 1 resolution"
    assert any(line.startswith(f"  #{breached}") and "First response" in line for line in lines)


def test_a_month_without_breaches_says_none(cli, breached):
    result = cli("sla", "report", "--month", "2025-02", "--json")
    assert result.code == 0 and json.loads(result.out)["breaches"] == []


@pytest.mark.parametrize("month", ["March", "2025-13", "2025-3"])
def test_a_malformed_month_is_refused_in_one_line(cli, breached, month):
    result = cli("sla", "report", "--month", month)
    assert (result.code, result.out) == (2, "")
    assert "not a month (YYYY-MM" in result.err and result.err.count("\n") == 1
