"""Invoice e-mails reach the organization's invoice address when it has one: each overdue reminder goes there
once (as a copy beside the subscribed billing contacts' own reminders), without anyone's unsubscribe link."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from opsportal.services import billing_details, invoice_staff, overdue_reminders
from opsportal.services.billing_details import BillingDetailsInput
from opsportal.services.invoice_staff import ItemInput
from opsportal.services.operator import OPERATOR
from tests.utils.mail import PUBLIC_URL, text_of, to

ACCOUNTS = "accounts@northwind.example"
CONTACTS = ["adam@northwind.example", "bianca@northwind.example", "olivia@northwind.example"]


# ``inbox`` (the local SMTP sink) is tests/services/conftest.py's.


def overdue_invoice(world):
    return invoice_staff.create_pre_service_invoice(OPERATOR, world.holdings.id,
                                                    [ItemInput("Emergency after-hours incident", 1, 45_000)],
                                                    today=date(2025, 3, 1))


def remind(invoice, days: int):
    return overdue_reminders.run_overdue_reminders(OPERATOR, at=datetime.combine(invoice.due_date, time(9), UTC)
                                               + timedelta(days=days))


def set_invoice_email(world, address: str) -> None:
    billing_details.save(world.actor("holdings_billing"), world.holdings.id,
                         BillingDetailsInput(address="", tax_id="", invoice_email=address))


def test_each_reminder_goes_once_to_the_invoice_address_beside_the_contacts_own(world, inbox):
    set_invoice_email(world, ACCOUNTS)
    invoice = overdue_invoice(world)
    for days in (1, 1, 3, 7, 7):
        remind(invoice, days)
    received = [to(m) for m in inbox.new()]
    assert sorted(received) == sorted((CONTACTS + [ACCOUNTS]) * 2)


def test_the_invoice_address_copy_names_why_it_came_and_carries_no_unsubscribe_link(world, inbox):
    set_invoice_email(world, ACCOUNTS)
    invoice = overdue_invoice(world)
    report = remind(invoice, 1)
    assert [(o.email, o.reason) for o in report.sent if o.email == ACCOUNTS] == [
        (ACCOUNTS, "copy to the invoice address")]
    [copy] = [m for m in inbox.new() if to(m) == ACCOUNTS]
    assert copy["Subject"] == f"Reminder: invoice {invoice.number} is 1 day overdue"
    assert copy["List-Unsubscribe"] is None
    body = text_of(copy)
    assert "Hello Northwind Holdings," in body
    assert f"Pay it online: {PUBLIC_URL}/billing/invoices/{invoice.id}" in body
    assert ("You receive this e-mail because it is the invoice address of Northwind Holdings; its billing contacts "
            f"change it on the organization's page in OpsPortal: {PUBLIC_URL}/organizations/{world.holdings.id}"
            ) in body
    assert "Unsubscribe" not in body


def test_without_an_invoice_address_reminders_go_to_the_contacts_only(world, inbox):
    remind(overdue_invoice(world), 1)
    assert sorted(to(m) for m in inbox.new()) == CONTACTS


def test_a_dry_run_says_the_invoice_address_would_get_a_copy_and_sends_nothing(world, inbox):
    set_invoice_email(world, ACCOUNTS)
    invoice = overdue_invoice(world)
    report = overdue_reminders.run_overdue_reminders(
        OPERATOR, at=datetime.combine(invoice.due_date, time(9), UTC) + timedelta(days=1), dry_run=True)
    assert ACCOUNTS in {o.email for o in report.outcomes if o.outcome == "would_send"}
    assert inbox.new() == []
