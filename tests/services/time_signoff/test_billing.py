"""The billing run bills only signed-off time (approved, approved automatically, or resolved), picks up earlier
months' time once it becomes billable, and the invoice carries the approved timesheet as a PDF page; the
scheduled job approves what nobody disputed by the deadline (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from opsportal.services import billing_run, invoice_views, signoff_store, time_disputes, time_signoff
from opsportal.services.errors import NotFound, PermissionDenied
from opsportal.services.invoice_pdf import Vendor, render_invoice_pdf
from opsportal.services.invoice_timesheet import invoice_timesheet
from opsportal.services.operator import OPERATOR
from tests.services.time_signoff.conftest import AFTER_DEADLINE, IN_WINDOW, MARCH, mar, review_of
from tests.utils.billing import billed_to
from tests.utils.pdf import pdf_text
from tests.utils.tasks import log

APRIL_2 = date(2025, 4, 2)  # March is over, its sign-off is not
VENDOR = Vendor("OpsPortal Support Services", ("200 Harbour Street",))


def _bill(period: str = MARCH, today: date = APRIL_2) -> billing_run.BillingRunResult:
    return billing_run.run_billing(OPERATOR, period, today=today)


def test_the_run_bills_only_approved_time_and_a_resolved_dispute_is_billed_by_a_later_run(march):
    owner = march.world.actor("retail_owner")
    time_signoff.approve(owner, march.world.retail.id, MARCH, ticket_id=march.printer, at=IN_WINDOW)
    time_signoff.approve(owner, march.world.retail.id, MARCH, ticket_id=march.vpn, at=IN_WINDOW)
    time_signoff.dispute(owner, march.entries["vpn"], "No VPN trouble that day", at=IN_WINDOW)

    [first] = _bill().invoices

    assert (first.entries, first.total_minor) == (2, 18_000)  # the printer's 1 h 30 min at USD 120.00
    assert billed_to(march.entries["vpn"]) is None
    assert _bill().invoices == []  # the dispute is still open
    time_disputes.resolve(march.world.actor("agent"), march.entries["vpn"], "corrected", "It was 15 minutes.",
                          minutes=15, at=IN_WINDOW + timedelta(hours=1))

    [second] = _bill(today=APRIL_2 + timedelta(days=1)).invoices

    assert (second.entries, second.total_minor) == (1, 3_000)  # the corrected 15 minutes
    assert billed_to(march.entries["vpn"]) == second.invoice_id


def test_time_awaiting_review_waits_for_the_deadline_then_is_billed_as_approved_automatically(march):
    assert _bill().invoices == []

    [invoice] = _bill(today=AFTER_DEADLINE.date()).invoices

    assert (invoice.entries, invoice.total_minor) == (3, 27_000)
    assert review_of(march.entries["vpn"]).state == "auto_approved"


def test_a_written_off_entry_is_never_billed(march):
    owner = march.world.actor("retail_owner")
    time_signoff.dispute(owner, march.entries["vpn"], "Not ours", at=IN_WINDOW)
    time_disputes.resolve(march.world.actor("agent"), march.entries["vpn"], "written_off", "Written off.",
                          at=IN_WINDOW + timedelta(hours=1))

    [invoice] = _bill(today=AFTER_DEADLINE.date()).invoices

    assert (invoice.entries, invoice.total_minor) == (2, 18_000)
    assert billed_to(march.entries["vpn"]) is None


def test_a_later_months_run_bills_earlier_time_that_became_billable_meanwhile(march):
    owner = march.world.actor("retail_owner")
    time_signoff.dispute(owner, march.entries["vpn"], "Not ours", at=IN_WINDOW)
    _bill(today=AFTER_DEADLINE.date())  # March: the two printer entries
    time_disputes.resolve(march.world.actor("agent"), march.entries["vpn"], "kept", "Logs attached.",
                          at=AFTER_DEADLINE + timedelta(days=1))

    [april] = _bill("2025-04", today=date(2025, 5, 1)).invoices

    assert (april.entries, april.total_minor) == (1, 9_000)
    assert billed_to(march.entries["vpn"]) == april.invoice_id


def test_the_job_approves_unreviewed_time_past_its_deadline_once_and_leaves_disputes_alone(march):
    time_signoff.dispute(march.world.actor("retail_owner"), march.entries["vpn"], "Not ours", at=IN_WINDOW)

    assert signoff_store.run_auto_approval(OPERATOR, at=IN_WINDOW) == 0
    assert signoff_store.run_auto_approval(OPERATOR, at=AFTER_DEADLINE) == 2
    assert signoff_store.run_auto_approval(OPERATOR, at=AFTER_DEADLINE) == 0
    assert review_of(march.entries["printer_1"]).state == "auto_approved"
    assert review_of(march.entries["vpn"]).state == "disputed"


def test_the_invoice_pdf_carries_the_approved_timesheet_per_task(march):
    owner = march.world.actor("retail_owner")
    time_signoff.approve(owner, march.world.retail.id, MARCH, ticket_id=march.printer, at=IN_WINDOW)
    log(march.printer, 90, work_date=mar(6), note="Tray sensor")  # reviewed by nobody: approved automatically
    [invoice] = _bill(today=AFTER_DEADLINE.date()).invoices
    billing = march.world.actor("retail_owner")

    sheet = invoice_timesheet(billing, invoice.invoice_id)
    detail = invoice_views.invoice_detail(billing, invoice.invoice_id)
    text = " ".join(pdf_text(render_invoice_pdf(detail, vendor=VENDOR, public_url="https://portal.example",
                                                timesheet=sheet)).split())

    assert [(t.title, [e.minutes for e in t.entries]) for t in sheet] == [
        ("Printer offline", [60, 30, 90]), ("VPN drops", [45])]
    assert "Approved timesheet" in text
    assert f"Task #{march.printer} Printer offline" in text
    for shown in ("Replaced the fuser", "Approved by Rita Alvarez", "Approved automatically", "1 h 30 min",
                  "3 h", "Tray sensor", "45 min"):
        assert shown in text, shown


def test_another_organization_cannot_read_an_invoices_timesheet(march):
    [invoice] = _bill(today=AFTER_DEADLINE.date()).invoices

    with pytest.raises(NotFound):
        invoice_timesheet(march.world.actor("fabrikam_owner"), invoice.invoice_id)
    with pytest.raises((NotFound, PermissionDenied)):
        invoice_timesheet(march.world.actor("retail_member"), invoice.invoice_id)
