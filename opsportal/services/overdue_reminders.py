"""Overdue invoice reminders: open invoices 1, 7 and 14 days past their due date, each stage once per subscriber,
with a copy to the organization's invoice address when it has one."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from opsportal import routes
from opsportal.db import unit_of_work
from opsportal.domain import formats
from opsportal.domain import notifications as rules
from opsportal.domain.invoices import InvoiceStatus
from opsportal.domain.notifications import NotificationKind
from opsportal.models import Invoice, Organization
from opsportal.services import notice_mail, orgtree
from opsportal.services.authz import Actor, require_staff_admin
from opsportal.services.notice_delivery import JobReport, Outcome, deliver, run_instant
from opsportal.services.notice_mail import Recipient
from opsportal.services.portal_urls import portal_url


def _days(n: int) -> str:
    return f"{n} day" + ("" if n == 1 else "s")


def run_overdue_reminders(actor: Actor, *, at: datetime | None = None, dry_run: bool = False) -> JobReport:
    """Reminders of open invoices 1, 7 and 14 days past their due date, each stage once per subscriber."""
    require_staff_admin(actor)
    at = run_instant(at)
    today = at.date()
    kind = NotificationKind.overdue_reminder
    report = JobReport(kind=kind.value, at=at, dry_run=dry_run)
    earliest, latest = rules.overdue_window(today)
    with unit_of_work(write=False) as session:
        invoices = session.exec(
            select(Invoice).where(Invoice.status == InvoiceStatus.open.value, Invoice.number.is_not(None),
                                  Invoice.due_date >= earliest, Invoice.due_date <= latest,
                                  Invoice.total_minor > Invoice.amount_paid_minor)
            .order_by(Invoice.due_date, Invoice.id)
        ).all()
        by_org = notice_mail.recipients(session, kind, {inv.organization_id for inv in invoices})
        # Organizations with an invoice address get a copy of each reminder there (domain.billing_details).
        invoice_addresses = dict(session.exec(select(Organization.id, Organization.invoice_email).where(
            Organization.id.in_({inv.organization_id for inv in invoices}),
            Organization.invoice_email.is_not(None))).all())
        names = orgtree.names(session, {inv.organization_id for inv in invoices})
    for inv in invoices:
        stage = rules.overdue_stage(inv.due_date, today)
        if stage is None:
            continue
        key = rules.overdue_key(inv.id, stage)
        name = names.get(inv.organization_id, "?")
        recipients = by_org.get(inv.organization_id, [])
        if not recipients:
            report.outcomes.append(Outcome("skipped", kind.value, key, name, None, "no one subscribed"))
            continue
        overdue = _days((today - inv.due_date).days)
        details = {"number": inv.number, "organization": name, "issue_date": formats.long_day(inv.issue_date)
                   if inv.issue_date else "", "due_date": formats.long_day(inv.due_date), "days_overdue": overdue,
                   "total": formats.money(inv.total_minor, inv.currency),
                   "outstanding": formats.money(inv.total_minor - inv.amount_paid_minor, inv.currency)}
        subject = f"Reminder: invoice {inv.number} is {overdue} overdue"

        def compose(r: Recipient, details=details, subject=subject, invoice_id=inv.id, name=name):
            return notice_mail.notice(kind, r, name, "overdue_reminder", subject=subject,
                                      heading=f"Invoice {details['number']} is overdue",
                                      preheader=f"{details['outstanding']} was due on {details['due_date']}.",
                                      invoice=details, pay_url=portal_url(routes.invoice(invoice_id)))

        address = invoice_addresses.get(inv.organization_id)

        def copy(details=details, subject=subject, invoice_id=inv.id, name=name, address=address,
                 org_id=inv.organization_id):
            return notice_mail.invoice_address_notice(
                kind, address, name, "overdue_reminder", subject=subject,
                heading=f"Invoice {details['number']} is overdue",
                preheader=f"{details['outstanding']} was due on {details['due_date']}.", invoice=details,
                pay_url=portal_url(routes.invoice(invoice_id)), organization_id=org_id)

        deliver(report, kind, key, name, recipients, compose, copy if address else None)
    return report
