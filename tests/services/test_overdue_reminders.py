"""Reminders of unpaid invoices (``services/overdue_reminders.py``) through a real SMTP server (SQLite and
PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from opsportal.services import bank_payments, invoice_staff, overdue_reminders
from opsportal.services.invoice_staff import ItemInput
from opsportal.services.operator import OPERATOR
from tests.utils.ledger import NOW
from tests.utils.mail import PUBLIC_URL, html_of, text_of, to


def test_an_unpaid_invoice_is_reminded_1_7_and_14_days_after_its_due_date_once_each_with_a_pay_link(world, inbox):
    issued = date(2025, 3, 1)
    invoice = invoice_staff.create_pre_service_invoice(OPERATOR, world.holdings.id,
                                                       [ItemInput("Emergency after-hours incident", 1, 45_000)],
                                                       today=issued)
    paid = invoice_staff.create_pre_service_invoice(OPERATOR, world.holdings.id, [ItemInput("Audit", 1, 10_000)],
                                                    today=issued)
    bank_payments.record_offline_payment(OPERATOR, paid.id, at=NOW)
    due = invoice.due_date
    sent_by_day = {}
    for days in (0, 1, 1, 3, 7, 8, 14, 20, 21, 30):
        report = overdue_reminders.run_overdue_reminders(OPERATOR, at=datetime.combine(due, time(9), UTC)
                                                     + timedelta(days=days))
        sent_by_day.setdefault(days, []).extend(sorted(o.email for o in report.sent))

    everyone = ["adam@northwind.example", "bianca@northwind.example", "olivia@northwind.example"]
    assert sent_by_day == {0: [], 1: everyone, 3: [], 7: everyone, 8: [], 14: everyone, 20: [], 21: [], 30: []}
    messages = inbox.new()
    assert len(messages) == 9 and "mark@northwind.example" not in {to(m) for m in messages}
    first = messages[0]
    assert first["Subject"] == f"Reminder: invoice {invoice.number} is 1 day overdue"
    assert messages[-1]["Subject"] == f"Reminder: invoice {invoice.number} is 14 days overdue"
    body = text_of(first)
    assert f"Invoice {invoice.number} of Northwind Holdings was due on 31 March 2025 and is now 1 day overdue." in body
    assert "  Amount due: USD 450.00" in body
    assert f"Pay it online: {PUBLIC_URL}/billing/invoices/{invoice.id}" in body
    assert f'href="{PUBLIC_URL}/billing/invoices/{invoice.id}"' in html_of(first)
    assert first["List-Unsubscribe"].startswith(f"<{PUBLIC_URL}/api/unsubscribe?token=")
