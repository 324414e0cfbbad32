"""Demo billing: the hour-block catalog on sale, tax rates and payment terms, and invoices for the demo
pay-as-you-go history, so both the customers' invoice pages and the staff billing page have something real.

Every finished month of the demo tasks is billed by the real billing run, as if run on the 1st of the
following month (so older invoices are overdue by now); then the older invoices are marked paid by bank
transfer, leaving each organization's latest overdue invoice unpaid. Northwind Holdings gets a pre-service
invoice where its own pay-as-you-go time cannot give it one paid, one overdue and one pending invoice.

Idempotent: the invoices are skipped when the demo organizations already have any.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func
from sqlmodel import select

from opsportal import clock
from opsportal.db import unit_of_work
from opsportal.domain.invoices import (
    BillingPeriod,
    InvoiceKind,
    InvoiceStatus,
    ShownStatus,
    due_date,
    period_before,
    shown_status,
)
from opsportal.models import Invoice, TimeEntry
from opsportal.services import bank_payments, billing_run, hour_blocks, invoice_staff, invoice_terms
from opsportal.services.authz import Actor, require_staff_admin
from opsportal.services.demo_signoff import load_demo_signoff
from opsportal.services.orgtree import require_by_name
from opsportal.services.signoff_store import signoff_days

# organization -> tax rate (per cent): set before any invoice is made, as invoices keep the rate they had
TAX_RATES = {
    "Northwind Holdings": "0",
    "Northwind Retail": "8.25",
    "Northwind Logistics": "8.25",
    "Fabrikam Clinics": "19",
}
PAYMENT_TERMS_DAYS = 30
SHOWCASE = "Northwind Holdings"  # must show a paid, an overdue and a pending invoice
# Pre-service work billed to the showcase organization when its pay-as-you-go time is not enough:
# (description, quantity, unit price in minor units, memo)
FILLERS = [
    ("On-site network audit (per day)", 2, 95_000, "On-site network audit at the head office"),
    ("Firewall replacement at the branch office", 1, 180_000, "Firewall replacement, scheduled once paid"),
    ("After-hours server migration (per night)", 2, 70_000, "After-hours server migration"),
]
DRAFT = ("Northwind Logistics", "Warehouse Wi-Fi survey (per day)", 2, 88_000,
         "Wi-Fi survey of the new warehouse, to be confirmed with Lena Fischer")


@dataclass(frozen=True)
class DemoBillingResult:
    hour_blocks_created: int
    invoices_created: int
    invoices_paid: int


def _months(first: date, last: BillingPeriod) -> list[BillingPeriod]:
    out, period = [], BillingPeriod(first.year, first.month)
    while (period.year, period.month) <= (last.year, last.month):
        out.append(period)
        nxt = period.last_day + timedelta(days=1)
        period = BillingPeriod(nxt.year, nxt.month)
    return out


def _billed_on(period: BillingPeriod) -> date:
    """The day after the month's time sign-off closed (its time is then approved, automatically or not)."""
    return period.last_day + timedelta(days=signoff_days() + 1)


def _fillers(issue_dates: list[date], today: date) -> list[date]:
    """Issue dates of the pre-service invoices the showcase needs: two overdue (one gets paid) and one pending."""
    overdue = sum(due_date(d, PAYMENT_TERMS_DAYS) < today for d in issue_dates)
    pending = len(issue_dates) - overdue
    extra = [today - timedelta(days=PAYMENT_TERMS_DAYS + 45), today - timedelta(days=PAYMENT_TERMS_DAYS + 15)]
    return extra[:max(0, 2 - overdue)] + ([] if pending else [today])


