"""The incident box on a task page: customers are asked to pay, agents are told the work waits for payment."""

from __future__ import annotations

from datetime import UTC, datetime

from opsportal.services.incidents import IncidentRow
from opsportal.state.task_incident import incident_view


def row(status: str = "awaiting_payment", label: str = "Awaiting payment") -> IncidentRow:
    return IncidentRow(7, "emergency", "Pay-Per-Incident Emergency After-Hours", status, label,
                       datetime(2026, 11, 21, 3, 0, tzinfo=UTC), datetime(2026, 11, 21, 5, 0, tzinfo=UTC), 2,
                       "hour", 41, "Order database down", 9, "INV-2026-00042", "USD 500.00")


def test_an_ordinary_task_has_no_incident_box():
    assert incident_view(None) == {} and incident_view(None, staff=True) == {}


def test_a_customer_is_asked_to_pay_the_invoice_on_the_customer_invoice_page():
    view = incident_view(row())
    assert view["text"] == "Awaiting payment — pay invoice INV-2026-00042 (USD 500.00) to have it scheduled."
    assert (view["invoice_href"], view["pay"]) == ("/billing/invoices/9", "yes")


def test_an_agent_is_told_the_work_waits_for_payment_and_gets_the_staff_invoice_without_a_pay_link():
    view = incident_view(row(), staff=True)
    assert view["text"] == "Awaiting payment of invoice INV-2026-00042 (USD 500.00): work starts once it is paid."
    assert (view["invoice_href"], view["pay"]) == ("/staff/invoices/9", "")


def test_a_scheduled_incident_shows_its_window_to_customer_and_agent_alike():
    for staff in (False, True):
        view = incident_view(row("scheduled", "Scheduled"), staff=staff)
        assert view["text"] == "Scheduled for Sat 21 Nov 2026, 03:00–05:00 UTC."
        assert (view["status"], view["color"], view["pay"]) == ("Scheduled", "green", "")
