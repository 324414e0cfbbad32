"""Invoice numbers run without gaps or duplicates within a year, however many staff issue invoices at once
(SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest

from opsportal.db import unit_of_work
from opsportal.domain import invoices as rules
from opsportal.models import InvoiceCounter, Organization
from opsportal.services import invoice_issuing, invoice_staff
from opsportal.services.errors import Conflict
from opsportal.services.invoice_staff import ItemInput
from opsportal.services.operator import OPERATOR
from tests.utils.billing import THREADS, TODAY, invoice_row, invoice_rows, numbers, pre_service, run_threads


def test_numbers_run_without_gaps_within_a_year_and_start_again_at_one_in_a_new_year(world):
    first = pre_service(world.retail, today=date(2025, 12, 31))
    second = pre_service(world.fabrikam, today=date(2025, 12, 31))
    new_year = pre_service(world.retail, today=date(2026, 1, 1))

    assert (first.number, second.number, new_year.number) == ("INV-2025-00001", "INV-2025-00002", "INV-2026-00001")


def test_a_draft_has_no_number_and_takes_the_next_one_when_it_is_issued(world):
    draft = pre_service(world.retail, issue=False)
    issued = pre_service(world.retail)

    assert draft.number == f"Draft {draft.id}" and invoice_row(draft.id).number is None
    assert draft.status is rules.ShownStatus.draft
    later = invoice_staff.issue_draft(OPERATOR, draft.id, today=TODAY + timedelta(days=1))
    assert (issued.number, later.number) == ("INV-2025-00001", "INV-2025-00002")
    assert (later.issue_date, later.status) == (TODAY + timedelta(days=1), rules.ShownStatus.pending)
    with pytest.raises(Conflict, match="already issued"):
        invoice_staff.issue_draft(OPERATOR, draft.id, today=TODAY)


def test_an_invoice_whose_transaction_rolls_back_gives_its_number_back(world):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), unit_of_work() as session:
        org = session.get(Organization, world.retail.id)
        inv = invoice_issuing.create_in_session(session, org=org, kind=rules.InvoiceKind.pre_service,
                                                lines=[rules.item_line("Call-out", 1, 10_000)], currency="USD",
                                                issue_on=TODAY)
        assert inv.number == "INV-2025-00001"
        raise Boom

    assert invoice_rows() == []
    assert pre_service(world.retail).number == "INV-2025-00001"


def test_eight_staff_issuing_invoices_at_once_get_the_numbers_one_to_eight_without_gaps_or_duplicates(world):
    orgs = [world.retail, world.holdings, world.logistics, world.fabrikam]
    made: list[str] = []
    lock = threading.Lock()

    def issuer(n: int):
        def work() -> None:
            row = invoice_staff.create_pre_service_invoice(
                world.actor("agent") if n % 2 else OPERATOR, orgs[n % len(orgs)].id,
                [ItemInput(f"Incident {n}", 1, 10_000 + n)], today=TODAY)
            with lock:
                made.append(row.number)
        return work

    errors = run_threads([issuer(n) for n in range(THREADS)])

    assert errors == []
    expected = [rules.format_number(2025, n) for n in range(1, THREADS + 1)]
    assert sorted(made) == expected
    assert numbers() == expected
    with unit_of_work(write=False) as session:
        assert session.get(InvoiceCounter, 2025).last_number == THREADS
