"""The post-service billing run, gapless invoice numbers, voiding, and who reads invoices (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.domain import invoices as rules
from opsportal.models import Invoice, InvoiceCounter, InvoiceLine, Organization, TimeEntry
from opsportal.services import billing_run, changes, invoice_issuing, invoice_staff, invoice_terms, invoice_views
from opsportal.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from opsportal.services.invoice_staff import ItemInput
from opsportal.services.operator import OPERATOR
from tests.utils.db import dump_tables
from tests.utils.ledger import NOW
from tests.utils.tasks import correct, entry_row, hours, log, new_task, set_rate, task_state

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


@pytest.fixture
def february(world):
    """Retail (USD 120.00 an hour) and Holdings (USD 100.00) logged pay-as-you-go time in February."""
    set_rate(world.retail, 12_000)
    set_rate(world.holdings, 10_000)
    printer = new_task(world.retail, subject="Printer offline")
    vpn = new_task(world.retail, subject="VPN drops")
    server = new_task(world.holdings, subject="Server patching")
    entries = {
        "printer_1": log_on(printer, 60, feb(3)),
        "printer_2": log_on(printer, 30, feb(10)),
        "vpn": log_on(vpn, 45, feb(20)),
        "server": log_on(server, 120, feb(5)),
    }
    return world, {"printer": printer, "vpn": vpn, "server": server}, entries


# ----------------------------------------------------------------------------------------- the run


def test_the_billing_run_makes_one_invoice_per_organization_with_its_unbilled_pay_as_you_go_time(february):
    world, tasks_, entries = february

    result = bill()

    assert result.period == FEBRUARY
    assert sorted((b.organization, b.total_minor, b.entries) for b in result.invoices) == [
        ("Northwind Holdings", 20_000, 1), ("Northwind Retail", 27_000, 3)]
    [retail] = invoice_rows(world.retail)
    assert (retail.kind, retail.status, retail.period, retail.currency) == ("post_service", "open", FEBRUARY, "USD")
    assert (retail.issue_date, retail.due_date) == (TODAY, TODAY + timedelta(days=30))
    assert (retail.subtotal_minor, retail.tax_minor, retail.total_minor, retail.amount_paid_minor) == (
        27_000, 0, 27_000, 0)
    assert retail.memo == "Pay-as-you-go support, February 2025"
    assert all(billed_to(entries[k]) == retail.id for k in ("printer_1", "printer_2", "vpn"))
    [holdings] = invoice_rows(world.holdings)
    assert billed_to(entries["server"]) == holdings.id
    assert numbers() == ["INV-2025-00001", "INV-2025-00002"]
    assert "Billed 2025-02: 2 invoice(s)" in result.summary


def test_an_invoice_has_one_line_per_task_with_its_minutes_and_the_entries_frozen_amounts(february):
    world, tasks_, _entries = february
    bill()
    [retail] = invoice_rows(world.retail)

    lines = lines_of(retail.id)

    assert [(ln.ticket_id, ln.quantity, ln.unit, ln.unit_price_minor, ln.amount_minor) for ln in lines] == [
        (tasks_["printer"], 90, "minute", 12_000, 18_000), (tasks_["vpn"], 45, "minute", 12_000, 9_000)]
    assert lines[0].description.startswith(f"Task #{tasks_['printer']} Printer offline")
    assert "2 entries" in lines[0].description and "1 entry" in lines[1].description
    assert [ln.position for ln in lines] == [1, 2]


def test_an_entry_keeps_the_rate_it_was_logged_at_when_the_rate_changes_before_billing(february):
    world, tasks_, _entries = february
    set_rate(world.retail, 15_000)
    log_on(tasks_["printer"], 60, feb(25))

    bill()

    [retail] = invoice_rows(world.retail)
    assert [(ln.ticket_id, ln.quantity, ln.unit_price_minor, ln.amount_minor) for ln in lines_of(retail.id)] == [
        (tasks_["printer"], 90, 12_000, 18_000), (tasks_["printer"], 60, 15_000, 15_000),
        (tasks_["vpn"], 45, 12_000, 9_000)]
    assert retail.total_minor == 42_000


def test_running_the_billing_again_bills_nothing_twice(february):
    bill()
    before = dump_tables()

    again = bill()

    assert again.invoices == []
    assert again.summary == "Nothing to bill for 2025-02: every pay-as-you-go entry of it is already billed."
    assert dump_tables() == before


def test_time_logged_later_for_a_billed_month_goes_on_a_new_invoice_of_its_own(february):
    world, tasks_, _entries = february
    bill()
    late = log_on(tasks_["vpn"], 15, feb(28))

    result = bill()

    [billed] = result.invoices
    assert (billed.organization, billed.entries, billed.total_minor) == ("Northwind Retail", 1, 3_000)
    assert billed_to(late) == billed.invoice_id
    assert len(invoice_rows(world.retail)) == 2


def test_entries_of_other_months_are_left_unbilled(world):
    set_rate(world.retail)
    task = new_task(world.retail)
    january = log_on(task, 60, date(2025, 1, 31))
    february = log_on(task, 60, feb(1))
    march = log_on(task, 60, date(2025, 3, 1))

    bill()

    assert billed_to(february) is not None
    assert (billed_to(january), billed_to(march)) == (None, None)
    [late_january] = bill("2025-01").invoices
    assert billed_to(january) == late_january.invoice_id
    assert billed_to(march) is None


def test_time_covered_by_prepaid_hours_is_not_billed(world):
    set_rate(world.retail)
    hours(world.retail, 120)
    task = new_task(world.retail)
    prepaid_only = log_on(task, 60, feb(3))

    assert bill().invoices == []
    assert billed_to(prepaid_only) is None

    partly = log_on(task, 90, feb(4))  # 60 prepaid minutes left: 30 are pay-as-you-go
    [billed] = bill().invoices
    assert [(ln.quantity, ln.amount_minor) for ln in lines_of(billed.invoice_id)] == [(30, 6_000)]
    assert billed_to(partly) == billed.invoice_id
    assert billed_to(prepaid_only) is None


def test_an_organization_whose_rate_is_in_two_currencies_gets_one_invoice_per_currency(world):
    set_rate(world.retail, 12_000, "USD")
    task = new_task(world.retail)
    log_on(task, 60, feb(3))
    set_rate(world.retail, 11_000, "EUR")
    log_on(task, 60, feb(4))

    result = bill()

    assert sorted((b.currency, b.total_minor) for b in result.invoices) == [("EUR", 11_000), ("USD", 12_000)]


def test_the_invoice_carries_the_organizations_tax_rate_and_payment_terms(february):
    world, _tasks, _entries = february
    invoice_terms.set_invoice_terms(OPERATOR, world.retail.id, tax_rate="8.25", payment_terms_days=14)

    bill()

    [retail] = invoice_rows(world.retail)
    assert (retail.subtotal_minor, retail.tax_rate_bp, retail.tax_minor) == (27_000, 825, 2_228)  # 2,227.5 up
    assert retail.total_minor == 29_228
    assert retail.due_date == TODAY + timedelta(days=14)
    detail = invoice_views.invoice_detail(world.actor("retail_owner"), retail.id, today=TODAY)
    assert (detail.tax_rate, detail.row.total_minor, detail.row.outstanding_minor) == ("8.25%", 29_228, 29_228)
    [holdings] = invoice_rows(world.holdings)
    assert (holdings.tax_rate_bp, holdings.tax_minor) == (0, 0)


# ----------------------------------------------------------------------------------------- billed time


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


# ----------------------------------------------------------------------------------------- numbering


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


def test_concurrent_billing_runs_for_the_same_period_put_each_entry_on_exactly_one_invoice(world):
    orgs = [world.retail, world.holdings, world.logistics, world.fabrikam]
    for n, org in enumerate(orgs):
        set_rate(org, 10_000 + 1_000 * n)
        task = new_task(org, subject=f"Task of {org.name}")
        for day in (3, 10, 17):
            log_on(task, 30 + day, feb(day))
    results: list[billing_run.BillingRunResult] = []
    lock = threading.Lock()

    def runner() -> None:
        result = bill()
        with lock:
            results.append(result)

    errors = run_threads([runner] * THREADS)

    assert errors == []
    billed = [b for r in results for b in r.invoices]
    assert sorted(b.organization for b in billed) == sorted(o.name for o in orgs)
    assert numbers() == [rules.format_number(2025, n) for n in range(1, len(orgs) + 1)]
    entries = all_entries()
    assert all(e.billed_invoice_id is not None for e in entries)
    for inv in invoice_rows():
        own = [e for e in entries if e.billed_invoice_id == inv.id]
        assert {e.organization_id for e in own} == {inv.organization_id}
        assert len(own) == 3
        assert inv.subtotal_minor == sum(e.payg_amount_minor for e in own)
        assert sum(ln.quantity for ln in lines_of(inv.id)) == sum(e.payg_minutes for e in own)


# ----------------------------------------------------------------------------------------- who reads invoices


@pytest.fixture
def issued(world):
    """Each organization has an open, a draft and a void invoice; retail also a paid one."""
    made = {}
    for name in ("holdings", "retail", "logistics", "fabrikam"):
        org = world.org(name)
        made[name] = pre_service(org, (f"{name} incident", 1, 20_000)).id
        made[f"{name}_draft"] = pre_service(org, issue=False).id
        made[f"{name}_void"] = pre_service(org).id
        invoice_staff.void_invoice(OPERATOR, made[f"{name}_void"], reason="Issued twice")
    paid = pre_service(world.retail, ("Paid incident", 1, 5_000)).id
    with unit_of_work() as session:
        row = session.get(Invoice, paid)
        row.status, row.amount_paid_minor = "paid", row.total_minor
        session.add(row)
    made["retail_paid"] = paid
    return world, made


def test_an_owner_sees_the_organizations_open_and_paid_invoices_and_what_is_outstanding(issued):
    world, made = issued
    role = "retail_owner"
    listed = invoice_views.list_invoices(world.actor(role), world.retail.id, today=TODAY)
    assert sorted(r.id for r in listed.page.items) == sorted([made["retail"], made["retail_paid"]])
    assert listed.outstanding.amounts == {"USD": 20_000}
    detail = invoice_views.invoice_detail(world.actor(role), made["retail"], today=TODAY)
    assert (detail.row.id, detail.may_pay) == (made["retail"], True)


@pytest.mark.parametrize("role", ["admin", "billing", "owner"])
def test_owners_admins_and_billing_contacts_may_read_invoices(issued, role):
    world, made = issued
    actor = world.actor(f"holdings_{role}")
    assert [r.id for r in invoice_views.list_invoices(actor, world.holdings.id, today=TODAY).page.items] == [
        made["holdings"]]
    assert invoice_views.invoice_detail(actor, made["holdings"], today=TODAY).row.id == made["holdings"]


def test_members_are_refused_the_invoice_list_and_every_invoice(issued):
    world, made = issued
    member = world.actor("holdings_member")
    for call in (lambda: invoice_views.list_invoices(member, world.holdings.id),
                 lambda: invoice_views.invoice_detail(member, made["holdings"]),
                 lambda: invoice_views.export_rows(member, world.holdings.id)):
        with pytest.raises(PermissionDenied) as refused:
            call()
        assert str(refused.value) == invoice_views.MEMBERS_REFUSED


def test_another_organizations_user_is_refused_its_invoices_even_in_the_same_tree(issued):
    world, made = issued
    before = dump_tables()
    for caller, target in INTRUDERS:
        actor = world.actor(caller)
        with pytest.raises(PermissionDenied, match=NOT_YOURS):
            invoice_views.list_invoices(actor, world.org(target).id)
        with pytest.raises(PermissionDenied, match=NOT_YOURS):
            invoice_views.export_rows(actor, world.org(target).id)
        with pytest.raises(NotFound) as refused:
            invoice_views.invoice_detail(actor, made[target])
        assert str(refused.value) == invoice_views.INVOICE_NOT_FOUND, (caller, target)
    with pytest.raises(NotFound) as unknown:
        invoice_views.invoice_detail(world.actor("retail_owner"), 987_654)
    assert str(unknown.value) == invoice_views.INVOICE_NOT_FOUND
    assert dump_tables() == before


def test_customers_never_see_draft_or_void_invoices_but_staff_do(issued):
    world, made = issued
    owner = world.actor("retail_owner")
    listed = [r.id for r in invoice_views.list_invoices(owner, world.retail.id).page.items]
    assert made["retail_draft"] not in listed and made["retail_void"] not in listed
    assert made["retail_void"] not in [r.id for r in invoice_views.export_rows(owner, world.retail.id)]
    for hidden in ("retail_draft", "retail_void"):
        with pytest.raises(NotFound, match=invoice_views.INVOICE_NOT_FOUND):
            invoice_views.invoice_detail(owner, made[hidden])
    for status in ("draft", "void"):
        with pytest.raises(InvalidInput, match="Filter by all, pending, overdue or paid."):
            invoice_views.list_invoices(owner, world.retail.id, status=status)

    staff = world.actor("agent")
    staff_view = [r.id for r in invoice_views.list_invoices(staff, world.retail.id).page.items]
    assert {made["retail_draft"], made["retail_void"]} <= set(staff_view)
    assert invoice_views.invoice_detail(staff, made["retail_void"]).stored_status == "void"
    assert [r.id for r in invoice_views.list_invoices(staff, world.retail.id, status="draft").page.items] == [
        made["retail_draft"]]
    assert len(invoice_views.list_invoices(staff, None, status="void").page.items) == 4


def test_an_open_invoice_is_listed_as_overdue_from_the_day_after_it_is_due(issued):
    world, made = issued
    owner = world.actor("retail_owner")
    due = invoice_row(made["retail"]).due_date

    on_due = invoice_views.list_invoices(owner, world.retail.id, status="pending", today=due)
    after = invoice_views.list_invoices(owner, world.retail.id, status="overdue", today=due + timedelta(days=1))

    assert [r.id for r in on_due.page.items] == [made["retail"]] and on_due.overdue_count == 0
    assert [r.id for r in after.page.items] == [made["retail"]]
    assert (after.overdue_count, after.overdue.amounts) == (1, {"USD": 20_000})
    assert after.page.items[0].status is rules.ShownStatus.overdue
    assert [r.id for r in invoice_views.list_invoices(owner, world.retail.id, status="paid").page.items] == [
        made["retail_paid"]]


def test_customers_cannot_bill_issue_or_list_every_organization(issued):
    world, made = issued
    owner = world.actor("retail_owner")
    before = dump_tables()
    with pytest.raises(PermissionDenied, match=STAFF_ADMINS_ONLY):
        billing_run.run_billing(owner, FEBRUARY, today=TODAY)
    with pytest.raises(PermissionDenied, match=STAFF_ADMINS_ONLY):
        billing_run.run_billing(world.actor("agent"), FEBRUARY, today=TODAY)
    with pytest.raises(PermissionDenied, match=STAFF_ONLY):
        invoice_staff.create_pre_service_invoice(owner, world.retail.id, [ItemInput("Incident", 1, 100)])
    with pytest.raises(PermissionDenied, match=STAFF_ONLY):
        invoice_staff.issue_draft(owner, made["retail_draft"])
    with pytest.raises(PermissionDenied, match=STAFF_ONLY):
        invoice_views.list_invoices(owner, None)
    with pytest.raises(PermissionDenied, match=STAFF_ADMINS_ONLY):
        invoice_terms.set_invoice_terms(owner, world.retail.id, tax_rate="0", payment_terms_days=90)
    assert dump_tables() == before


# ----------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(("period", "message"), [
    ("2025/02", "Give the billing period as YYYY-MM, e.g. 2026-10."),
    ("", "Give the billing period as YYYY-MM, e.g. 2026-10."),
    ("2025-13", "Give the billing period as YYYY-MM, e.g. 2026-10."),
    ("February", "Give the billing period as YYYY-MM, e.g. 2026-10."),
    ("2025-03", "March 2025 has not ended yet; bill it from 2025-04-01."),
    ("2026-01", "January 2026 has not ended yet; bill it from 2026-02-01."),
])
def test_a_bad_or_unfinished_billing_period_is_refused_with_a_clear_message_and_nothing_is_written(
        february, period, message):
    before = dump_tables()

    with pytest.raises(InvalidInput) as refused:
        bill(period)

    assert str(refused.value) == message
    assert dump_tables() == before


def test_a_month_cannot_be_billed_on_its_own_last_day(world):
    set_rate(world.retail)
    log_on(new_task(world.retail), 60, feb(3))
    with pytest.raises(InvalidInput, match="February 2025 has not ended yet; bill it from 2025-03-01."):
        bill(today=feb(28))
    assert len(bill(today=date(2025, 3, 1)).invoices) == 1


@pytest.mark.parametrize(("items", "message"), [
    ([], "Add at least one line."),
    ([ItemInput("Incident", 1, 0)], "The invoice total must be more than zero."),
    ([ItemInput("   ", 1, 100)], "Line 1: give a description of 1 to 300 characters."),
    ([ItemInput("Incident", 1, 100), ItemInput("x" * 301, 1, 100)],
     "Line 2: give a description of 1 to 300 characters."),
    ([ItemInput("Incident", 0, 100)], "Line 1: the quantity must be a whole number from 1 to 10,000."),
    ([ItemInput("Incident", 10_001, 100)], "Line 1: the quantity must be a whole number from 1 to 10,000."),
    ([ItemInput("Incident", True, 100)], "Line 1: the quantity must be a whole number from 1 to 10,000."),
    ([ItemInput("Incident", 1, -1)], "Line 1: the price must be from 0.00 to 1,000,000.00."),
    ([ItemInput("Incident", 1, 10.5)], "Line 1: the price must be from 0.00 to 1,000,000.00."),
    ([ItemInput("Incident", 1, 100)] * 51, "An invoice has at most 50 lines."),
])
def test_a_pre_service_invoice_with_bad_lines_is_refused_with_a_clear_message_and_nothing_is_written(
        world, items, message):
    before = dump_tables()

    with pytest.raises(InvalidInput) as refused:
        invoice_staff.create_pre_service_invoice(OPERATOR, world.retail.id, items, today=TODAY)

    assert str(refused.value) == message
    assert dump_tables() == before


def test_a_pre_service_invoice_for_an_unknown_organization_is_refused_and_nothing_is_written(world):
    before = dump_tables()
    with pytest.raises(NotFound, match=NOT_YOURS):
        invoice_staff.create_pre_service_invoice(OPERATOR, 987_654, [ItemInput("Incident", 1, 100)], today=TODAY)
    assert dump_tables() == before


@pytest.mark.parametrize(("rate", "days", "message"), [
    ("abc", 30, "Enter a tax rate such as 20 or 8.25 (per cent)."),
    ("60", 30, "The tax rate must be at most 50%."),
    ("20", -1, "Payment terms must be 0 to 120 days."),
    ("20", 121, "Payment terms must be 0 to 120 days."),
    ("20", "30", "Payment terms must be 0 to 120 days."),
])
def test_bad_invoice_terms_are_refused_with_a_clear_message_and_nothing_is_written(world, rate, days, message):
    before = dump_tables()
    with pytest.raises(InvalidInput) as refused:
        invoice_terms.set_invoice_terms(OPERATOR, world.retail.id, tax_rate=rate, payment_terms_days=days)
    assert str(refused.value) == message
    assert dump_tables() == before
