"""Billed time cannot be corrected; voiding an invoice makes its time unbilled again (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from opsportal.db import unit_of_work
from opsportal.domain import invoices as rules
from opsportal.models import Invoice
from opsportal.services import changes, invoice_staff, time_signoff
from opsportal.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from opsportal.services.operator import OPERATOR
from tests.utils.billing import STAFF_ADMINS_ONLY, bill, billed_to, feb, invoice_row, invoice_rows, pre_service
from tests.utils.db import dump_tables
from tests.utils.ledger import NOW
from tests.utils.tasks import correct, task_state


def test_a_billed_entry_cannot_be_corrected(february):
    _world, _tasks, entries = february
    bill()
    before = task_state()

    with pytest.raises(Conflict, match="This time entry is billed and can no longer change."):
        correct(entries["vpn"], 30, work_date=feb(20))

    assert task_state() == before


def test_voiding_an_invoice_makes_its_time_unbilled_again_and_a_new_run_bills_it_on_a_new_number(february):
    world, _tasks, entries = february
    bill()
    [first] = invoice_rows(world.retail)

    voided = invoice_staff.void_invoice(OPERATOR, first.id, reason="Wrong hourly rate", at=NOW)

    assert voided.status is rules.ShownStatus.void
    assert all(billed_to(entries[k]) is None for k in ("printer_1", "printer_2", "vpn"))
    correct(entries["vpn"], 30, work_date=feb(20))  # unbilled again, so correctable
    # The correction returned the approved entry to review; its signer approves it again before the new run.
    time_signoff.approve(world.actor("retail_owner"), world.retail.id, "2025-02", at=NOW)
    [rebilled] = bill().invoices
    assert rebilled.number == "INV-2025-00003"  # 1 and 2 went to the first run, never reused
    assert rebilled.total_minor == 18_000 + 6_000
    assert all(billed_to(entries[k]) == rebilled.invoice_id for k in ("printer_1", "printer_2", "vpn"))
    old = invoice_row(first.id)
    assert (old.number, old.status, old.void_reason, old.voided_at) == (first.number, "void", "Wrong hourly rate", NOW)


def test_voiding_an_invoice_tells_open_pages_of_its_organization_and_of_the_tasks_whose_time_is_unbilled(february):
    world, tasks_by_name, _entries = february
    bill()
    [first] = invoice_rows(world.retail)
    before = changes.newest_id()

    invoice_staff.void_invoice(OPERATOR, first.id, reason="Wrong hourly rate", at=NOW)

    announced = {topic for _id, topic in changes.since(before)}
    assert {f"org:{world.retail.id}", f"task:{tasks_by_name['printer']}", f"task:{tasks_by_name['vpn']}"} <= announced


def test_a_paid_or_void_invoice_cannot_be_voided_and_voiding_needs_a_reason_and_a_staff_admin(february):
    world, _tasks, _entries = february
    bill()
    [retail] = invoice_rows(world.retail)
    before = dump_tables()
    with pytest.raises(InvalidInput, match="Give a reason of 3 to 300 characters"):
        invoice_staff.void_invoice(OPERATOR, retail.id, reason="  x ")
    with pytest.raises(PermissionDenied, match=STAFF_ADMINS_ONLY):
        invoice_staff.void_invoice(world.actor("agent"), retail.id, reason="Wrong rate")
    with pytest.raises(PermissionDenied, match=STAFF_ADMINS_ONLY):
        invoice_staff.void_invoice(world.actor("retail_owner"), retail.id, reason="We do not like it")
    with pytest.raises(NotFound):
        invoice_staff.void_invoice(OPERATOR, 987_654, reason="Wrong rate")
    assert dump_tables() == before

    invoice_staff.void_invoice(OPERATOR, retail.id, reason="Wrong rate")
    with pytest.raises(Conflict, match="already void"):
        invoice_staff.void_invoice(OPERATOR, retail.id, reason="Wrong rate")

    paid = pre_service(world.retail)
    with unit_of_work() as session:
        row = session.get(Invoice, paid.id)
        row.status, row.amount_paid_minor = "paid", row.total_minor
        session.add(row)
    with pytest.raises(Conflict, match="A paid invoice cannot be voided"):
        invoice_staff.void_invoice(OPERATOR, paid.id, reason="Changed our mind")
