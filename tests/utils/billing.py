"""What the billing-run tests share: time logged in February 2025, the run and pre-service invoices, and the rows they
leave (the fixtures are in tests/services/billing_run/conftest.py)."""

from __future__ import annotations

import threading
from datetime import date

from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.models import Invoice, InvoiceLine, TimeEntry
from opsportal.services import billing_run, invoice_staff, invoice_views
from opsportal.services.invoice_staff import ItemInput
from opsportal.services.operator import OPERATOR
from tests.utils.ledger import NOW
from tests.utils.tasks import entry_row, log

TODAY = NOW.date()  # 2025-03-10: February is over, March is not
FEBRUARY = "2025-02"
THREADS = 8
NOT_YOURS = "That organization was not found or you do not have access to it."
STAFF_ADMINS_ONLY = "Only staff administrators may do this."
STAFF_ONLY = "This area is for the support team only."
INTRUDERS = [
    ("fabrikam_owner", "holdings"),  # another tree
    ("logistics_owner", "retail"),  # a sibling
    ("holdings_owner", "retail"),  # the parent looking at its child
    ("retail_owner", "holdings"),  # the child looking at its parent
]


def feb(day: int) -> date:
    return date(2025, 2, day)


def log_on(task_id: int, minutes: int, work_date: date) -> int:
    return log(task_id, minutes, at=NOW, work_date=work_date).id


def bill(period: str = FEBRUARY, *, today: date = TODAY) -> billing_run.BillingRunResult:
    return billing_run.run_billing(OPERATOR, period, today=today)


def pre_service(org, *items: tuple[str, int, int], issue: bool = True, today: date = TODAY) -> invoice_views.InvoiceRow:
    lines = [ItemInput(d, c, p) for d, c, p in items] or [ItemInput("Emergency after-hours incident", 1, 25_000)]
    return invoice_staff.create_pre_service_invoice(OPERATOR, org.id, lines, issue=issue, today=today)


def invoice_rows(org=None) -> list[Invoice]:
    with unit_of_work(write=False) as session:
        query = select(Invoice).order_by(Invoice.id)
        if org is not None:
            query = query.where(Invoice.organization_id == org.id)
        return list(session.exec(query).all())


def invoice_row(invoice_id: int) -> Invoice:
    [row] = [r for r in invoice_rows() if r.id == invoice_id]
    return row


def lines_of(invoice_id: int) -> list[InvoiceLine]:
    with unit_of_work(write=False) as session:
        return list(session.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice_id)
                                 .order_by(InvoiceLine.position)).all())


def billed_to(entry_id: int) -> int | None:
    return entry_row(entry_id)["billed_invoice_id"]


def all_entries() -> list[TimeEntry]:
    with unit_of_work(write=False) as session:
        return list(session.exec(select(TimeEntry).order_by(TimeEntry.id)).all())


def numbers() -> list[str]:
    return sorted(r.number for r in invoice_rows() if r.number)


def run_threads(workers) -> list[BaseException]:
    """Runs each callable in a thread of its own, all released at once; returns the errors raised."""
    barrier = threading.Barrier(len(workers))
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(work) -> None:
        barrier.wait()
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    return errors
