"""The credit history CSV: instants in the requesting user's zone with the zone named in the header, entry kinds as
words, quantities written as the pages write them beside the plain number (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from starlette.responses import PlainTextResponse
from starlette.testclient import TestClient

from opsportal.api.routes import create_api
from opsportal.auth.security import SESSION_COOKIE
from opsportal.db import get_engine
from opsportal.services import auth
from tests.utils.builders import PASSWORD
from tests.utils.ledger import consume, grant

WINTER_AFTERNOON = datetime(2026, 12, 3, 14, 5, tzinfo=UTC)


@pytest.fixture
def client(database_url) -> TestClient:
    return TestClient(create_api(PlainTextResponse("the Reflex app")))


def history(client: TestClient, email: str, org_id: int, zone: str | None) -> list[list[str]]:
    with get_engine().begin() as conn:
        conn.execute(text("UPDATE user_account SET time_zone = :zone WHERE email = :email"),
                     {"zone": zone, "email": email})
    client.cookies.set(SESSION_COOKIE, auth.sign_in(email=email, password=PASSWORD).token)
    response = client.get(f"/api/credits/history.csv?org={org_id}")
    assert response.status_code == 200, response.text
    return list(csv.reader(io.StringIO(response.text)))


def test_a_new_york_reader_gets_history_times_in_eastern_time_under_a_header_naming_the_zone(world, client):
    grant(world.holdings, 90, product="support_hours", at=WINTER_AFTERNOON)
    grant(world.holdings, 5, at=WINTER_AFTERNOON)
    consume(world.holdings, 3, category="Networking", at=WINTER_AFTERNOON)

    header, *rows = history(client, "olivia@northwind.example", world.holdings.id, "America/New_York")

    assert header == ["Entry", "At (America/New_York)", "Kind", "Product", "Quantity", "Minutes or credits", "Lot",
                      "Lot holder", "Organization", "Ticket", "Category", "Reason"]
    hours = next(r for r in rows if r[3] == "Support hours")
    assert hours[1:6] == ["2026-12-03 09:05", "Granted", "Support hours", "1 h 30 min", "90"]
    used = next(r for r in rows if r[2] == "Used")
    assert used[1:6] == ["2026-12-03 09:05", "Used", "Service credits", "3 credits", "3"]
    assert used[10] == "Networking"
    assert not any(code in row for row in rows for code in ("grant", "consume", "support_hours", "service_credits"))


def test_a_reader_in_london_gets_the_same_history_in_london_time(world, client):
    grant(world.holdings, 90, product="support_hours", at=WINTER_AFTERNOON)

    header, *rows = history(client, "olivia@northwind.example", world.holdings.id, "Europe/London")

    assert header[1] == "At (Europe/London)"
    assert [r[1] for r in rows] == ["2026-12-03 14:05"]
