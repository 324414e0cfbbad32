"""The invoice downloads: the organization's invoices as CSV and one invoice as PDF, behind the session cookie
(SQLite and PostgreSQL); what a confirmed hour-block purchase added, for the checkout success page.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.responses import PlainTextResponse
from starlette.testclient import TestClient

from opsportal.api.routes import create_api
from opsportal.auth.security import SESSION_COOKIE
from opsportal.domain.hour_blocks import expiry_of_purchase
from opsportal.services import (
    auth,
    checkout_sessions,
    hour_blocks,
    invoice_staff,
    invoice_terms,
    invoice_views,
    payment_reconciliation,
    stripe_events,
)
from opsportal.services import stripe_gateway as gateway
from opsportal.services.errors import NotFound
from opsportal.services.invoice_pdf import Vendor, latin1, render_invoice_pdf
from opsportal.services.invoice_staff import ItemInput
from opsportal.services.operator import OPERATOR
from tests.utils.builders import PASSWORD

TODAY = datetime.now(UTC).date()
VENDOR = Vendor("Acme Support Ltd", ("1 Main Street", "Springfield"), "GB123456789")


@pytest.fixture
def invoice(world):
    """Holdings owes USD 189.60: two on-site visits at 79.00 (one description has an em dash) plus 20 % tax."""
    invoice_terms.set_invoice_terms(OPERATOR, world.holdings.id, tax_rate="20", payment_terms_days=30)
    return invoice_staff.create_pre_service_invoice(
        OPERATOR, world.holdings.id, [ItemInput("On-site visit — server room", 2, 7_900)], today=TODAY)


@pytest.fixture
def client(database_url) -> TestClient:
    return TestClient(create_api(PlainTextResponse("the Reflex app")))


def signed_in(client: TestClient, email: str) -> TestClient:
    client.cookies.set(SESSION_COOKIE, auth.sign_in(email=email, password=PASSWORD).token)
    return client


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _fake_checkout(**kwargs: Any) -> gateway.CheckoutSession:
    session_id = f"cs_test_{uuid.uuid4().hex}"
    return gateway.CheckoutSession(id=session_id, url=f"https://checkout.stripe.test/{session_id}", status="open",
                                   payment_status="unpaid", amount_total=kwargs["amount_minor"],
                                   currency=kwargs["currency"].lower(), metadata=dict(kwargs["metadata"]))


def _completed(payment_id: int, session_id: str, amount: int) -> dict[str, Any]:
    return {"id": f"evt_{uuid.uuid4().hex}", "type": "checkout.session.completed", "data": {"object": {
        "id": session_id, "status": "complete", "payment_status": "paid", "amount_total": amount, "currency": "usd",
        "metadata": {"opsportal_payment_id": str(payment_id)}, "payment_intent": f"pi_test_{payment_id}"}}}


# ----------------------------------------------------------------------------------------- CSV


def test_the_invoice_csv_lists_the_invoices_with_amounts_as_decimal_strings_and_statuses_as_words(world, invoice,
                                                                                                    client):
    response = signed_in(client, "bianca@northwind.example").get(f"/api/invoices.csv?org={world.holdings.id}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    header, *rows = csv_rows(response.text)
    assert header == ["Number", "Type", "Period", "Issue date", "Due date", "Currency", "Total", "Paid",
                      "Outstanding", "Status"]
    assert rows == [[invoice.number, "Pre-service", "", TODAY.isoformat(), (TODAY + timedelta(days=30)).isoformat(),
                     "USD", "189.60", "0.00", "189.60", "Pending"]]


def test_the_invoice_csv_without_an_organization_is_the_callers_own(world, invoice, client):
    response = signed_in(client, "olivia@northwind.example").get("/api/invoices.csv")
    assert response.status_code == 200
    assert [r[0] for r in csv_rows(response.text)[1:]] == [invoice.number]


def test_a_member_gets_no_invoice_csv(world, invoice, client):
    response = signed_in(client, "mark@northwind.example").get(f"/api/invoices.csv?org={world.holdings.id}")
    assert response.status_code == 403
    assert invoice.number not in response.text
    assert "owners, administrators and billing contacts" in response.text


def test_another_organizations_owner_gets_no_invoice_csv(world, invoice, client):
    response = signed_in(client, "fiona@fabrikam.example").get(f"/api/invoices.csv?org={world.holdings.id}")
    assert response.status_code == 403
    assert invoice.number not in response.text and "Northwind" not in response.text


def test_a_subsidiarys_owner_gets_no_csv_of_the_parents_invoices(world, invoice, client):
    response = signed_in(client, "rita@retail.northwind.example").get(f"/api/invoices.csv?org={world.holdings.id}")
    assert response.status_code == 403
    assert invoice.number not in response.text


def test_the_downloads_refuse_a_caller_without_a_session(world, invoice, client):
    assert client.get(f"/api/invoices.csv?org={world.holdings.id}").status_code == 401
    response = client.get(f"/api/invoices/{invoice.id}.pdf")
    assert response.status_code == 401
    assert not response.content.startswith(b"%PDF")


# ----------------------------------------------------------------------------------------- PDF


def test_the_invoice_pdf_is_a_pdf_named_after_the_invoice_number(world, invoice, client):
    response = signed_in(client, "bianca@northwind.example").get(f"/api/invoices/{invoice.id}.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert f'filename="{invoice.number}.pdf"' in response.headers["content-disposition"]
    assert response.content.startswith(b"%PDF-")
    assert invoice.number.encode() in response.content  # the document's title


def test_a_member_gets_no_invoice_pdf(world, invoice, client):
    response = signed_in(client, "mark@northwind.example").get(f"/api/invoices/{invoice.id}.pdf")
    assert response.status_code == 403
    assert not response.content.startswith(b"%PDF")
    assert invoice.number.encode() not in response.content


def test_another_organizations_owner_is_told_the_invoice_does_not_exist(world, invoice, client):
    response = signed_in(client, "fiona@fabrikam.example").get(f"/api/invoices/{invoice.id}.pdf")
    assert response.status_code == 404
    assert not response.content.startswith(b"%PDF")
    assert invoice.number.encode() not in response.content


def test_a_draft_invoice_has_no_pdf_for_the_customer(world, client):
    draft = invoice_staff.create_pre_service_invoice(OPERATOR, world.holdings.id,
                                                     [ItemInput("Wi-Fi survey", 1, 50_000)],
                                                     issue=False)
    response = signed_in(client, "olivia@northwind.example").get(f"/api/invoices/{draft.id}.pdf")
    assert response.status_code == 404


def uncompressed(detail) -> bytes:
    """The PDF in the core font without stream compression: its text is readable in the raw bytes."""
    return render_invoice_pdf(detail, vendor=VENDOR, public_url="https://portal.example", font_dir=None,
                              compress=False)


def test_the_pdf_shows_the_vendor_the_customer_the_lines_and_the_totals(world, invoice):
    body = uncompressed(invoice_views.invoice_detail(world.actor("holdings_billing"), invoice.id))
    for text in ("INVOICE", invoice.number, "Acme Support Ltd", "Tax ID: GB123456789", "Northwind Holdings",
                 "79.00", "158.00", "Tax \\(20%\\)", "31.60", "189.60", "Outstanding \\(USD\\)"):
        assert text.encode() in body, text


def test_the_core_font_pdf_replaces_characters_latin_1_lacks(world, invoice):
    body = uncompressed(invoice_views.invoice_detail(world.actor("holdings_billing"), invoice.id))
    assert b"On-site visit - server room" in body
    assert latin1("Zürich — “quoted” …") == 'Zürich - "quoted" ...'
    assert latin1("Čapek 東") == "Capek ?"


def test_a_paid_invoice_pdf_carries_a_paid_stamp_and_no_payment_request(world, invoice, monkeypatch):
    monkeypatch.setattr(gateway, "create_checkout_session", _fake_checkout)
    start = checkout_sessions.start_invoice_checkout(world.actor("holdings_billing"), invoice.id)
    stripe_events.apply_event(_completed(start.payment_id, start.url.rsplit("/", 1)[-1], 18_960))
    body = uncompressed(invoice_views.invoice_detail(world.actor("holdings_billing"), invoice.id))
    assert b"(PAID)" in body
    assert b"Paid in full" in body
    assert b"Please pay" not in body


def test_an_open_invoice_pdf_says_how_to_pay_it(world, invoice):
    body = uncompressed(invoice_views.invoice_detail(world.actor("holdings_billing"), invoice.id))
    assert b"Please pay USD 189.60" in body
    assert b"(PAID)" not in body


def test_the_pdf_renders_with_the_system_font_when_there_is_one(world, invoice):
    body = render_invoice_pdf(invoice_views.invoice_detail(world.actor("holdings_billing"), invoice.id), vendor=VENDOR)
    assert body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")


# ----------------------------------------------------------------------------------------- hours bought


def test_hours_added_says_how_many_hours_a_confirmed_block_added_and_through_when(world, monkeypatch):
    monkeypatch.setattr(gateway, "create_checkout_session", _fake_checkout)
    block = hour_blocks.save_block(OPERATOR, block_id=None, name="Standard block", hours=10, price_minor=114_000,
                                   currency="USD", validity_days=365)
    buyer = world.actor("holdings_billing")
    start = checkout_sessions.start_hour_block_checkout(buyer, block.id)
    session_id = start.url.rsplit("/", 1)[-1]
    assert payment_reconciliation.hours_added(buyer, start.payment_id) is None  # not confirmed yet
    stripe_events.apply_event(_completed(start.payment_id, session_id, 114_000))
    added = payment_reconciliation.hours_added(buyer, start.payment_id)
    assert (added.hours, added.usable_through) == (10, expiry_of_purchase(TODAY, 365))
    with pytest.raises(NotFound):
        payment_reconciliation.hours_added(world.actor("fabrikam_owner"), start.payment_id)
