"""The post-service billing run (``services/billing_run.py``): one invoice per organization and currency for its
unbilled pay-as-you-go time of a finished month, each entry billed exactly once (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import date, timedelta

from opsportal.domain import invoices as rules
from opsportal.services import billing_run, invoice_terms, invoice_views
from opsportal.services.operator import OPERATOR
from tests.utils.billing import (
    FEBRUARY,
    THREADS,
    TODAY,
    all_entries,
    bill,
    billed_to,
    feb,
    invoice_rows,
    lines_of,
    log_on,
    numbers,
    run_threads,
)
from tests.utils.db import dump_tables
from tests.utils.tasks import hours, new_task, set_rate


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
    assert again.summary == "Nothing to bill for 2025-02: its signed-off pay-as-you-go time is already billed."
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


def test_a_run_also_bills_earlier_months_signed_off_time_left_unbilled_but_never_later_months(world):
    # Time of an earlier month that was disputed or awaiting sign-off when its month was billed is billed by the
    # next run once it is billable (time sign-off); later months wait for their own run.
    set_rate(world.retail)
    task = new_task(world.retail)
    january = log_on(task, 60, date(2025, 1, 31))
    february = log_on(task, 60, feb(1))
    march = log_on(task, 60, date(2025, 3, 1))

    [invoice] = bill().invoices

    assert billed_to(february) == billed_to(january) == invoice.invoice_id
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
