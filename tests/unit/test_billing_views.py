"""How invoices, payments and hour blocks read on the customer's billing pages (no database, no browser)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from opsportal.domain.invoices import ShownStatus
from opsportal.services.hour_blocks import BlockPublic
from opsportal.services.invoice_views import AttemptPublic, InvoiceRow, MoneyByCurrency, PaymentPublic
from opsportal.services.payment_history import PaymentRow
from opsportal.state.buy_hours import block_card, purchase_row
from opsportal.state.invoice import payment_rows
from opsportal.state.invoices import invoice_row, money_text

AT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def row(status: ShownStatus, outstanding: int) -> InvoiceRow:
    return InvoiceRow(id=7, number="INV-2026-00007", organization_id=1, organization="Northwind Holdings",
                      kind="post_service", kind_label="Post-service", period="2026-10", issue_date=date(2026, 11, 1),
                      due_date=date(2026, 12, 1), currency="USD", total_minor=15_800,
                      amount_paid_minor=15_800 - outstanding, outstanding_minor=outstanding, status=status)


def payment(status: str, *attempts: AttemptPublic) -> PaymentPublic:
    return PaymentPublic(id=3, status=status, amount_minor=15_800, currency="USD", created_at=AT, completed_at=None,
                         created_by="Bianca Novak", last_error="", problem="", attempts=list(attempts))


def test_an_invoice_row_links_to_the_invoice_and_names_its_status_in_words():
    shown = invoice_row(row(ShownStatus.overdue, 15_800))
    assert shown["href"] == "/billing/invoices/7"
    assert (shown["status"], shown["status_label"]) == ("overdue", "Overdue")
    assert (shown["total"], shown["outstanding"], shown["due"]) == ("USD 158.00", "USD 158.00", "1 Dec 2026")


def test_a_paid_invoice_shows_a_dash_for_outstanding():
    assert invoice_row(row(ShownStatus.paid, 0))["outstanding"] == "—"


def test_nothing_overdue_reads_as_zero_in_the_organizations_currency():
    assert money_text(MoneyByCurrency({}), "EUR") == "EUR 0.00"
    assert money_text(MoneyByCurrency({"USD": 15_800}), "USD") == "USD 158.00"


def test_a_declined_try_says_declined_and_why_under_its_checkout():
    declined = AttemptPublic("declined", "Your card was declined.", "webhook", AT)
    paid = AttemptPublic("succeeded", "Paid", "webhook", AT)
    rows = payment_rows([payment("succeeded", declined, paid)])
    assert [(r["kind"], r["what"], r["status"]) for r in rows] == [
        ("payment", "Payment 1: card checkout started", "Paid"),
        ("attempt", "Declined — Your card was declined.", "Declined"),
        ("attempt", "Paid", "Paid"),
    ]
    assert {r["by"] for r in rows} == {"Bianca Novak"} and {r["amount"] for r in rows} == {"USD 158.00"}


def test_an_open_checkout_reads_as_not_paid_yet():
    assert payment_rows([payment("open")])[0]["status"] == "Not paid yet"


def test_a_block_card_shows_the_saving_and_the_tax_only_when_there_are_some():
    block = BlockPublic(id=2, name="Standard block", hours=10, price_minor=114_000, tax_minor=9_405, currency="USD",
                        validity_days=365, active=True, per_hour_minor=11_400, discount_percent=5,
                        expires_on=date(2027, 11, 19), tax_rate_bp=825)
    card = block_card(block)
    assert (card["save"], card["tax_label"], card["tax"], card["total"]) == (
        "Save 5%", "Tax (8.25%)", "USD 94.05", "USD 1,234.05")
    assert card["through"] == "19 Nov 2027"
    plain = block_card(BlockPublic(**{**block.__dict__, "tax_minor": 0, "tax_rate_bp": 0, "discount_percent": 0}))
    assert (plain["save"], plain["tax"]) == ("", "")


def test_a_purchase_links_its_receipt_only_once_paid():
    bought = PaymentRow(9, "hour_block", "Standard block (10 hours of support)", "succeeded", 114_000, "USD", AT, AT,
                        21, "")
    assert purchase_row(bought)["receipt"] == "/billing/invoices/21"
    pending = PaymentRow(10, "hour_block", "Starter block (5 hours of support)", "open", 60_000, "USD", AT, None,
                         None, "Your card was declined.")
    shown = purchase_row(pending)
    assert (shown["receipt"], shown["status"], shown["note"]) == ("", "Not paid yet", "Your card was declined.")


def test_payments_and_purchases_are_timed_in_the_readers_zone_with_the_zone_named():
    assert payment_rows([payment("open")], "America/New_York")[0]["when"] == "20 Nov 2026, 04:30 EST"
    bought = PaymentRow(9, "hour_block", "Standard block", "succeeded", 114_000, "USD", AT, AT, 21, "")
    assert purchase_row(bought, "Europe/London")["when"] == "20 Nov 2026, 09:30 GMT"


def test_an_invoice_line_of_time_reads_as_a_duration_and_an_unknown_payment_status_in_words():
    from opsportal.services.invoice_views import LinePublic
    from opsportal.state.invoice import line_row

    line = line_row(LinePublic(1, "Pay-as-you-go time", 90, "minute", 12_000, 18_000, None), "USD")
    assert (line["quantity"], line["unit_price"], line["amount"]) == ("1 h 30 min", "USD 120.00 / h", "USD 180.00")
    assert payment_rows([payment("requires_action")])[0]["status"] == "Requires action"


def test_a_billing_period_reads_as_a_month_in_words():
    from opsportal.domain.formats import period

    assert invoice_row(row(ShownStatus.paid, 0))["period"] == "October 2026"
    assert (period("2026-09"), period(None, empty=""), period("Q3 2026")) == ("September 2026", "", "Q3 2026")
