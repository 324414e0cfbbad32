"""The invoice PDF a finance team accepts: the bill-to block (name, billing address, tax ID), the vendor's bank
details whenever it offers a bank transfer (and no bank transfer without them), and dates, durations and amounts
written by domain.formats, the payment day in the reader's own zone. The PDF's text is read from the document."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from opsportal.services import bank_payments, billing_details, billing_run, invoice_staff, invoice_terms, invoice_views
from opsportal.services.billing_details import BillingDetailsInput
from opsportal.services.invoice_pdf import Vendor, render_invoice_pdf
from opsportal.services.invoice_staff import ItemInput
from opsportal.services.operator import OPERATOR
from opsportal.settings import get_settings
from tests.utils.pdf import pdf_text
from tests.utils.tasks import log, new_task, set_rate

ISSUED = date(2025, 3, 1)
BANK = ("Bank: First Harbour Bank", "Account number: 0012 3456 7890", "SWIFT/BIC: FHBKUS6S")
WITH_BANK = Vendor("Acme Support Ltd", ("1 Main Street", "Springfield"), "US12-3456789", BANK)
NO_BANK = Vendor("Acme Support Ltd", ("1 Main Street", "Springfield"))


def flat(text: str) -> str:
    """Lines joined with spaces: a sentence wrapped over several lines reads as one."""
    return " ".join(text.split())


@pytest.fixture
def owed(world):
    """Holdings owes USD 1,901.02 (20 % tax) on an invoice issued on 1 March 2025, its billing details filled in."""
    invoice_terms.set_invoice_terms(OPERATOR, world.holdings.id, tax_rate="20", payment_terms_days=30)
    billing_details.save(world.actor("holdings_billing"), world.holdings.id, BillingDetailsInput(
        address="Northwind Holdings Ltd\nAttn: Accounts Payable\n1 Quay Street\nLondon EC1A 1AA\nUnited Kingdom",
        tax_id="GB 123 4567 89", invoice_email="accounts@northwind.example"))
    return invoice_staff.create_pre_service_invoice(OPERATOR, world.holdings.id,
                                                    [ItemInput("On-site network audit", 2, 79_209)], today=ISSUED)


def rendered(world, invoice_id: int, vendor: Vendor = WITH_BANK, who: str = "holdings_billing",
             time_zone: str | None = None) -> str:
    """The PDF's text as a customer downloads it (the system's Unicode font, compressed)."""
    detail = invoice_views.invoice_detail(world.actor(who), invoice_id, today=ISSUED)
    return pdf_text(render_invoice_pdf(detail, vendor=vendor, public_url="https://portal.example",
                                       time_zone=time_zone))


def test_the_core_font_pdf_reads_the_same(world, owed):
    detail = invoice_views.invoice_detail(world.actor("holdings_billing"), owed.id, today=ISSUED)
    core = render_invoice_pdf(detail, vendor=WITH_BANK, public_url="https://portal.example", font_dir=None)
    assert flat(pdf_text(core)) == flat(rendered(world, owed.id))


def test_the_bill_to_block_shows_the_name_every_address_line_and_the_tax_id(world, owed):
    text = rendered(world, owed.id)
    block = text[text.index("BILL TO"):].splitlines()[1:8]
    assert block == ["Northwind Holdings", "Northwind Holdings Ltd", "Attn: Accounts Payable", "1 Quay Street",
                     "London EC1A 1AA", "United Kingdom", "Tax ID: GB 123 4567 89"]


def test_without_billing_details_the_bill_to_block_is_the_name_alone(world):
    plain = invoice_staff.create_pre_service_invoice(OPERATOR, world.fabrikam.id, [ItemInput("Audit", 1, 10_000)],
                                                     today=ISSUED)
    text = rendered(world, plain.id, who="fabrikam_owner")
    assert text[text.index("BILL TO"):].splitlines()[1:3] == ["Fabrikam Clinics", "Amounts in USD"]


def test_an_open_invoice_offering_a_bank_transfer_prints_the_vendors_bank_details(world, owed):
    text = rendered(world, owed.id, WITH_BANK)
    assert (f"Please pay USD 1,901.02 by 31 Mar 2025: online by card at https://portal.example (Billing > My "
            f"Invoices), or by bank transfer to the account below, quoting {owed.number} as the reference.") \
        in flat(text)
    details = text[text.index("BANK TRANSFER"):].splitlines()[1:4]
    assert tuple(details) == BANK


def test_without_bank_details_the_invoice_never_mentions_a_bank_transfer(world, owed):
    text = rendered(world, owed.id, NO_BANK)
    assert "Please pay USD 1,901.02 by 31 Mar 2025: online by card at https://portal.example" in flat(text)
    assert "bank" not in text.lower()


def test_the_vendor_takes_its_bank_details_from_the_settings(monkeypatch):
    monkeypatch.setenv("OPSPORTAL_VENDOR_BANK_DETAILS", "Bank: Harbour Bank; IBAN: GB33BUKB20201555555555\n")
    get_settings.cache_clear()
    try:
        assert Vendor.from_settings().bank_lines == ("Bank: Harbour Bank", "IBAN: GB33BUKB20201555555555")
        monkeypatch.setenv("OPSPORTAL_VENDOR_BANK_DETAILS", "")
        get_settings.cache_clear()
        assert Vendor.from_settings().bank_lines == ()
    finally:
        get_settings.cache_clear()


def test_dates_and_amounts_are_written_by_the_formats_module(world, owed):
    text = rendered(world, owed.id).splitlines()
    assert "1 Mar 2025" in text and "31 Mar 2025" in text  # issue and due dates
    assert {"792.09", "1,584.18", "316.84", "1,901.02", "Tax (20%)"} <= set(text)


def test_time_lines_read_as_durations_and_the_billing_period_as_a_month(world):
    set_rate(world.retail, 12_000)
    log(new_task(world.retail), 90, work_date=date(2025, 2, 3))
    [billed] = billing_run.run_billing(OPERATOR, "2025-02", today=date(2025, 3, 10)).invoices
    text = rendered(world, billed.invoice_id, who="retail_owner").splitlines()
    assert {"February 2025", "1 h 30 min", "120.00 / h", "180.00"} <= set(text)


def test_the_payment_day_is_the_readers_day(world, owed):
    late_evening = datetime(2025, 3, 3, 23, 30, tzinfo=UTC)  # already 4 March in Sydney
    bank_payments.record_offline_payment(OPERATOR, owed.id, at=late_evening)
    assert "Paid in full on 3 Mar 2025." in flat(rendered(world, owed.id, time_zone="Europe/London"))
    assert "Paid in full on 4 Mar 2025." in flat(rendered(world, owed.id, time_zone="Australia/Sydney"))
    assert "bank transfer to the account below" not in flat(rendered(world, owed.id))


def _move_holdings(world) -> None:
    billing_details.save(world.actor("holdings_billing"), world.holdings.id, BillingDetailsInput(
        address="Northwind Holdings Ltd\n9 New Road\nLeeds LS1 1AA", tax_id="GB 999 0000 11",
        invoice_email="accounts@northwind.example"))


def test_an_issued_invoice_keeps_the_bill_to_details_it_was_issued_with(world, owed):
    _move_holdings(world)
    text = rendered(world, owed.id)
    assert "1 Quay Street" in text and "Tax ID: GB 123 4567 89" in text
    assert "9 New Road" not in text and "GB 999 0000 11" not in text


def test_a_draft_takes_the_bill_to_details_in_force_when_it_is_issued(world):
    invoice_terms.set_invoice_terms(OPERATOR, world.holdings.id, tax_rate="20", payment_terms_days=30)
    draft = invoice_staff.create_pre_service_invoice(OPERATOR, world.holdings.id, [ItemInput("Audit", 1, 10_000)],
                                                     issue=False, today=ISSUED)
    _move_holdings(world)
    issued = invoice_staff.issue_draft(OPERATOR, draft.id, today=ISSUED)
    text = rendered(world, issued.id)
    assert "9 New Road" in text and "Tax ID: GB 999 0000 11" in text
