"""Every CSV download neutralises cells a spreadsheet would run as a formula, and leaves plain numbers (negative
amounts included) as numbers (SQLite and PostgreSQL).

The cells come from what people type (a service category, an organization's name) or what is stored (an invoice's
period): a download writes them as text behind a leading quote, whatever they are.
"""

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
from opsportal.services import auth, invoice_staff, invoice_terms
from opsportal.services.invoice_staff import ItemInput
from opsportal.services.operator import OPERATOR
from tests.utils.builders import PASSWORD
from tests.utils.ledger import consume, grant

AT = datetime(2026, 12, 3, 14, 5, tzinfo=UTC)
HYPERLINK = '=HYPERLINK("https://evil.example","Details")'
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def client(database_url) -> TestClient:
    return TestClient(create_api(PlainTextResponse("the Reflex app")))


def download(client: TestClient, path: str) -> list[list[str]]:
    client.cookies.set(SESSION_COOKIE, auth.sign_in(email="olivia@northwind.example", password=PASSWORD).token)
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.text)))


def execute(sql: str, **params) -> None:
    with get_engine().begin() as conn:
        conn.execute(text(sql), params)


def test_a_credit_history_category_and_organization_name_written_as_formulas_download_as_quoted_text(world, client):
    execute("UPDATE organization SET name = :name WHERE id = :id", name="@SUM(1+1)", id=world.holdings.id)
    grant(world.holdings, 5, at=AT)
    consume(world.holdings, 3, category=HYPERLINK, at=AT)

    header, *rows = download(client, f"/api/credits/history.csv?org={world.holdings.id}")

    used = next(r for r in rows if r[2] == "Used")
    assert used[header.index("Category")] == "'" + HYPERLINK
    assert used[header.index("Organization")] == "'@SUM(1+1)"
    assert used[header.index("Lot holder")] == "'@SUM(1+1)"
    assert used[header.index("Minutes or credits")] == "3"
    assert not any(cell.startswith(FORMULA_STARTS) for row in rows for cell in row)


def test_an_invoice_whose_stored_period_is_a_formula_downloads_it_as_quoted_text_and_its_amounts_as_numbers(
        world, client):
    invoice_terms.set_invoice_terms(OPERATOR, world.holdings.id, tax_rate="20", payment_terms_days=30)
    row = invoice_staff.create_pre_service_invoice(
        OPERATOR, world.holdings.id, [ItemInput("On-site visit", 1, 7_900)], today=AT.date())
    execute("UPDATE invoice SET period = :period WHERE id = :id", period="-A1+A2", id=row.id)  # 7 characters at most

    header, *rows = download(client, f"/api/invoices.csv?org={world.holdings.id}")

    [invoice] = rows
    assert invoice[header.index("Period")] == "'-A1+A2"
    assert [invoice[header.index(c)] for c in ("Total", "Paid", "Outstanding")] == ["94.80", "0.00", "94.80"]