def load_demo_billing(actor: Actor, *, now: datetime | None = None) -> DemoBillingResult:
    """Loads the demo catalog and invoices; returns what it added (zeros when it was already there)."""
    require_staff_admin(actor)
    now = (now or clock.now()).astimezone(UTC)
    today = now.date()
    blocks = hour_blocks.ensure_demo_catalog(actor)
    with unit_of_work(write=False) as session:
        orgs = {name: require_by_name(session, name).id for name in TAX_RATES}
        # The receipts of the demo's hour-block purchases (``demo_credits``) are there already.
        if session.exec(select(Invoice.id).where(Invoice.organization_id.in_(orgs.values()),
                                                 Invoice.kind != InvoiceKind.hour_block.value)).first() is not None:
            return DemoBillingResult(blocks, 0, 0)
        unbilled = (TimeEntry.billed_invoice_id.is_(None), TimeEntry.payg_minutes > 0,
                    TimeEntry.organization_id.in_(orgs.values()))
        first = session.exec(select(func.min(TimeEntry.work_date)).where(*unbilled)).one()
        showcase_days = session.exec(select(TimeEntry.work_date).where(
            *unbilled, TimeEntry.organization_id == orgs[SHOWCASE])).all()
    set_demo_terms(actor, orgs)

    # A month whose sign-off is still open is not billed yet (its time is on the Time sign-off page).
    periods = [p for p in _months(first, period_before(today)) if _billed_on(p) <= today] if first is not None else []
    showcase_months = {(d.year, d.month) for d in showcase_days}
    showcase_issues = [_billed_on(p) for p in periods if (p.year, p.month) in showcase_months]
    # (issue date, order, what): everything is issued in date order, so numbers follow the dates.
    events: list[tuple[date, int, object]] = [(_billed_on(p), 0, p) for p in periods]
    events += [(day, 1, FILLERS[n % len(FILLERS)]) for n, day in enumerate(_fillers(showcase_issues, today))]
    created = 0
    for day, _order, what in sorted(events, key=lambda e: (e[0], e[1])):
        if isinstance(what, BillingPeriod):
            created += len(billing_run.run_billing(actor, what.key, today=day).invoices)
        else:
            description, count, price, memo = what
            invoice_staff.create_pre_service_invoice(actor, orgs[SHOWCASE],
                                                     [invoice_staff.ItemInput(description, count, price)],
                                                     memo=memo, today=day)
            created += 1
    org_name, description, count, price, memo = DRAFT
    invoice_staff.create_pre_service_invoice(actor, orgs[org_name],
                                             [invoice_staff.ItemInput(description, count, price)],
                                             memo=memo, issue=False, today=today)
    created += 1
    load_demo_signoff(actor, now=now)
    return DemoBillingResult(blocks, created, _settle_older(actor, list(orgs.values()), today, now))


def set_demo_terms(actor: Actor, orgs: dict[str, int]) -> None:
    """Each demo organization's tax rate and payment terms (``orgs``: name -> id)."""
    for name, rate in TAX_RATES.items():
        invoice_terms.set_invoice_terms(actor, orgs[name], tax_rate=rate, payment_terms_days=PAYMENT_TERMS_DAYS)


def _settle_older(actor: Actor, org_ids: list[int], today: date, now: datetime) -> int:
    """Marks every overdue invoice paid by bank transfer except each organization's latest one."""
    with unit_of_work(write=False) as session:
        rows = session.exec(select(Invoice.id, Invoice.organization_id, Invoice.number, Invoice.issue_date,
                                   Invoice.due_date)
                            .where(Invoice.organization_id.in_(org_ids), Invoice.status == InvoiceStatus.open.value)
                            .order_by(Invoice.organization_id, Invoice.issue_date, Invoice.id)).all()
    by_org: dict[int, list[tuple]] = {}
    for row in rows:
        if shown_status(InvoiceStatus.open, row[4], today) is ShownStatus.overdue:
            by_org.setdefault(row[1], []).append(row)
    paid = 0
    for overdue in by_org.values():
        for invoice_id, _org, number, issued, due in overdue[:-1]:
            # Paid 8 to 21 days after issue, at 10:00 UTC (never after the due date, never in the future).
            day = min(issued + timedelta(days=8 + invoice_id * 5 % 14), due)
            at = min(datetime.combine(day, time(10), tzinfo=UTC), now)
            bank_payments.record_offline_payment(actor, invoice_id, at=at, reference=number)
            paid += 1
    return paid
