"""Stripe's webhook: a payment confirmed other than asked, a session that is not ours, an event type we do not
handle and an invoice voided meanwhile pay nothing; a paid hour block grants its hours and issues its receipt
(SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from opsportal.db import unit_of_work
from opsportal.domain import formats
from opsportal.domain import invoices as rules
from opsportal.domain.hour_blocks import expiry_of_purchase
from opsportal.domain.ledger.lots import end_of_day
from opsportal.models import InvoiceLine
from opsportal.services import credit_views, invoice_staff, invoice_terms, invoice_views, payment_history
from opsportal.services.operator import OPERATOR
from tests.utils.db import row_counts
from tests.utils.stripe_webhook import (
    AT,
    BLOCK_MINUTES,
    BLOCK_PRICE,
    attempts_of,
    checkout_event,
    deliver,
    event,
    hour_block_lots,
    invoice_row,
    payment_row,
    post,
    receipts,
    sign,
    stored_events,
)


@pytest.mark.parametrize(("changes", "reason"), [
    ({"amount_total": 29_999}, "amount 29999 differs from the 30000 asked for"),
    ({"amount_total": 300_000}, "amount 300000 differs from the 30000 asked for"),
    ({"currency": "eur"}, "currency 'eur' differs from USD"),
])
def test_a_confirmed_amount_or_currency_other_than_asked_does_not_pay_and_is_flagged(open_invoice, changes, reason):
    _world, invoice_id, payment = open_invoice

    outcome = deliver(checkout_event(payment, **changes))

    assert outcome == f"refused: {reason}"
    inv = invoice_row(invoice_id)
    assert (inv.status, inv.amount_paid_minor) == ("open", 0)
    flagged = payment_row(payment.id)
    assert flagged.status == "open"
    assert flagged.problem == f"Stripe confirmed a payment that does not match: {reason}."
    assert attempts_of(payment.id) == []
    assert [p.id for p in payment_history.payments_needing_attention(OPERATOR)] == [payment.id]


def test_a_session_naming_another_payment_of_ours_does_not_pay_either(open_invoice):
    _world, invoice_id, payment = open_invoice
    evt = checkout_event(payment, metadata={"opsportal_payment_id": str(payment.id + 1000)})

    assert deliver(evt).startswith(f"refused: the payment reference '{payment.id + 1000}'")
    assert invoice_row(invoice_id).status == "open"


def test_a_session_that_is_not_ours_is_recorded_and_ignored(open_invoice):
    _world, invoice_id, payment = open_invoice
    evt = checkout_event(payment, id="cs_test_someone_else", metadata={})

    assert deliver(evt) == "ignored: no payment of ours has this session"
    assert invoice_row(invoice_id).status == "open"
    assert stored_events() == {evt["id"]: "ignored: no payment of ours has this session"}


@pytest.mark.parametrize("kind", ["customer.created", "charge.refunded", "invoice.paid", "payment_intent.succeeded"])
def test_an_event_type_we_do_not_handle_gets_200_and_is_recorded_as_ignored(open_invoice, client, kind):
    _world, invoice_id, payment = open_invoice
    evt = event(kind, {"id": "obj_1", "object": kind.split(".")[0], "metadata": {"opsportal_payment_id": "1"}})
    body = json.dumps(evt)
    counts = row_counts()

    response = post(client, body, sign(body))

    assert response.status_code == 200
    assert response.json()["outcome"] == f"ignored: {kind}"
    assert stored_events() == {evt["id"]: f"ignored: {kind}"}
    assert row_counts() == {**counts, "stripe_event": counts["stripe_event"] + 1}
    assert invoice_row(invoice_id).status == "open"


def test_a_payment_for_an_invoice_voided_meanwhile_is_recorded_with_a_problem_and_the_invoice_stays_void(
        open_invoice):
    _world, invoice_id, payment = open_invoice
    number = invoice_row(invoice_id).number
    invoice_staff.void_invoice(OPERATOR, invoice_id, reason="Issued to the wrong organization")

    outcome = deliver(checkout_event(payment))

    assert outcome == f"applied to payment {payment.id}"
    inv = invoice_row(invoice_id)
    assert (inv.status, inv.amount_paid_minor, inv.paid_at) == ("void", 0, None)
    recorded = payment_row(payment.id)
    assert recorded.status == "succeeded"  # the money did arrive: staff must refund it
    assert recorded.problem == (f"Invoice {number} was already void when this payment arrived: "
                                "refund it or apply it elsewhere.")
    assert [a[0] for a in attempts_of(payment.id)] == ["succeeded"]
    assert [p.id for p in payment_history.payments_needing_attention(OPERATOR)] == [payment.id]


def test_a_paid_hour_block_grants_its_hours_and_issues_a_paid_receipt_with_the_tax_as_charged(block_checkout):
    world, payment = block_checkout
    assert (payment.amount_minor, payment.tax_rate_bp) == (BLOCK_PRICE + 22_800, 2_000)
    # The organization's rate changes before Stripe confirms: the receipt shows what was charged.
    invoice_terms.set_invoice_terms(OPERATOR, world.retail.id, tax_rate="10", payment_terms_days=30)

    outcome = deliver(checkout_event(payment), at=AT)

    assert outcome == f"applied to payment {payment.id}"
    [receipt] = receipts(world.retail.id)
    assert (receipt.status, receipt.kind, receipt.currency) == ("paid", "hour_block", "USD")
    assert (receipt.subtotal_minor, receipt.tax_rate_bp, receipt.tax_minor) == (BLOCK_PRICE, 2_000, 22_800)
    assert (receipt.total_minor, receipt.amount_paid_minor, receipt.paid_at) == (136_800, 136_800, AT)
    assert (receipt.issue_date, receipt.due_date) == (AT.date(), AT.date())
    assert receipt.number == rules.format_number(AT.year, 1)
    last_day = expiry_of_purchase(AT.date(), 365)
    with unit_of_work(write=False) as session:
        [line] = session.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == receipt.id)).all()
    assert (line.quantity, line.unit_price_minor, line.amount_minor) == (1, BLOCK_PRICE, BLOCK_PRICE)
    assert f"usable through {formats.day(last_day)}" in line.description
    [lot] = hour_block_lots(world.retail.id)
    assert (lot.quantity, lot.kind, lot.scope, lot.granted_at) == (BLOCK_MINUTES, "purchased", "org", AT)
    assert lot.expires_at == end_of_day(last_day) == datetime(2026, 3, 10, tzinfo=UTC)
    paid = payment_row(payment.id)
    assert (paid.lot_id, paid.invoice_id) == (lot.id, receipt.id)
    owner = world.actor("retail_owner")
    listed = invoice_views.list_invoices(owner, world.retail.id, status="paid")
    assert [r.id for r in listed.page.items] == [receipt.id]
    assert [(p.id, p.status) for p in payment_history.hour_block_purchases(owner, world.retail.id)] == [
        (payment.id, "succeeded")]


def test_a_purchased_blocks_hours_expire_after_its_validity_period(block_checkout):
    world, payment = block_checkout
    deliver(checkout_event(payment), at=AT)
    owner = world.actor("retail_owner")
    [lot] = hour_block_lots(world.retail.id)

    def available_at(at: datetime) -> int:
        return sum(x.remaining for x in credit_views.balance(owner, world.retail.id, at=at).lots if x.id == lot.id)

    assert available_at(AT) == BLOCK_MINUTES
    assert available_at(lot.expires_at - timedelta(microseconds=1)) == BLOCK_MINUTES
    assert available_at(lot.expires_at) == 0
