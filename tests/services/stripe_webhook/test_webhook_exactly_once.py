"""Stripe's webhook applies each payment exactly once, however often, concurrently or out of order its events
arrive; declines and expiries are recorded (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import threading

import pytest

from opsportal.db import unit_of_work
from opsportal.domain.invoices import InvoiceKind, InvoicePaid, PaidThrough
from opsportal.services import credit_views, invoice_events, invoice_views, prepaid, stripe_events
from tests.utils.db import row_counts
from tests.utils.stripe_webhook import (
    BLOCK_MINUTES,
    THREADS,
    attempts_of,
    checkout_event,
    declined_event,
    deliver,
    hour_block_lots,
    invoice_row,
    payment_row,
    post,
    receipts,
    sign,
    stored_events,
)


def test_the_same_event_delivered_five_times_is_applied_once(open_invoice, client):
    _world, invoice_id, payment = open_invoice
    evt = checkout_event(payment)
    body = json.dumps(evt)

    outcomes = [post(client, body, sign(body)).json()["outcome"] for _ in range(5)]

    assert outcomes == [f"applied to payment {payment.id}"] + ["duplicate"] * 4
    inv = invoice_row(invoice_id)
    assert (inv.status, inv.amount_paid_minor) == ("paid", 30_000)
    assert len(attempts_of(payment.id)) == 1
    assert list(stored_events()) == [evt["id"]]


def test_two_different_events_confirming_the_same_session_are_applied_once(open_invoice):
    _world, invoice_id, payment = open_invoice

    first = deliver(checkout_event(payment))
    second = deliver(checkout_event(payment, "checkout.session.async_payment_succeeded"))

    assert (first, second) == (f"applied to payment {payment.id}", f"already applied to payment {payment.id}")
    assert invoice_row(invoice_id).amount_paid_minor == 30_000
    assert [a[0] for a in attempts_of(payment.id)] == ["succeeded"]
    assert sorted(stored_events().values()) == sorted([first, second])


@pytest.mark.parametrize("events", ["the same event", "different events for the same session"])
def test_eight_deliveries_at_once_grant_an_hour_block_exactly_once(block_checkout, events):
    world, payment = block_checkout
    owner = world.actor("retail_owner")
    before = credit_views.balance(owner, world.retail.id).available
    overview_before = prepaid.hours_overview(owner, world.retail.id).remaining_minutes
    one = checkout_event(payment)
    bodies = [json.dumps(one if events == "the same event" else checkout_event(
        payment, "checkout.session.completed" if n % 2 else "checkout.session.async_payment_succeeded"))
        for n in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(body: str) -> None:
        barrier.wait()
        try:
            outcome = stripe_events.handle_webhook(body.encode(), sign(body))
            with lock:
                outcomes.append(outcome)
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=worker, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a delivery hung"

    assert errors == []
    assert sum(o == f"applied to payment {payment.id}" for o in outcomes) == 1
    [lot] = hour_block_lots(world.retail.id)
    assert (lot.quantity, lot.remaining, lot.kind) == (BLOCK_MINUTES, BLOCK_MINUTES, "purchased")
    [receipt] = receipts(world.retail.id)
    assert (receipt.status, receipt.total_minor, receipt.amount_paid_minor) == ("paid", payment.amount_minor,
                                                                                payment.amount_minor)
    assert credit_views.balance(owner, world.retail.id).available == before + BLOCK_MINUTES == 720
    assert prepaid.hours_overview(owner, world.retail.id).remaining_minutes == overview_before + BLOCK_MINUTES
    paid = payment_row(payment.id)
    assert (paid.status, paid.lot_id, paid.invoice_id) == ("succeeded", lot.id, receipt.id)
    assert len(attempts_of(payment.id)) == 1


def test_an_hour_blocks_paid_event_routed_again_grants_no_second_lot(block_checkout):
    world, payment = block_checkout
    assert deliver(checkout_event(payment)).startswith("applied")
    paid = payment_row(payment.id)
    counts = row_counts()

    with unit_of_work() as session:
        invoice_events.dispatch(session, [InvoicePaid(paid.invoice_id, InvoiceKind.hour_block, paid.completed_at,
                                                      PaidThrough.checkout, paid.id)])

    assert row_counts() == counts
    assert [lot.id for lot in hour_block_lots(world.retail.id)] == [paid.lot_id]
    assert [(r.id, r.status) for r in receipts(world.retail.id)] == [(paid.invoice_id, "paid")]


def test_a_declined_card_leaves_the_invoice_open_and_says_why(open_invoice):
    world, invoice_id, payment = open_invoice

    outcome = deliver(declined_event(payment, message="Your card has insufficient funds."))

    assert outcome == f"declined attempt recorded on payment {payment.id}"
    assert invoice_row(invoice_id).status == "open"
    declined = payment_row(payment.id)
    assert (declined.status, declined.last_error) == ("open", "Your card has insufficient funds.")
    assert attempts_of(payment.id)[0][:3] == ("declined", "Your card has insufficient funds.", "webhook")
    detail = invoice_views.invoice_detail(world.actor("holdings_owner"), invoice_id)
    assert detail.may_pay
    assert detail.payments[0].attempts[0].message == "Your card has insufficient funds."


def test_a_decline_whose_intent_names_the_session_is_recorded_too(open_invoice):
    _world, _invoice_id, payment = open_invoice
    deliver(declined_event(payment, with_session=True))
    assert [a[0] for a in attempts_of(payment.id)] == ["declined"]


def test_a_card_that_is_declined_and_then_accepted_pays_the_invoice(open_invoice):
    _world, invoice_id, payment = open_invoice
    deliver(declined_event(payment))
    deliver(checkout_event(payment))
    assert invoice_row(invoice_id).status == "paid"
    paid = payment_row(payment.id)
    assert (paid.status, paid.last_error) == ("succeeded", "")
    assert [a[0] for a in attempts_of(payment.id)] == ["declined", "succeeded"]


def test_a_decline_arriving_after_the_payment_succeeded_leaves_it_paid_but_records_the_attempt(open_invoice):
    _world, invoice_id, payment = open_invoice
    deliver(checkout_event(payment))

    outcome = deliver(declined_event(payment))

    assert outcome == f"declined attempt recorded on payment {payment.id}"
    inv = invoice_row(invoice_id)
    assert (inv.status, inv.amount_paid_minor) == ("paid", 30_000)
    paid = payment_row(payment.id)
    assert (paid.status, paid.last_error) == ("succeeded", "")
    assert [a[0] for a in attempts_of(payment.id)] == ["succeeded", "declined"]


def test_an_expiry_arriving_after_the_payment_succeeded_is_ignored(open_invoice):
    _world, invoice_id, payment = open_invoice
    deliver(checkout_event(payment))

    outcome = deliver(checkout_event(payment, "checkout.session.expired", status="expired",
                                     payment_status="unpaid"))

    assert outcome == f"ignored: payment {payment.id} is succeeded"
    assert payment_row(payment.id).status == "succeeded"
    assert invoice_row(invoice_id).status == "paid"


def test_an_unpaid_session_that_expires_closes_the_payment_and_leaves_the_invoice_open(open_invoice):
    _world, invoice_id, payment = open_invoice

    outcome = deliver(checkout_event(payment, "checkout.session.expired", status="expired",
                                     payment_status="unpaid"))

    assert outcome == f"payment {payment.id} expired"
    assert payment_row(payment.id).status == "expired"
    assert invoice_row(invoice_id).status == "open"


def test_a_completed_session_still_waiting_for_its_money_is_not_applied(open_invoice):
    _world, invoice_id, payment = open_invoice
    outcome = deliver(checkout_event(payment, payment_status="unpaid"))
    assert outcome == "ignored: the session is not paid yet"
    assert (invoice_row(invoice_id).status, payment_row(payment.id).status) == ("open", "open")
