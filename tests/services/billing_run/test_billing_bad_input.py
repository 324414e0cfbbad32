"""A bad billing period, pre-service invoice or invoice terms is refused with a clear message and nothing is
written (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from opsportal.services import invoice_staff, invoice_terms, time_signoff
from opsportal.services.errors import InvalidInput, NotFound
from opsportal.services.invoice_staff import ItemInput
from opsportal.services.operator import OPERATOR
from tests.utils.billing import NOT_YOURS, TODAY, bill, feb, log_on
from tests.utils.db import dump_tables
from tests.utils.tasks import new_task, set_rate


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
    time_signoff.approve(world.actor("retail_owner"), world.retail.id, "2025-02", at=datetime(2025, 3, 1, tzinfo=UTC))
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
